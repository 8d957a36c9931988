"""Special-cause rules and the Anhøj runs analysis, as pure functions over one phase.

Every rule has the signature ``rule(values, centre, lower, upper)``: the values of one phase, its
centre line and its 3-sigma limits, each given as one number for the whole phase or one number per
point (``None`` for charts without limits). Pass limits *before* clipping, so that "near the limit"
is two sigma from the centre even where a limit was clipped at 0 or 100%.

A rule returns one direction per point: ``HIGH`` (+1) where the point is flagged above the centre
or as part of a rising trend, ``LOW`` (-1) where flagged below or falling, ``NOT_FLAGGED`` (0)
elsewhere. A point exactly on the centre line is on neither side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Centre = float | Sequence[float]
Limit = float | Sequence[float] | None
Flags = tuple[int, ...]

HIGH = 1
LOW = -1
NOT_FLAGGED = 0

IHI_RUN_SHIFT = 6  # Perla, Provost & Murray 2011: 6 or more on one side of the median
IHI_RUN_TREND = 5  # 5 or more going up or going down
IHI_CONTROL_SHIFT = 8  # Health Care Data Guide control-chart rules
IHI_CONTROL_TREND = 6
MDC_SHIFT = 7  # NHS England Making Data Count
MDC_TREND = 7
TWO_OF_THREE_WINDOW = 3
TWO_OF_THREE_NEEDED = 2
NEAR_LIMIT_FRACTION = 2 / 3  # two sigma out of three
MIN_USEFUL_POINTS = 10  # fewer points off the centre line: no runs analysis
LONGEST_RUN_OFFSET = 3  # Anhøj: longest run limit = round(log2(n)) + 3
CROSSINGS_TAIL_NUMERATOR = 1  # Anhøj: crossings below the 5th percentile (1/20) of
CROSSINGS_TAIL_DENOMINATOR = 20  # Binomial(n - 1, 1/2)


@dataclass(frozen=True)
class Runs:
    """Anhøj runs analysis of one phase; all but ``useful_points`` are None when not analysed."""

    useful_points: int
    longest_run: int | None
    longest_run_limit: int | None
    crossings: int | None
    crossings_limit: int | None
    signal: bool | None


def _per_point(line: float | Sequence[float], n: int, name: str) -> list[float]:
    if isinstance(line, (int, float)):
        return [float(line)] * n
    if len(line) != n:
        raise ValueError(f"{name} has {len(line)} entries for {n} values")
    return [float(x) for x in line]


def _limits(lower: Limit, upper: Limit, n: int) -> tuple[list[float], list[float]] | None:
    if lower is None or upper is None:
        return None
    return _per_point(lower, n, "lower"), _per_point(upper, n, "upper")


def _side(value: float, centre: float) -> int:
    return (value > centre) - (value < centre)


def _sides(values: Sequence[float], centre: Centre) -> list[int]:
    centres = _per_point(centre, len(values), "centre")
    return [_side(v, c) for v, c in zip(values, centres, strict=True)]


def _runs_of_sides(sides: Sequence[int], centre_breaks: bool) -> list[list[int]]:
    """Maximal runs (as index lists) of points on one side; centre points break or are skipped."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, side in enumerate(sides):
        if side == 0:
            if centre_breaks and current:
                runs.append(current)
                current = []
            continue
        if current and sides[current[0]] != side:
            runs.append(current)
            current = []
        current.append(i)
    if current:
        runs.append(current)
    return runs


def outside_limits(values: Sequence[float], centre: Centre, lower: Limit, upper: Limit) -> Flags:
    """Points strictly above the upper or strictly below the lower limit."""
    limits = _limits(lower, upper, len(values))
    if limits is None:
        return (NOT_FLAGGED,) * len(values)
    lows, ups = limits
    return tuple(
        HIGH if v > up else LOW if v < lo else NOT_FLAGGED
        for v, lo, up in zip(values, lows, ups, strict=True)
    )


def shift(
    values: Sequence[float],
    centre: Centre,
    lower: Limit,
    upper: Limit,
    *,
    length: int,
    centre_breaks: bool,
) -> Flags:
    """``length`` or more consecutive points on one side of the centre; all of them flagged.

    With ``centre_breaks`` (Making Data Count) a point exactly on the centre ends the run; without
    it (IHI) such a point is skipped: it neither adds to nor breaks the run, and is not flagged.
    """
    flags = [NOT_FLAGGED] * len(values)
    sides = _sides(values, centre)
    for run in _runs_of_sides(sides, centre_breaks):
        if len(run) >= length:
            for i in run:
                flags[i] = sides[i]
    return tuple(flags)


