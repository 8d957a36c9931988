"""Plotly figures of analysed measures, and the text that makes them accessible.

A chart is drawn from a :class:`~qi_report.analysis.MeasureAnalysis` only; nothing here
computes statistics. Points are coloured by their Making Data Count type and also given a
marker shape per type, so that colour is never the only cue. The figure is serialised to JSON
that ``assets/charts.js`` draws; pages carry no inline script.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from qi_report.analysis import PERCENT_CHARTS, MeasureAnalysis
from qi_report.spc import (
    COMMON_CAUSE,
    CONCERN_TYPE,
    IMPROVEMENT_TYPE,
    NEUTRAL_TYPE,
    TRIAL_LIMIT_POINTS,
)

TEXT = "#212b32"
GRID = "#d8dde0"
LINE = "#768692"
CENTRE = "#212b32"
LIMIT = "#4c6272"
TARGET = "#007f3b"
PDSA = "#7c2855"


@dataclass(frozen=True)
class PointStyle:
    label: str
    colour: str
    symbol: str


POINT_STYLES = {
    COMMON_CAUSE: PointStyle("Common cause", "#6b7780", "circle"),
    IMPROVEMENT_TYPE: PointStyle("Special cause: improvement", "#005eb8", "diamond"),
    CONCERN_TYPE: PointStyle("Special cause: concern", "#c45500", "square"),
    NEUTRAL_TYPE: PointStyle("Special cause: neither better nor worse", "#5c2d91", "triangle-up"),
}
"""Making Data Count's colours (improvement blue, concern orange, neutral purple, common cause
grey), darkened to reach 3:1 contrast on white, with one marker shape per type."""

CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"],
}


@dataclass(frozen=True)
class Marker:
    """A dated, labelled event drawn on a chart (a PDSA cycle start or an annotation)."""

    period: str
    text: str


@dataclass(frozen=True)
class Chart:
    """What a page needs to show one chart."""

    div_id: str
    figure_json: str
    title: str
    subtitle: str
    summary: str
    config_json: str


def make_chart(
    measured: MeasureAnalysis, div_id: str, pdsa: Sequence[Marker] = (), *, height: int = 420
) -> Chart:
    figure = _figure(measured, pdsa, height)
    definition = measured.definition
    first, last = (measured.labels[0], measured.labels[-1]) if measured.periods else ("", "")
    chart_name = CHART_NAMES[definition.chart]
    span = f"{first} to {last}" if first else "no data yet"
    every = FREQUENCY_WORDS.get(measured.series.frequency, "by date")
    unit = _unit_words(definition.unit)
    subtitle = ", ".join(part for part in (chart_name, unit, every, span) if part)
    # plotly's own JSON encoder handles numpy values; sort_keys keeps builds byte-identical.
    data = json.loads(figure.to_json())
    figure_json = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return Chart(
        div_id=div_id,
        figure_json=_script_safe(figure_json),
        title=definition.title,
        subtitle=subtitle,
        summary=measured.summary,
        config_json=_script_safe(json.dumps(CONFIG, sort_keys=True)),
    )


CHART_NAMES = {
    "run": "Run chart",
    "xmr": "XmR chart",
    "p": "p-chart",
    "pp": "Laney p\u2032-chart",
    "c": "c-chart",
    "u": "u-chart",
}


FREQUENCY_WORDS = {"month": "monthly", "week": "weekly", "day": "daily"}
"""How often a series is measured, for the subtitle; irregular dates are charted "by date"."""

DAY_TICKS = "%d %b %Y"


def _unit_words(unit: str) -> str:
    return "percentage" if unit == "%" else unit


def number_text(value: float) -> str:
    """A value for people: one decimal place, or two significant figures below 1."""
    if value == 0 or abs(value) >= 1:
        return f"{value:,.1f}"
    return f"{value:.2g}"


def _script_safe(text: str) -> str:
    """JSON that can sit inside a <script type="application/json"> element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _x(period: str) -> str:
    return f"{period}-01" if len(period) == 7 else period


