"""Run charts and SPC: centre lines, limits, signals, point types and assurance.

Pure maths: no plotting, no I/O. Definitions follow SPC-REFERENCE.md (shared with the team); the
rules themselves live in ``spc_rules``.

Choices where the reference leaves room:

- XmR limits are mean +/- 2.66 x mean moving range under the ``mdc`` rules (NHS Making Data Count
  and its Excel and R tools), and mean +/- (3 / 1.128) x mean moving range (= 2.6596) under ``ihi``
  and ``anhoej`` (qicharts2). Laney's sigma_z is always mean moving range of z / 1.128.
- Run charts have a median and no limits. ``mdc`` on a run chart applies the Making Data Count
  shift and trend rules (7 points; centre points and ties break) to the median.
- Centre and limits of a phase come from its calculation points: the first ``baseline`` points of
  the phase, less any ``exclude`` index. Moving ranges are taken between consecutive calculation
  points (as qicharts2 does), so an excluded point is bridged. Every rule and the runs analysis use
  all points of the phase, excluded ones included.
- Limits are trial limits when fewer than 13 points went into them.
- Signals are found against the unclipped limits; ``Point.lower``/``upper`` are clipped (p and pp to
  [0, 100], c and u at 0) and so are the limits used for assurance.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from qi_report import spc_rules as rules
from qi_report.spc_rules import Centre, Flags, Limit
from qi_report.spc_rules import Runs as Runs  # re-exported: part of an Analysis

CHART_TYPES = ("run", "xmr", "p", "pp", "c", "u")
RULE_SETS = ("ihi", "anhoej", "mdc")
IMPROVEMENT = ("increase", "decrease", "neutral")
SIGNALS = ("outside_limits", "shift", "trend", "two_of_three")
SIGNAL_STRENGTH = ("outside_limits", "trend", "two_of_three", "shift")  # CLARIFICATIONS.md
COMMON_CAUSE = "common_cause"
IMPROVEMENT_TYPE = "special_cause_improvement"
CONCERN_TYPE = "special_cause_concern"
NEUTRAL_TYPE = "special_cause_neutral"
POINT_TYPES = (COMMON_CAUSE, IMPROVEMENT_TYPE, CONCERN_TYPE, NEUTRAL_TYPE)
ASSURANCES = ("pass", "fail", "hit_and_miss")

SIGMA_LIMIT = 3.0  # limits at three sigma
D2 = 1.128  # d2 for moving ranges of two points: sigma = mean moving range / d2
XMR_SCALE_MDC = 2.66  # Making Data Count's rounding of 3 / d2
XMR_SCALE_QICHARTS = SIGMA_LIMIT / D2
MR_SCREEN_FACTOR = 3.267  # Nelson: moving ranges >= 3.267 x their mean are dropped once
TRIAL_LIMIT_POINTS = 13  # limits from fewer points are trial limits
PERCENT = 100.0

_PROPORTIONS = ("p", "pp")
_COUNTS_AND_RATES = ("c", "u")
_TAKE_VALUES = ("run", "xmr", "c")


@dataclass(frozen=True)
class ChartSettings:
    chart: str = "run"
    rules: str = "ihi"
    improvement: str = "neutral"
    target: float | None = None  # in display units (percent for p/pp)
    phase_starts: tuple[int, ...] = ()  # indices of points that start a new phase (rebase)
    baseline: int | None = None  # first k points of each phase fix centre and limits
    screen_moving_ranges: bool = True
    exclude: tuple[int, ...] = ()  # plotted, rules applied, left out of centre and limits
    multiplier: float = 1.0  # u charts: rate per `multiplier` units of exposure


@dataclass(frozen=True)
class Point:
    value: float
    centre: float
    lower: float | None
    upper: float | None
    phase: int  # 1-based
    signals: tuple[str, ...]  # in SIGNALS order
    type: str
    trial: bool  # the limits of this point's phase are trial limits


@dataclass(frozen=True)
class Analysis:
    chart: str
    rules: str
    points: tuple[Point, ...]
    runs: Runs  # Anhøj quantities for the last phase, whatever the rule set
    variation: str  # the last point's type
    assurance: str | None  # "pass" | "fail" | "hit_and_miss" | None


@dataclass(frozen=True)
class _Series:
    """Values in display units; numerators and denominators as given (p, pp, u only)."""

    values: list[float]
    numerators: list[float]
    denominators: list[float]


@dataclass(frozen=True)
class _Lines:
    centre: float
    half_widths: list[float] | None  # centre to 3-sigma limit, per point of the phase


Rule = Callable[[Sequence[float], Centre, Limit, Limit], Flags]
LinesFn = Callable[[_Series, range, list[int], ChartSettings], _Lines]


def _mean(xs: Sequence[float]) -> float:
    try:
        return math.fsum(xs) / len(xs)
    except OverflowError:  # huge values: scale by a power of two above n (exact), then back
        scale = 2.0 ** len(xs).bit_length()
        return math.fsum(x / scale for x in xs) / len(xs) * scale


def _mean_moving_range(xs: Sequence[float], screen: bool) -> float | None:
    """Mean of |x_i - x_(i-1)|, optionally screened once (Nelson); None with fewer than 2 xs."""
    ranges = [abs(b - a) for a, b in itertools.pairwise(xs)]
    if not ranges:
        return None
    mean = _mean(ranges)
    kept = [r for r in ranges if r < MR_SCREEN_FACTOR * mean]
    # With every range equal to 0 (or overflowing to inf) nothing passes the screen: keep them.
    return _mean(kept) if screen and kept else mean


def _median(xs: Sequence[float]) -> float:
    ordered = sorted(xs)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ordered[middle - 1] / 2 + ordered[middle] / 2  # halves first: no overflow


def _run_lines(s: _Series, phase: range, calc: list[int], cfg: ChartSettings) -> _Lines:
    return _Lines(_median([s.values[i] for i in calc]), None)


def _xmr_lines(s: _Series, phase: range, calc: list[int], cfg: ChartSettings) -> _Lines:
    xs = [s.values[i] for i in calc]
    mean_mr = _mean_moving_range(xs, cfg.screen_moving_ranges)
    if mean_mr is None:
        return _Lines(_mean(xs), None)
    scale = XMR_SCALE_MDC if cfg.rules == "mdc" else XMR_SCALE_QICHARTS
    return _Lines(_mean(xs), [scale * mean_mr] * len(phase))


def _c_lines(s: _Series, phase: range, calc: list[int], cfg: ChartSettings) -> _Lines:
    centre = _mean([s.values[i] for i in calc])
    return _Lines(centre, [SIGMA_LIMIT * math.sqrt(centre)] * len(phase))


def _pooled(s: _Series, calc: list[int], scale: float) -> tuple[float, float]:
    """(pooled ratio, pooled ratio in display units).

    Display units are computed as scale x numerator / denominator, like each point's value, so
    that a point whose ratio equals the pooled ratio lies exactly on the centre line.
    """
    num = math.fsum(s.numerators[i] for i in calc)
    den = math.fsum(s.denominators[i] for i in calc)
    return num / den, scale * num / den


def _p_lines(s: _Series, phase: range, calc: list[int], cfg: ChartSettings) -> _Lines:
    pbar, centre = _pooled(s, calc, PERCENT)
    sigmas = [math.sqrt(pbar * (1 - pbar) / s.denominators[i]) for i in phase]
    return _Lines(centre, [PERCENT * SIGMA_LIMIT * sd for sd in sigmas])


def _pp_lines(s: _Series, phase: range, calc: list[int], cfg: ChartSettings) -> _Lines:
    """Laney p': p-chart sigmas times sigma_z, the moving-range sigma of the z-scores."""
    pbar, centre = _pooled(s, calc, PERCENT)
    if pbar * (1 - pbar) == 0:  # every calculation point is 0% or 100%: no spread at all
        return _Lines(centre, [0.0] * len(phase))
    sigma = {i: math.sqrt(pbar * (1 - pbar) / s.denominators[i]) for i in phase}
    z = [(s.numerators[i] / s.denominators[i] - pbar) / sigma[i] for i in calc]
    mean_mr = _mean_moving_range(z, cfg.screen_moving_ranges)
    if mean_mr is None:
        return _Lines(centre, None)
    sigma_z = mean_mr / D2
    return _Lines(centre, [PERCENT * SIGMA_LIMIT * sigma[i] * sigma_z for i in phase])


