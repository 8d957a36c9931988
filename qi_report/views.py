"""What templates show: typed, pre-formatted views of measures, stories and edition blocks.

Templates only loop and format, so every label, rounded number and link target a reader sees
is worked out here.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from qi_report.analysis import MeasureAnalysis
from qi_report.charts import Chart, Marker, make_chart, month_of, number_text
from qi_report.content import (
    CalloutBlock,
    Cycle,
    Edition,
    ImageBlock,
    Markdown,
    MeasureRef,
    QuoteBlock,
    StoryFile,
    StoryRef,
)
from qi_report.measures import percent_1dp
from qi_report.spc import COMMON_CAUSE, CONCERN_TYPE, IMPROVEMENT_TYPE, NEUTRAL_TYPE
from qi_report.spc_summary import RULE_SET_NAMES

DIRECTIONS = {
    "increase": "Higher is better",
    "decrease": "Lower is better",
    "neutral": "No direction of improvement",
}
STATUS_LABELS = {
    "testing": "Testing",
    "adopted": "Adopted",
    "adapted": "Adapted",
    "abandoned": "Abandoned",
}


@dataclass(frozen=True)
class Icon:
    """A small status icon drawn by us, always shown with its text label."""

    kind: str  # css modifier and SVG glyph: improvement, concern, neutral, common, pass, fail, ...
    label: str


VARIATION_ICONS = {
    IMPROVEMENT_TYPE: Icon("improvement", "Special cause variation: improvement"),
    CONCERN_TYPE: Icon("concern", "Special cause variation: concern"),
    NEUTRAL_TYPE: Icon("neutral", "Special cause variation: neither better nor worse"),
    COMMON_CAUSE: Icon("common", "Common cause variation: no signal of change"),
}
ASSURANCE_ICONS = {
    "pass": Icon("pass", "Target: will be met consistently"),
    "fail": Icon("fail", "Target: will not be met without change"),
    "hit_and_miss": Icon("hit-and-miss", "Target: will sometimes be met, sometimes missed"),
}


@dataclass(frozen=True)
class TableRow:
    period: str
    numerator: str
    denominator: str
    value: str
    centre: str
    lower: str
    upper: str
    signals: str


@dataclass(frozen=True)
class MeasureView:
    id: str
    title: str
    definition: str  # Markdown
    unit: str
    direction: str
    target: str | None
    rules: str
    latest_value: str | None
    latest_period: str | None
    latest_counts: str | None
    summary: str
    variation: Icon | None
    assurance: Icon | None
    chart: Chart
    rows: tuple[TableRow, ...]
    csv_name: str = "data.csv"

    def with_chart_id(self, div_id: str) -> MeasureView:
        return replace(self, chart=replace(self.chart, div_id=div_id))


@dataclass(frozen=True)
class CycleView:
    title: str
    dates: str
    plan: str
    do: str
    study: str
    act: str
    running: bool


@dataclass(frozen=True)
class StoryView:
    slug: str
    title: str
    change_idea: str
    team: str
    directorate: str
    status: str
    status_label: str
    started: str
    measures: tuple[tuple[str, str], ...]  # (measure id, title)
    cycles: tuple[CycleView, ...]
    body: str


@dataclass(frozen=True)
class Block:
    """One block of an edition, ready to show; ``kind`` picks the template macro."""

    kind: str
    text: str = ""
    title: str | None = None
    measure: MeasureView | None = None
    story: StoryView | None = None
    src: str = ""
    alt: str = ""
    caption: str | None = None


def long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def measure_view(measured: MeasureAnalysis, stories: Sequence[StoryFile]) -> MeasureView:
    definition = measured.definition
    monthly = all(len(p) == len("YYYY-MM") for p in measured.periods)
    # plotly reads tags and entities in label text; a story's words are shown as written.
    markers = [
        Marker(
            month_of(cycle.start) if monthly else cycle.start.isoformat(),
            html.escape(
                f"PDSA: {item.story.title}, {cycle.title} (from {long_date(cycle.start)})",
                quote=False,
            ),
        )
        for item in stories
        if definition.id in item.story.measures
        for cycle in item.story.pdsa
    ]
    markers.sort(key=lambda m: (m.period, m.text))
    chart = make_chart(measured, f"chart-{definition.id}", markers)
    analysis = measured.analysis
    suffix = _suffix(definition.unit)
    latest = None
    if measured.periods:
        last = len(measured.periods) - 1
        latest = (_value(measured, last) + suffix, measured.labels[-1], _counts(measured, last))
    return MeasureView(
        id=definition.id,
        title=definition.title,
        definition=definition.definition,
        unit=definition.unit,
        direction=DIRECTIONS[definition.improvement],
        target=f"{definition.target:g}{suffix}" if definition.target is not None else None,
        rules=RULE_SET_NAMES[definition.rules],
        latest_value=latest[0] if latest else None,
        latest_period=latest[1] if latest else None,
        latest_counts=latest[2] if latest else None,
        summary=measured.summary,
        variation=VARIATION_ICONS[analysis.variation] if analysis else None,
        assurance=ASSURANCE_ICONS.get(analysis.assurance or "") if analysis else None,
        chart=chart,
        rows=_rows(measured),
    )


def _suffix(unit: str) -> str:
    """How a unit follows a number: '%' directly, a word after a space, no unit as nothing."""
    return unit if unit in {"", "%"} else f" {unit}"


def _number(value: float | None) -> str:
    return "" if value is None else number_text(value)


def _value(measured: MeasureAnalysis, i: int) -> str:
    """A percentage to one decimal place as a calculator gives it; other values for people."""
    if measured.percent and measured.numerators and measured.denominators:
        return percent_1dp(measured.numerators[i], measured.denominators[i])
    return number_text(measured.values[i])


def _counts(measured: MeasureAnalysis, i: int) -> str | None:
    """'12 of 40' for a percentage, '3 in 1200' for a rate; None for values given as such."""
    if measured.numerators is None or measured.denominators is None:
        return None
    num, den = measured.numerators[i], measured.denominators[i]
    return f"{num:g} of {den:g}" if measured.percent else f"{num:g} in {den:g}"


def _rows(measured: MeasureAnalysis) -> tuple[TableRow, ...]:
    if measured.analysis is None:
        return ()
    rows = []
    for i, (label, point) in enumerate(zip(measured.labels, measured.analysis.points, strict=True)):
        nums, dens = measured.numerators, measured.denominators
        rows.append(
            TableRow(
                period=label,
                numerator=f"{nums[i]:g}" if nums is not None else "",
                denominator=f"{dens[i]:g}" if dens is not None else "",
                value=_value(measured, i),
                centre=_number(point.centre),
                lower=_number(point.lower),
                upper=_number(point.upper),
                signals=", ".join(s.replace("_", " ") for s in point.signals),
            )
        )
    return tuple(rows)


def story_view(item: StoryFile, measure_titles: Mapping[str, str]) -> StoryView:
    story = item.story
    return StoryView(
        slug=item.slug,
        title=story.title,
        change_idea=story.change_idea,
        team=story.team,
        directorate=story.directorate,
        status=story.status,
        status_label=STATUS_LABELS[story.status],
        started=long_date(story.started),
        measures=tuple((m, measure_titles[m]) for m in story.measures),
        cycles=tuple(_cycle(c) for c in story.pdsa),
        body=story.body,
    )


def _cycle(cycle: Cycle) -> CycleView:
    end = long_date(cycle.end) if cycle.end else "ongoing"
    return CycleView(
        cycle.title,
        f"{long_date(cycle.start)} to {end}",
        cycle.plan,
        cycle.do,
        cycle.study,
        cycle.act,
        running=cycle.end is None,
    )


def edition_blocks(
    edition: Edition, measures: Mapping[str, MeasureView], stories: Mapping[str, StoryView]
) -> tuple[Block, ...]:
    blocks = []
    for index, raw in enumerate(edition.body):
        if isinstance(raw, Markdown):
            blocks.append(Block("markdown", text=raw.markdown))
        elif isinstance(raw, MeasureRef):
            view = measures[raw.measure].with_chart_id(f"chart-{raw.measure}-{index + 1}")
            blocks.append(Block("measure", measure=view))
        elif isinstance(raw, StoryRef):
            blocks.append(Block("story", story=stories[raw.story]))
        elif isinstance(raw, CalloutBlock):
            blocks.append(Block("callout", text=raw.callout.text, title=raw.callout.title))
        elif isinstance(raw, ImageBlock):
            image = raw.image
            blocks.append(
                Block("image", src=media_path(image.src), alt=image.alt, caption=image.caption)
            )
        elif isinstance(raw, QuoteBlock):
            blocks.append(Block("quote", text=raw.quote.text, title=raw.quote.attribution))
    return tuple(blocks)


def media_path(src: str) -> str:
    """Where a content image is published, relative to the site root (``src`` is checked at
    load: relative, inside content/, without '..')."""
    return "/".join(["media", *(part for part in src.split("/") if part not in {"", "."})])
