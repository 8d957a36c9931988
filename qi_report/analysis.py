"""A measure's series analysed with its chart settings: the bridge from measures to SPC.

Periods without a value (a programme month whose denominator is zero) are left out of the chart
and its statistics (and shown as blank in tables). The settings that name periods (``rebase``,
``exclude``, ``annotations``) must name charted periods; one that does not is a problem located on
its line of measures.yaml, as is an ``exclude`` that leaves a phase nothing to set its limits.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np

from qi_report.definitions import MeasureDefinition, Where
from qi_report.measures import MeasureSeries
from qi_report.problems import Problems
from qi_report.spc import Analysis, ChartSettings, analyse
from qi_report.spc_summary import summarise

PERCENT_CHARTS = ("p", "pp")
COUNT_CHARTS = ("p", "pp", "u")
"""Charts analysed from numerators and denominators (counts and exposure for u)."""


@dataclass(frozen=True)
class MeasureAnalysis:
    """The charted points of one measure (periods with a value) and their analysis.

    ``values`` are as charted: percentages where the series has numerators and denominators
    (except a u chart: its rate per multiplier), else the values given. ``numerators`` and
    ``denominators`` are None where the series gives values only."""

    definition: MeasureDefinition
    series: MeasureSeries
    periods: tuple[str, ...]
    values: tuple[float, ...]
    numerators: tuple[float, ...] | None
    denominators: tuple[float, ...] | None
    analysis: Analysis | None
    summary: str

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(period_label(p, self.series.frequency) for p in self.periods)

    @property
    def percent(self) -> bool:
        """Whether values are percentages of a numerator over a denominator."""
        return self.series.has_counts and self.definition.chart != "u"


def analyse_measure(
    definition: MeasureDefinition, series: MeasureSeries, where: Where, problems: Problems
) -> MeasureAnalysis:
    """Analyse one series; a setting that does not fit its periods is recorded in ``problems``
    (the analysis is then None)."""
    all_values = series.values
    defined = np.isfinite(all_values)
    periods = tuple(p for p, ok in zip(series.periods, defined, strict=True) if ok)
    values = tuple(float(v) for v in all_values[defined])
    numerators = denominators = None
    if series.has_counts:
        numerators = tuple(float(v) for v in series.numerators[defined])
        denominators = tuple(float(v) for v in series.denominators[defined])
    found_before = len(problems)
    rebase = _indices("rebase", definition.rebase, periods, where, problems)
    exclude = _indices("exclude", definition.exclude, periods, where, problems)
    notes = [note.period for note in definition.annotations]
    _indices("annotations", notes, periods, where, problems, suffix=("period",))
    starts = tuple(i for i in rebase if i > 0)
    _check_phases(definition, periods, starts, exclude, where, problems)
    if not periods or len(problems) > found_before:
        summary = "There is no data to chart yet." if not periods else ""
        return MeasureAnalysis(
            definition, series, periods, values, numerators, denominators, None, summary
        )
    settings = ChartSettings(
        chart=definition.chart,
        rules=definition.rules,
        improvement=definition.improvement,
        target=definition.target,
        phase_starts=starts,
        baseline=definition.baseline,
        screen_moving_ranges=definition.screen_moving_ranges,
        exclude=exclude,
        multiplier=(definition.multiplier or 1.0) if definition.chart == "u" else 1.0,
    )
    if definition.chart in COUNT_CHARTS:
        result = analyse(settings, numerators=numerators, denominators=denominators)
    else:
        result = analyse(settings, values=values)
    labels = tuple(period_label(p, series.frequency) for p in periods)
    summary = summarise(result, labels, unit=definition.unit, period_noun=series.frequency)
    return MeasureAnalysis(
        definition, series, periods, values, numerators, denominators, result, summary
    )


def _indices(
    field: str,
    named: list[str],
    periods: tuple[str, ...],
    where: Where,
    problems: Problems,
    suffix: tuple[str, ...] = (),
) -> tuple[int, ...]:
    """The indices of the charted periods ``named`` by the setting ``field``."""
    found = []
    position = {period: i for i, period in enumerate(periods)}
    for k, period in enumerate(named):
        if period in position:
            found.append(position[period])
        else:
            span = f"{periods[0]} to {periods[-1]}" if periods else "none"
            where.add(
                problems,
                [field, k, *suffix],
                f"'{period}' is not a charted period of this measure (charted: {span})",
            )
    return tuple(sorted(set(found)))


def _check_phases(
    definition: MeasureDefinition,
    periods: tuple[str, ...],
    starts: tuple[int, ...],
    exclude: tuple[int, ...],
    where: Where,
    problems: Problems,
) -> None:
    """Each phase needs at least one point, not excluded, to set its centre and limits."""
    if not periods:
        return
    left_out = set(exclude)
    for number, (first, stop) in enumerate(itertools.pairwise([0, *starts, len(periods)]), start=1):
        end = stop if definition.baseline is None else min(stop, first + definition.baseline)
        if all(i in left_out for i in range(first, end)):
            where.add(
                problems,
                ["exclude"],
                f"every period that sets the centre and limits of phase {number} "
                f"({periods[first]} to {periods[end - 1]}) is excluded; keep at least one",
            )


def period_label(period: str, frequency: str = "month") -> str:
    """'2019-04' -> 'April 2019'; a date ('2019-04-07') -> '7 April 2019', or 'April 2019'
    where the series is monthly (dates on the 1st, a month apart)."""
    try:
        if len(period) == 7:
            return dt.date.fromisoformat(period + "-01").strftime("%B %Y")
        day = dt.date.fromisoformat(period)
        if frequency == "month":
            return day.strftime("%B %Y")
        return f"{day.day} {day.strftime('%B %Y')}"
    except ValueError:
        return period
