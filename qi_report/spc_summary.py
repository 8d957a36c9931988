"""The plain-English summary of an SPC analysis that the site shows under each chart.

Written for a screen-reader user who cannot see the chart: it names the rule set, the rule that
fired (the strongest signal of the latest flagged point of the last phase) and where, the latest
value and the centre line, and says plainly when limits are trial limits or there are too few
points for a runs analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qi_report.spc import (
    CONCERN_TYPE,
    IMPROVEMENT_TYPE,
    SIGNAL_STRENGTH,
    TRIAL_LIMIT_POINTS,
    Analysis,
    Point,
)
from qi_report.spc_rules import MIN_USEFUL_POINTS

RULE_SET_NAMES = {
    "ihi": "IHI / Health Care Data Guide rules",
    "anhoej": "Anhøj rules",
    "mdc": "Making Data Count rules",
}
SIGNAL_NAMES = {
    "outside_limits": "a point outside the limits",
    "shift": "a shift",
    "trend": "a trend",
    "two_of_three": "two of three points near a limit",
}
_QUALITY = {IMPROVEMENT_TYPE: ", an improvement", CONCERN_TYPE: ", a concern"}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _number(x: float, unit: str) -> str:
    rounded = round(x, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"{rounded:,.1f}"
    if not unit or unit.startswith("%"):
        return text + unit
    return f"{text} {unit}"


def _side(point: Point) -> int:
    return (point.value > point.centre) - (point.value < point.centre)


def _span(
    points: Sequence[Point],
    end: int,
    first: int,
    signal: str,
    links: Callable[[int, int], bool],
) -> tuple[int, int]:
    """(start, count) of the flagged points leading back from ``end``.

    ``links(j, k)`` says whether point ``j`` can precede point ``k`` in the same signal; points
    that link but do not carry the signal (skipped centre points and ties) are not counted.
    """
    start, count, j = end, 1, end
    while j - 1 >= first and links(j - 1, j):
        j -= 1
        if signal in points[j].signals:
            start, count = j, count + 1
    return start, count


def _when(periods: Sequence[str], start: int, end: int) -> str:
    if end == len(periods) - 1:
        return f"since {periods[start]}"
    return f"from {periods[start]} to {periods[end]}"


def _describe(
    analysis: Analysis, periods: Sequence[str], end: int, first: int, noun: str, centre: str
) -> tuple[str, str]:
    """(signal, where and how) for the latest flagged point ``end``."""
    points = analysis.points
    skips = analysis.rules != "mdc"  # IHI and Anhøj skip centre points and ties; MDC breaks
    p = points[end]
    signal = next(s for s in SIGNAL_STRENGTH if s in p.signals)
    side = _side(p)
    if signal == "outside_limits":
        where = "above the upper" if side > 0 else "below the lower"
        return signal, f"{periods[end]} was {where} limit"
    if signal == "two_of_three":
        where = "upper" if side > 0 else "lower"
        return (
            signal,
            f"Two of three {noun}s near the {where} limit, the latest {_at(periods[end])}",
        )
    if signal == "shift":

        def same_side(j: int, k: int) -> bool:
            on_centre = points[j].value == points[j].centre
            return (skips and on_centre) or (
                "shift" in points[j].signals and _side(points[j]) == side
            )

        start, count = _span(points, end, first, signal, same_side)
        where = "above" if side > 0 else "below"
        when = _when(periods, start, end)
        return signal, f"{_plural(count, noun)} in a row {where} the {centre} {when}"
    earlier = [q.value for q in points[first:end] if q.value != p.value]
    rising = not earlier or earlier[-1] < p.value

    def same_way(j: int, k: int) -> bool:
        a, b = points[j].value, points[k].value
        step_ok = skips if a == b else (a < b) == rising
        skipped_tie = skips and j > first and points[j - 1].value == a
        return step_ok and ("trend" in points[j].signals or skipped_tie)

    start, count = _span(points, end, first, signal, same_way)
    way = "going up" if rising else "going down"
    return signal, f"{_plural(count, noun)} in a row {way} {_when(periods, start, end)}"


def summarise(
    analysis: Analysis, periods: Sequence[str], *, unit: str, period_noun: str = "month"
) -> str:
    """One or two sentences: the signal (or none) and the rule set, then the latest value.

    ``periods`` labels each point for people ("April 2019"); ``unit`` follows each number ("%"
    directly, a word after a space).
    """
    points = analysis.points
    if len(periods) != len(points):
        raise ValueError(f"{len(periods)} period labels for {len(points)} points")
    rules = RULE_SET_NAMES[analysis.rules]
    centre = "median" if analysis.chart == "run" else "average"
    first = next(i for i, p in enumerate(points) if p.phase == points[-1].phase)
    flagged = [i for i in range(first, len(points)) if points[i].signals]
    runs = analysis.runs
    too_few = runs.signal is None
    runs_note = (
        f"too few points for a runs analysis ({runs.useful_points} off the {centre}, "
        f"{MIN_USEFUL_POINTS} needed)"
    )
    if flagged:
        signal, where = _describe(analysis, periods, flagged[-1], first, period_noun, centre)
        latest = points[flagged[-1]]
        also = [SIGNAL_NAMES[s] for s in SIGNAL_STRENGTH if s in latest.signals and s != signal]
        named = SIGNAL_NAMES[signal] + (f" (also {' and '.join(also)})" if also else "")
        quality = _QUALITY.get(latest.type, "")
        opening = f"{where}: {named}, a signal of real change{quality} ({rules})."
    elif analysis.rules == "anhoej" and runs.signal:
        crossings = _plural(runs.crossings or 0, "crossing")
        opening = (
            f"{crossings} of the {centre}, fewer than the {runs.crossings_limit} expected by "
            f"chance: too few crossings, a signal of real change ({rules})."
        )
    elif analysis.rules == "anhoej" and too_few:
        lead = (
            "There are"
            if analysis.chart == "run"
            else "No point is outside the limits, but there are"
        )
        opening = f"{lead} {runs_note}, so the runs rules cannot be applied ({rules})."
        too_few = False
    else:
        since = f" since {periods[first]}" if first > 0 else ""
        opening = f"No signal of change{since}: only common cause variation ({rules})."
    last = points[-1]
    details = [
        f"Latest {_number(last.value, unit)} {_at(periods[-1])}, "
        f"{centre} {_number(last.centre, unit)}"
    ]
    if last.trial and last.lower is not None:
        details.append(f"the limits are trial limits (fewer than {TRIAL_LIMIT_POINTS} points)")
    if too_few:
        details.append(runs_note)
    return f"{opening} {'; '.join(details)}."


def _at(period: str) -> str:
    """'in April 2019' for a month or a year, 'on 7 April 2019' for a day."""
    return f"on {period}" if period[:1].isdigit() and not period.isdigit() else f"in {period}"