def trend(
    values: Sequence[float],
    centre: Centre,
    lower: Limit,
    upper: Limit,
    *,
    length: int,
    ties_break: bool,
) -> Flags:
    """``length`` or more consecutive points each higher (or each lower) than the one before.

    With ``ties_break`` (Making Data Count) a value equal to the one before ends the trend; without
    it (IHI) the repeated value is skipped: it neither adds nor breaks, and is not flagged. A point
    that ends one trend and starts the opposite one keeps the direction of the first.
    """
    flags = [NOT_FLAGGED] * len(values)

    def close(run: list[int], direction: int) -> None:
        if direction != NOT_FLAGGED and len(run) >= length:
            for i in run:
                if flags[i] == NOT_FLAGGED:
                    flags[i] = direction

    if not values:
        return ()
    run, direction = [0], NOT_FLAGGED
    for i in range(1, len(values)):
        step = _side(values[i], values[run[-1]])
        if step == 0:
            if ties_break:
                close(run, direction)
                run, direction = [i], NOT_FLAGGED
            continue
        if direction in (NOT_FLAGGED, step):
            run.append(i)
        else:
            close(run, direction)
            run = [run[-1], i]
        direction = step
    close(run, direction)
    return tuple(flags)


def two_of_three(
    values: Sequence[float],
    centre: Centre,
    lower: Limit,
    upper: Limit,
    *,
    within_limits_same_side: bool,
) -> Flags:
    """Of 3 consecutive points, at least 2 beyond two sigma on the same side; those are flagged.

    IHI (``within_limits_same_side=False``): points beyond the limits count as beyond two sigma.
    Making Data Count (``True``): only points beyond two sigma but within the limits count, and all
    three points must be on the same side of the centre.
    """
    n = len(values)
    flags = [NOT_FLAGGED] * n
    limits = _limits(lower, upper, n)
    if limits is None:
        return tuple(flags)
    lows, ups = limits
    centres = _per_point(centre, n, "centre")
    sides = [_side(v, c) for v, c in zip(values, centres, strict=True)]
    near: list[int] = []
    for v, c, lo, up in zip(values, centres, lows, ups, strict=True):
        beyond = (
            HIGH
            if v > c + NEAR_LIMIT_FRACTION * (up - c)
            else LOW
            if v < c - NEAR_LIMIT_FRACTION * (c - lo)
            else NOT_FLAGGED
        )
        if within_limits_same_side and (v > up or v < lo):
            beyond = NOT_FLAGGED
        near.append(beyond)
    for start in range(n - TWO_OF_THREE_WINDOW + 1):
        window = range(start, start + TWO_OF_THREE_WINDOW)
        for direction in (HIGH, LOW):
            close = [i for i in window if near[i] == direction]
            if len(close) < TWO_OF_THREE_NEEDED:
                continue
            if within_limits_same_side and any(sides[i] != direction for i in window):
                continue
            for i in close:
                flags[i] = direction
    return tuple(flags)


def longest_run_limit(useful_points: int) -> int:
    """round(log2(n)) + 3, in exact integer arithmetic.

    round(log2(n)) = k exactly when 2^(2k-1) < n^2 < 2^(2k+1), and n^2 is never an odd power of
    two, so k = bit_length(n^2) // 2. log2(n) is never exactly x.5 for an integer n, so R's
    half-to-even rounding cannot make a difference.
    """
    if useful_points < 1:
        raise ValueError("the longest run limit needs at least one useful point")
    return (useful_points * useful_points).bit_length() // 2 + LONGEST_RUN_OFFSET


def crossings_limit(useful_points: int) -> int:
    """R's qbinom(0.05, n - 1, 0.5): the smallest x with P(X <= x) >= 1/20, computed exactly."""
    if useful_points < 1:
        raise ValueError("the crossings limit needs at least one useful point")
    trials = useful_points - 1
    cumulative = 0
    for x in range(trials + 1):
        cumulative += math.comb(trials, x)
        if cumulative * CROSSINGS_TAIL_DENOMINATOR >= CROSSINGS_TAIL_NUMERATOR * 2**trials:
            return x
    return trials


def runs_analysis(values: Sequence[float], centre: Centre) -> Runs:
    """Anhøj's runs analysis: useful points, longest run, crossings and their limits."""
    sides = _sides(values, centre)
    useful = sum(1 for s in sides if s != 0)
    if useful < MIN_USEFUL_POINTS:
        return Runs(useful, None, None, None, None, None)
    runs = _runs_of_sides(sides, centre_breaks=False)
    longest = max(len(run) for run in runs)
    crossings = len(runs) - 1
    run_limit, cross_limit = longest_run_limit(useful), crossings_limit(useful)
    signal = longest > run_limit or crossings < cross_limit
    return Runs(useful, longest, run_limit, crossings, cross_limit, signal)


def anhoej_shift(values: Sequence[float], centre: Centre, lower: Limit, upper: Limit) -> Flags:
    """Points of a run longer than round(log2(n)) + 3 (points on the centre skipped).

    Part of the runs analysis, so nothing is flagged with fewer than 10 useful points.
    """
    flags = [NOT_FLAGGED] * len(values)
    sides = _sides(values, centre)
    useful = sum(1 for s in sides if s != 0)
    if useful < MIN_USEFUL_POINTS:
        return tuple(flags)
    limit = longest_run_limit(useful)
    for run in _runs_of_sides(sides, centre_breaks=False):
        if len(run) > limit:
            for i in run:
                flags[i] = sides[i]
    return tuple(flags)