def _u_lines(s: _Series, phase: range, calc: list[int], cfg: ChartSettings) -> _Lines:
    ubar, centre = _pooled(s, calc, cfg.multiplier)
    half = [SIGMA_LIMIT * math.sqrt(ubar / s.denominators[i]) for i in phase]
    return _Lines(centre, [cfg.multiplier * h for h in half])


LINES: dict[str, LinesFn] = {
    "run": _run_lines,
    "xmr": _xmr_lines,
    "p": _p_lines,
    "pp": _pp_lines,
    "c": _c_lines,
    "u": _u_lines,
}

_MDC_RUN: tuple[tuple[str, Rule], ...] = (
    ("shift", partial(rules.shift, length=rules.MDC_SHIFT, centre_breaks=True)),
    ("trend", partial(rules.trend, length=rules.MDC_TREND, ties_break=True)),
)
RULES: dict[tuple[str, bool], tuple[tuple[str, Rule], ...]] = {
    ("ihi", False): (
        ("shift", partial(rules.shift, length=rules.IHI_RUN_SHIFT, centre_breaks=False)),
        ("trend", partial(rules.trend, length=rules.IHI_RUN_TREND, ties_break=False)),
    ),
    ("ihi", True): (
        ("outside_limits", rules.outside_limits),
        ("shift", partial(rules.shift, length=rules.IHI_CONTROL_SHIFT, centre_breaks=False)),
        ("trend", partial(rules.trend, length=rules.IHI_CONTROL_TREND, ties_break=False)),
        ("two_of_three", partial(rules.two_of_three, within_limits_same_side=False)),
    ),
    ("anhoej", False): (("shift", rules.anhoej_shift),),
    ("anhoej", True): (("outside_limits", rules.outside_limits), ("shift", rules.anhoej_shift)),
    ("mdc", False): _MDC_RUN,
    ("mdc", True): (
        ("outside_limits", rules.outside_limits),
        *_MDC_RUN,
        ("two_of_three", partial(rules.two_of_three, within_limits_same_side=True)),
    ),
}
"""Rules applied for each (rule set, chart has limits)."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _validate_options(cfg: ChartSettings) -> None:
    _require(cfg.chart in CHART_TYPES, f"chart must be one of {CHART_TYPES}, not {cfg.chart!r}")
    _require(cfg.rules in RULE_SETS, f"rules must be one of {RULE_SETS}, not {cfg.rules!r}")
    _require(
        cfg.improvement in IMPROVEMENT,
        f"improvement must be one of {IMPROVEMENT}, not {cfg.improvement!r}",
    )
    _require(cfg.target is None or math.isfinite(cfg.target), "target must be a finite number")
    _require(cfg.baseline is None or cfg.baseline >= 1, "baseline must be at least 1 point")
    _require(math.isfinite(cfg.multiplier) and cfg.multiplier > 0, "multiplier must be positive")
    _require(cfg.multiplier == 1.0 or cfg.chart == "u", "multiplier applies to u charts only")


def _validate_indices(cfg: ChartSettings, n: int) -> None:
    starts = cfg.phase_starts
    _require(
        all(0 < i < n for i in starts) and list(starts) == sorted(set(starts)),
        f"phase_starts must be increasing indices between 1 and {n - 1}, not {starts}",
    )
    _require(all(0 <= i < n for i in cfg.exclude), f"exclude indices must be in 0..{n - 1}")


def _series(
    cfg: ChartSettings,
    values: Sequence[float] | None,
    numerators: Sequence[float] | None,
    denominators: Sequence[float] | None,
) -> _Series:
    chart = cfg.chart
    if chart in _TAKE_VALUES:
        if values is None or numerators is not None or denominators is not None:
            raise ValueError(f"a {chart} chart takes values only")
        vals = [float(v) for v in values]
        _require(len(vals) > 0, "there are no values")
        _require(all(math.isfinite(v) for v in vals), "values must be finite")
        _require(chart != "c" or min(vals) >= 0, "counts for a c chart cannot be negative")
        return _Series(vals, [], [])
    if values is not None or numerators is None or denominators is None:
        raise ValueError(f"a {chart} chart takes numerators and denominators only")
    nums, dens = [float(x) for x in numerators], [float(x) for x in denominators]
    _require(len(nums) == len(dens), "numerators and denominators differ in length")
    _require(len(nums) > 0, "there are no values")
    _require(
        all(math.isfinite(x) for x in nums + dens), "numerators and denominators must be finite"
    )
    _require(all(d > 0 for d in dens), "denominators must be positive")
    _require(all(x >= 0 for x in nums), "numerators cannot be negative")
    if chart in _PROPORTIONS:
        _require(all(x <= d for x, d in zip(nums, dens, strict=True)), "numerator > denominator")
        return _Series([PERCENT * x / d for x, d in zip(nums, dens, strict=True)], nums, dens)
    rates = [cfg.multiplier * x / d for x, d in zip(nums, dens, strict=True)]
    return _Series(rates, nums, dens)


def _phases(n: int, starts: tuple[int, ...]) -> list[range]:
    bounds = [0, *starts, n]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


def point_type(directions: Mapping[str, int], improvement: str) -> str:
    """The type of a point from the direction (HIGH/LOW) of each signal it carries.

    The strongest signal decides (outside limits, trend, two of three, shift): HIGH is
    improvement where higher is better, concern where lower is better, neutral otherwise.
    """
    signals = {name: d for name, d in directions.items() if d}
    strongest = next((s for s in SIGNAL_STRENGTH if signals.get(s)), None)
    if strongest is None:
        return COMMON_CAUSE
    if improvement == "neutral":
        return NEUTRAL_TYPE
    wanted = rules.HIGH if improvement == "increase" else rules.LOW
    return IMPROVEMENT_TYPE if signals[strongest] == wanted else CONCERN_TYPE


def _clip(chart: str, lower: float, upper: float) -> tuple[float, float]:
    if chart in _PROPORTIONS:
        return max(lower, 0.0), min(upper, PERCENT)
    if chart in _COUNTS_AND_RATES:
        return max(lower, 0.0), upper
    return lower, upper


def _analyse_phase(series: _Series, phase: range, number: int, cfg: ChartSettings) -> list[Point]:
    end = phase.stop if cfg.baseline is None else min(phase.stop, phase.start + cfg.baseline)
    excluded = set(cfg.exclude)
    calc = [i for i in range(phase.start, end) if i not in excluded]
    _require(bool(calc), f"phase {number} has no points left to compute its centre and limits")
    lines = LINES[cfg.chart](series, phase, calc, cfg)
    values = [series.values[i] for i in phase]
    half = lines.half_widths
    lower = None if half is None else [lines.centre - h for h in half]
    upper = None if half is None else [lines.centre + h for h in half]
    flags = {
        name: rule(values, lines.centre, lower, upper)
        for name, rule in RULES[(cfg.rules, cfg.chart != "run")]
    }
    trial = cfg.chart != "run" and len(calc) < TRIAL_LIMIT_POINTS
    points: list[Point] = []
    for k, value in enumerate(values):
        fired = {name: f[k] for name, f in flags.items() if f[k]}
        lo, up = (None, None) if lower is None or upper is None else (lower[k], upper[k])
        if lo is not None and up is not None:
            lo, up = _clip(cfg.chart, lo, up)
        points.append(
            Point(
                value=value,
                centre=lines.centre,
                lower=lo,
                upper=up,
                phase=number,
                signals=tuple(s for s in SIGNALS if s in fired),
                type=point_type(fired, cfg.improvement),
                trial=trial,
            )
        )
    return points


def _assurance(cfg: ChartSettings, last: Point) -> str | None:
    """From the last point's limits (the last phase's; p, pp and u limits vary per point)."""
    if cfg.target is None or cfg.improvement == "neutral":
        return None
    if last.lower is None or last.upper is None:
        return None
    higher_is_better = cfg.improvement == "increase"
    if cfg.target > last.upper:
        return "fail" if higher_is_better else "pass"
    if cfg.target < last.lower:
        return "pass" if higher_is_better else "fail"
    return "hit_and_miss"


def analyse(
    settings: ChartSettings,
    values: Sequence[float] | None = None,
    numerators: Sequence[float] | None = None,
    denominators: Sequence[float] | None = None,
) -> Analysis:
    """Centre lines, limits, signals, point types, runs analysis and assurance of one series.

    run, xmr and c charts take ``values``; p and pp take ``numerators`` and ``denominators``
    (values, centre and limits in percent); u takes counts as ``numerators`` and exposure as
    ``denominators`` (rate per ``settings.multiplier`` units). Inputs hold no missing values.
    Raises ValueError for wrong shapes, invalid values or invalid settings.
    """
    _validate_options(settings)
    series = _series(settings, values, numerators, denominators)
    _validate_indices(settings, len(series.values))
    phases = _phases(len(series.values), settings.phase_starts)
    points = [
        point
        for number, phase in enumerate(phases, start=1)
        for point in _analyse_phase(series, phase, number, settings)
    ]
    last_phase = [p.value for p in points[phases[-1].start :]]
    runs = rules.runs_analysis(last_phase, points[-1].centre)
    return Analysis(
        chart=settings.chart,
        rules=settings.rules,
        points=tuple(points),
        runs=runs,
        variation=points[-1].type,
        assurance=_assurance(settings, points[-1]),
    )