def _figure(measured: MeasureAnalysis, pdsa: Sequence[Marker], height: int) -> go.Figure:
    definition = measured.definition
    analysis = measured.analysis
    unit = definition.unit
    suffix = unit if unit in {"", "%"} else f" {unit}"
    xs = [_x(p) for p in measured.periods]
    figure = go.Figure()
    if analysis is None:
        return _layout(figure, definition.title, suffix, height, 0)
    values = [p.value for p in analysis.points]
    hover = [_hover(measured, i, suffix) for i in range(len(values))]
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=values,
            mode="lines",
            name=definition.title,
            line={"color": LINE, "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for kind, style in POINT_STYLES.items():
        chosen = [i for i, p in enumerate(analysis.points) if p.type == kind]
        if not chosen:
            continue
        figure.add_trace(
            go.Scatter(
                x=[xs[i] for i in chosen],
                y=[values[i] for i in chosen],
                mode="markers",
                name=style.label,
                text=[hover[i] for i in chosen],
                hoverinfo="text",
                marker={
                    "color": style.colour,
                    "symbol": style.symbol,
                    "size": 9,
                    "line": {"color": "#ffffff", "width": 1},
                },
            )
        )
    centre_name = "Median" if analysis.chart == "run" else "Mean"
    figure.add_trace(
        _phased(xs, analysis.points, "centre", centre_name, {"color": CENTRE, "width": 1.5})
    )
    if any(p.upper is not None for p in analysis.points):
        shape = "hvh" if analysis.chart in {*PERCENT_CHARTS, "u"} else "linear"
        dash = {"color": LIMIT, "width": 1.5, "dash": "dash", "shape": shape}
        trial = any(p.trial for p in analysis.points)
        upper_name = (
            f"Trial limits (fewer than {TRIAL_LIMIT_POINTS} points)"
            if trial
            else "Upper control limit"
        )
        figure.add_trace(_phased(xs, analysis.points, "upper", upper_name, dash))
        figure.add_trace(
            _phased(xs, analysis.points, "lower", "Lower control limit", dash, legend=False)
        )
    if definition.target is not None and xs:
        figure.add_trace(
            go.Scatter(
                x=[xs[0], xs[-1]],
                y=[definition.target, definition.target],
                mode="lines",
                name=f"Target {definition.target:g}{suffix}",
                hoverinfo="name",
                line={"color": TARGET, "width": 2, "dash": "longdash"},
            )
        )
    events = [m for m in pdsa if xs and xs[0] <= _x(m.period) <= xs[-1]]
    if events:
        low = min(
            min(values),
            *(p.lower for p in analysis.points if p.lower is not None),
            definition.target if definition.target is not None else min(values),
        )
        figure.add_trace(
            go.Scatter(
                x=[_x(m.period) for m in events],
                y=[low] * len(events),
                mode="markers",
                name="PDSA cycle starts",
                text=[m.text for m in events],
                hoverinfo="text",
                marker={"symbol": "triangle-up", "size": 12, "color": PDSA},
            )
        )
    for note in definition.annotations:
        if note.period in measured.periods:
            i = measured.periods.index(note.period)
            figure.add_annotation(
                x=xs[i],
                y=values[i],
                text=note.text,
                showarrow=True,
                arrowhead=2,
                ax=0,
                ay=-40,
                font={"color": TEXT, "size": 13},
                bgcolor="#ffffff",
                bordercolor=LIMIT,
            )
    figure = _layout(figure, definition.title, suffix, height, len(xs))
    if measured.series.frequency != "month":  # weeks and days: plotly's own date ticks
        figure.update_xaxes(tickformat=DAY_TICKS, dtick=None)
    return figure


def _phased(
    xs: list[str],
    points: Sequence[object],
    field: str,
    name: str,
    line: dict[str, object],
    legend: bool = True,
) -> go.Scatter:
    """A line that breaks between phases: a None gap where the phase number changes."""
    x: list[str | None] = []
    y: list[float | None] = []
    previous = None
    for period, point in zip(xs, points, strict=True):
        phase = getattr(point, "phase")  # noqa: B009
        if previous is not None and phase != previous:
            x.append(None)
            y.append(None)
        previous = phase
        x.append(period)
        y.append(getattr(point, field))
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        name=name,
        line=line,
        hoverinfo="skip",
        showlegend=legend,
        connectgaps=False,
    )


def _hover(measured: MeasureAnalysis, i: int, suffix: str) -> str:
    text = f"{measured.labels[i]}: {number_text(measured.values[i])}{suffix}"
    if measured.numerators is not None and measured.denominators is not None:
        num, den = measured.numerators[i], measured.denominators[i]
        counts = f"{num:g} of {den:g}" if measured.percent else f"{num:g} in {den:g}"
        text += f"<br>{counts}"
    return text


def _month_step(count: int) -> str:
    """A tick every 1, 3, 6 or 12 months, so that labels never crowd or repeat."""
    for limit, step in ((12, "M1"), (36, "M3"), (72, "M6")):
        if count <= limit:
            return step
    return "M12"


def _layout(figure: go.Figure, title: str, suffix: str, height: int, count: int) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 56, "r": 16, "t": 16, "b": 48},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": TEXT},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        hovermode="closest",
        xaxis={
            "type": "date",
            "gridcolor": GRID,
            "linecolor": LINE,
            "tickformat": "%b %Y",
            "dtick": _month_step(count),
            "automargin": True,
        },
        yaxis={
            "gridcolor": GRID,
            "linecolor": LINE,
            "ticksuffix": suffix.strip(),
            "title": {"text": title},
            "rangemode": "tozero",
        },
        template="none",
    )
    return figure


def month_of(date: dt.date) -> str:
    """A date as a period key ('YYYY-MM') for placing markers on monthly charts."""
    return date.strftime("%Y-%m")
