"""A measure's series analysed with its chart settings: the bridge from measures to SPC.

Months whose denominator is zero have no value; they are left out of the chart and its
statistics (and shown as blank in tables). Rebase and exclude months name periods of the series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from qi_report.definitions import MeasureDefinition
from qi_report.measures import MeasureSeries
from qi_report.problems import Problem
from qi_report.spc import Analysis, ChartSettings, analyse
from qi_report.spc_summary import summarise

PERCENT_CHARTS = ("p", "pp")


@dataclass(frozen=True)
class MeasureAnalysis:
    """The charted points of one measure (periods with a value) and their analysis."""

    definition: MeasureDefinition
    series: MeasureSeries
    periods: tuple[str, ...]
    numerators: tuple[float, ...]
    denominators: tuple[float, ...]
    analysis: Analysis | None
    summary: str

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(period_label(p) for p in self.periods)


def analyse_measure(
    definition: MeasureDefinition, series: MeasureSeries, problems: list[Problem], path: str
) -> MeasureAnalysis:
    defined = series.denominators > 0
    periods = tuple(p for p, ok in zip(series.periods, defined, strict=True) if ok)
    numerators = tuple(float(v) for v in series.numerators[defined])
    denominators = tuple(float(v) for v in series.denominators[defined])
    rebase = _indices(definition, "rebase", definition.rebase, periods, problems, path)
    exclude = _indices(definition, "exclude", definition.exclude, periods, problems, path)
    if not periods:
        return MeasureAnalysis(
            definition,
            series,
            periods,
            numerators,
            denominators,
            None,
            "There is no data to chart yet.",
        )
    settings = ChartSettings(
        chart=definition.chart,
        rules=definition.rules,
        improvement=definition.improvement,
        target=definition.target,
        phase_starts=tuple(i for i in rebase if i > 0),
        baseline=definition.baseline,
        screen_moving_ranges=definition.screen_moving_ranges,
        exclude=exclude,
        multiplier=(definition.multiplier or 1.0) if definition.chart == "u" else 1.0,
    )
    if definition.chart in PERCENT_CHARTS or definition.chart == "u":
        result = analyse(settings, numerators=numerators, denominators=denominators)
    else:
        values = np.where(
            np.asarray(denominators) > 0,
            100.0 * np.asarray(numerators) / np.asarray(denominators),
            np.nan,
        )
        result = analyse(settings, values=[float(v) for v in values])
    labels = tuple(period_label(p) for p in periods)
    summary = summarise(result, labels, unit=definition.unit)
    return MeasureAnalysis(definition, series, periods, numerators, denominators, result, summary)


def _indices(
    definition: MeasureDefinition,
    field: str,
    months: list[str],
    periods: tuple[str, ...],
    problems: list[Problem],
    path: str,
) -> tuple[int, ...]:
    found = []
    for month in months:
        if month in periods:
            found.append(periods.index(month))
        else:
            span = f"{periods[0]} to {periods[-1]}" if periods else "none"
            problems.append(
                Problem(
                    path,
                    field=f"{definition.id}.{field}",
                    message=f"'{month}' is not a charted period of "
                    f"'{definition.id}' (charted: {span})",
                )
            )
    return tuple(sorted(set(found)))


def period_label(period: str) -> str:
    """'2019-04' -> 'April 2019'; other periods ('2019-04-07') -> '7 April 2019'."""
    try:
        if len(period) == 7:
            return dt.date.fromisoformat(period + "-01").strftime("%B %Y")
        day = dt.date.fromisoformat(period)
        return f"{day.day} {day.strftime('%B %Y')}"
    except ValueError:
        return period
