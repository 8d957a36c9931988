"""Properties of the SPC maths that must hold for any input of the right shape."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qi_report import spc_rules as rules
from qi_report.spc import CHART_TYPES, IMPROVEMENT, RULE_SETS, ChartSettings, analyse
from qi_report.spc_summary import summarise

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(allow_nan=False, allow_infinity=False)
values_1_60 = st.lists(finite, min_size=1, max_size=60)


@st.composite
def proportions(draw: st.DrawFn, min_size: int = 1) -> tuple[list[int], list[int]]:
    dens = draw(st.lists(st.integers(1, 5000), min_size=min_size, max_size=60))
    nums = [draw(st.integers(0, d)) for d in dens]
    return nums, dens


@st.composite
def any_chart(draw: st.DrawFn) -> tuple[ChartSettings, dict[str, list[float]]]:
    """Any chart, rule set and settings, with data of the right shape for the chart."""
    chart = draw(st.sampled_from(CHART_TYPES))
    if chart in ("run", "xmr"):
        data: dict[str, list[float]] | dict[str, list[int]] = {"values": draw(values_1_60)}
    elif chart == "c":
        nonnegative = st.floats(0, 1e300, allow_nan=False)
        data = {"values": draw(st.lists(nonnegative, min_size=1, max_size=60))}
    elif chart == "u":
        exposure = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=60))
        counts = [draw(st.integers(0, 10**4)) for _ in exposure]
        data = {"numerators": counts, "denominators": exposure}
    else:
        nums, dens = draw(proportions())
        data = {"numerators": nums, "denominators": dens}
    n = len(next(iter(data.values())))
    starts = tuple(sorted(draw(st.sets(st.integers(1, max(1, n - 1)), max_size=3)) - {n}))
    baseline = draw(st.none() | st.integers(1, n + 2))
    exclude = tuple(draw(st.sets(st.integers(0, n - 1), max_size=3)))
    bounds = [0, *starts, n]
    for a, b in itertools.pairwise(bounds):
        end = b if baseline is None else min(b, a + baseline)
        assume(any(i not in exclude for i in range(a, end)))
    settings_ = ChartSettings(
        chart=chart,
        rules=draw(st.sampled_from(RULE_SETS)),
        improvement=draw(st.sampled_from(IMPROVEMENT)),
        target=draw(st.none() | st.floats(-1e6, 1e6)),
        phase_starts=starts,
        baseline=baseline,
        screen_moving_ranges=draw(st.booleans()),
        exclude=exclude,
        multiplier=draw(st.sampled_from([1.0, 1000.0])) if chart == "u" else 1.0,
    )
    return settings_, data


@FAST
@given(any_chart())
def test_analyse_and_summarise_never_raise(
    case: tuple[ChartSettings, dict[str, list[float]]],
) -> None:
    chart_settings, data = case
    analysis = analyse(chart_settings, **data)  # type: ignore[arg-type]
    assert len(analysis.points) == len(next(iter(data.values())))
    periods = [f"period {i}" for i in range(len(analysis.points))]
    assert summarise(analysis, periods, unit="%")


@FAST
@given(
    st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=60),
    st.sampled_from(RULE_SETS),
    st.booleans(),
)
def test_xmr_limits_symmetric_about_the_centre(
    values: list[float], rule_set: str, screen: bool
) -> None:
    a = analyse(
        ChartSettings(chart="xmr", rules=rule_set, screen_moving_ranges=screen), values=values
    )
    for p in a.points:
        if p.lower is not None and p.upper is not None:
            assert p.upper - p.centre == pytest.approx(p.centre - p.lower, rel=1e-9, abs=1e-6)
            assert p.lower <= p.centre <= p.upper


@FAST
@given(proportions(), st.sampled_from(["p", "pp"]))
def test_p_limits_within_0_100_and_symmetric_where_unclipped(
    data: tuple[list[int], list[int]], chart: str
) -> None:
    nums, dens = data
    a = analyse(ChartSettings(chart=chart), numerators=nums, denominators=dens)
    for p in a.points:
        assert 0 <= p.value <= 100
        if p.lower is None or p.upper is None:
            continue
        assert 0 <= p.lower <= p.centre <= p.upper <= 100
        if p.lower > 0 and p.upper < 100:
            assert p.upper - p.centre == pytest.approx(p.centre - p.lower, abs=1e-9)


def _near_a_boundary(values: list[float], lower: float, centre: float, upper: float) -> bool:
    lines = [lower, upper]
    lines += [centre + rules.NEAR_LIMIT_FRACTION * (x - centre) for x in (lower, upper)]
    return any(abs(v - line) < 1e-6 for v in values for line in lines)


@FAST
@given(
    st.lists(st.integers(-1000, 1000), min_size=1, max_size=60),
    st.integers(-(10**6), 10**6),
    st.sampled_from(RULE_SETS),
)
def test_xmr_shift_invariance(values: list[int], k: int, rule_set: str) -> None:
    settings_ = ChartSettings(chart="xmr", rules=rule_set)
    a = analyse(settings_, values=[float(v) for v in values])
    b = analyse(settings_, values=[float(v + k) for v in values])
    for p, q in zip(a.points, b.points, strict=True):
        assert q.centre == pytest.approx(p.centre + k, abs=1e-6)
        if p.lower is None or p.upper is None:
            assert q.lower is None and q.upper is None
            continue
        # A value exactly on a limit or two-sigma line may land either side after rounding.
        assume(not _near_a_boundary([float(v) for v in values], p.lower, p.centre, p.upper))
        assert q.lower == pytest.approx(p.lower + k, abs=1e-6)
        assert q.upper == pytest.approx(p.upper + k, abs=1e-6)
    assert [p.signals for p in a.points] == [q.signals for q in b.points]
    assert a.runs == b.runs


@FAST
@given(values_1_60, finite, st.none() | st.tuples(finite, finite), st.integers(1, 10))
def test_rule_functions_never_raise(
    values: list[float], centre: float, limits: tuple[float, float] | None, length: int
) -> None:
    lower, upper = (None, None) if limits is None else (min(limits), max(limits))
    n = len(values)
    for flags in (
        rules.outside_limits(values, centre, lower, upper),
        rules.shift(values, centre, lower, upper, length=length, centre_breaks=True),
        rules.shift(values, centre, lower, upper, length=length, centre_breaks=False),
        rules.trend(values, centre, lower, upper, length=length, ties_break=True),
        rules.trend(values, centre, lower, upper, length=length, ties_break=False),
        rules.two_of_three(values, centre, lower, upper, within_limits_same_side=True),
        rules.two_of_three(values, centre, lower, upper, within_limits_same_side=False),
        rules.anhoej_shift(values, centre, lower, upper),
    ):
        assert len(flags) == n
        assert set(flags) <= {rules.HIGH, rules.LOW, rules.NOT_FLAGGED}
    runs = rules.runs_analysis(values, centre)
    assert runs.useful_points <= n


@FAST
@given(st.lists(st.tuples(finite, finite, finite), min_size=1, max_size=60))
def test_rule_functions_never_raise_with_per_point_lines(
    rows: list[tuple[float, float, float]],
) -> None:
    values = [r[0] for r in rows]
    lower = [min(r[1], r[2]) for r in rows]
    upper = [max(r[1], r[2]) for r in rows]
    centre = [lo / 2 + up / 2 for lo, up in zip(lower, upper, strict=True)]
    assert len(rules.outside_limits(values, centre, lower, upper)) == len(values)
    assert len(
        rules.two_of_three(values, centre, lower, upper, within_limits_same_side=True)
    ) == len(values)
    assert len(rules.shift(values, centre, lower, upper, length=7, centre_breaks=True)) == len(
        values
    )
    assert math.isfinite(rules.runs_analysis(values, centre).useful_points)
