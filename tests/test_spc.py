"""SPC maths and rules against SPC-REFERENCE.md and values worked out by hand.

Expected numbers come from the reference's worked examples or from the arithmetic written in the
comment beside each test, never from this code's output.
"""

from __future__ import annotations

import math

import pytest

from qi_report import spc_rules as rules
from qi_report.spc import (
    XMR_SCALE_MDC,
    XMR_SCALE_QICHARTS,
    Analysis,
    ChartSettings,
    analyse,
    point_type,
)

H, L, N = rules.HIGH, rules.LOW, rules.NOT_FLAGGED

BLOOD_PRESSURE = [169, 172, 175, 174, 161, 142, 174, 171, 168, 174, 180, 194, 161]
BLOOD_PRESSURE += [181, 175, 176, 186, 166, 157, 183, 177, 171, 185, 176, 181, 174]
SCREENING = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def approx(x: float) -> object:
    return pytest.approx(x, abs=5e-5)  # the reference gives 4 decimals


def flagged(analysis: Analysis, signal: str) -> list[int]:
    return [i for i, p in enumerate(analysis.points) if signal in p.signals]


# --- Worked example 1: systolic blood pressure (Anhøj) -----------------------------------------


def test_example_1_run_chart_anhoej() -> None:
    # Median 174, 4 points on it, 22 useful, longest run 4, crossings 9, limits 7 and 7: no signal.
    a = analyse(ChartSettings(chart="run", rules="anhoej"), values=BLOOD_PRESSURE)
    assert {p.centre for p in a.points} == {174}
    assert sum(v == 174 for v in BLOOD_PRESSURE) == 4
    assert a.runs == rules.Runs(
        useful_points=22,
        longest_run=4,
        longest_run_limit=7,
        crossings=9,
        crossings_limit=7,
        signal=False,
    )
    assert all(p.signals == () and p.type == "common_cause" for p in a.points)
    assert all(p.lower is None and p.upper is None and not p.trial for p in a.points)


def test_example_1_run_chart_ihi_has_no_shift_and_no_trend() -> None:
    a = analyse(ChartSettings(chart="run", rules="ihi"), values=BLOOD_PRESSURE)
    assert all(p.signals == () for p in a.points)
    assert a.runs.useful_points == 22 and a.runs.signal is False


@pytest.mark.parametrize("rule_set", ["ihi", "anhoej"])
def test_example_1_xmr_qicharts2_limits(rule_set: str) -> None:
    # 3 / 1.128 x mean MR 11.0: centre 173.1923, limits 143.9370 / 202.4476; point 6 below.
    a = analyse(ChartSettings(chart="xmr", rules=rule_set), values=BLOOD_PRESSURE)
    for p in a.points:
        assert p.centre == approx(173.1923)
        assert p.lower == approx(143.9370)
        assert p.upper == approx(202.4476)
    assert (a.points[0].upper - a.points[0].centre) / XMR_SCALE_QICHARTS == approx(11.0)
    assert flagged(a, "outside_limits") == [5]
    assert a.points[5].value < a.points[5].lower


def test_example_1_xmr_mdc_limits() -> None:
    # 2.66 x mean MR 11.0: limits 143.9323 / 202.4523; point 6 (142) below the lower limit.
    a = analyse(ChartSettings(chart="xmr", rules="mdc"), values=BLOOD_PRESSURE)
    assert a.points[0].centre == approx(173.1923)
    assert a.points[0].lower == approx(143.9323)
    assert a.points[0].upper == approx(202.4523)
    assert flagged(a, "outside_limits") == [5]


def test_xmr_scales_are_the_published_constants() -> None:
    assert XMR_SCALE_MDC == 2.66
    assert pytest.approx(2.6596, abs=5e-5) == XMR_SCALE_QICHARTS


# --- Worked example 2: moving-range screening (NHSRplotthedots) ---------------------------------


def test_example_2_screened() -> None:
    # Mean 1.9444; screened mean MR 1.0; limits -0.7156 / 4.6044; point 5 improvement only.
    a = analyse(ChartSettings(chart="xmr", rules="mdc", improvement="increase"), values=SCREENING)
    assert a.points[0].centre == approx(1.9444)
    assert a.points[0].lower == approx(-0.7156)
    assert a.points[0].upper == approx(4.6044)
    assert a.points[4].type == "special_cause_improvement"
    assert a.points[4].signals == ("outside_limits",)
    others = a.points[:4] + a.points[5:]
    assert all(p.type == "common_cause" and p.signals == () for p in others)


def test_example_2_unscreened() -> None:
    # Mean MR 1.8824 unscreened: limits -3.0626 / 6.9515.
    settings = ChartSettings(chart="xmr", rules="mdc", screen_moving_ranges=False)
    a = analyse(settings, values=SCREENING)
    assert a.points[0].lower == approx(-3.0626)
    assert a.points[0].upper == approx(6.9515)
    assert (a.points[0].upper - a.points[0].centre) / 2.66 == approx(1.8824)


# --- Worked examples 3 and 4: rule units -------------------------------------------------------


def mdc_trend(values: list[float]) -> rules.Flags:
    return rules.trend(values, 0.0, None, None, length=rules.MDC_TREND, ties_break=True)


def test_example_3_mdc_trend() -> None:
    assert mdc_trend([1, 2, 3, 4, 5, 6, 7]) == (H,) * 7
    assert mdc_trend([1, 2, 3, 3, 4, 5, 6]) == (N,) * 7  # the tie breaks it
    assert mdc_trend([1, 2, 3, 4, 5, 6]) == (N,) * 6


def test_example_3_through_analyse() -> None:
    a = analyse(ChartSettings(chart="xmr", rules="mdc"), values=[1, 2, 3, 4, 5, 6, 7])
    assert flagged(a, "trend") == list(range(7))


def test_example_4_centre_point_skipped_by_ihi_breaks_mdc() -> None:
    values = [1, 1, 1, 5, 1, 1, 1, 9, 9, 9]
    ihi = rules.shift(values, 5, None, None, length=rules.IHI_RUN_SHIFT, centre_breaks=False)
    assert ihi == (L, L, L, N, L, L, L, N, N, N)
    mdc = rules.shift(values, 5, None, None, length=rules.MDC_SHIFT, centre_breaks=True)
    assert mdc == (N,) * 10


def test_example_4_ihi_run_trend_skips_the_tie() -> None:
    values = [1, 2, 3, 3, 4, 5]
    flags = rules.trend(values, 5, None, None, length=rules.IHI_RUN_TREND, ties_break=False)
    assert flags == (H, H, H, N, H, H)  # five counted points; the repeated 3 is not flagged


# --- Rule functions with hand-made vectors -----------------------------------------------------


def test_outside_limits_strict_both_directions() -> None:
    values = [0.0, 11.0, 11.5, -1.0, -1.5, 5.0]
    assert rules.outside_limits(values, 5, -1, 11) == (N, N, H, N, L, N)
    assert rules.outside_limits(values, 5, None, None) == (N,) * 6


def test_outside_limits_per_point_limits() -> None:
    assert rules.outside_limits([3, 3], 2, [0, 0], [4, 2.5]) == (N, H)


def test_shift_below_and_above_and_length() -> None:
    assert rules.shift([-1] * 7, 0, None, None, length=7, centre_breaks=True) == (L,) * 7
    assert rules.shift([1] * 6, 0, None, None, length=7, centre_breaks=True) == (N,) * 6
    values = [1, 1, 1, 0, 1, 1, 1]  # 6 above with one on the centre
    skip = rules.shift(values, 0, None, None, length=6, centre_breaks=False)
    assert skip == (H, H, H, N, H, H, H)
    assert rules.shift(values, 0, None, None, length=7, centre_breaks=False) == (N,) * 7


def test_shift_switching_sides_restarts_the_run() -> None:
    values = [1, 1, 1, -1, 1, 1, 1, 1, 1, 1]
    flags = rules.shift(values, 0, None, None, length=6, centre_breaks=False)
    assert flags == (N, N, N, N, H, H, H, H, H, H)


def test_shift_per_point_centre() -> None:
    flags = rules.shift([5, 5, 5], [4, 6, 4], None, None, length=2, centre_breaks=True)
    assert flags == (N, N, N)


def test_trend_down_with_tie_skipped_and_pivot() -> None:
    down = rules.trend([5, 4, 3, 3, 2, 1], 0, None, None, length=5, ties_break=False)
    assert down == (L, L, L, N, L, L)
    tie_first = rules.trend([3, 3, 4, 5, 6, 7], 0, None, None, length=5, ties_break=False)
    assert tie_first == (H, N, H, H, H, H)
    # Up 1..7 then down 7..1: the peak ends the first trend and keeps its direction.
    peak = mdc_trend([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1])
    assert peak == (H,) * 7 + (L,) * 6


def test_trend_handles_empty_and_single() -> None:
    assert mdc_trend([]) == ()
    assert mdc_trend([4]) == (N,)


def two3(values: list[float], mdc: bool, lower: float = -3, upper: float = 3) -> rules.Flags:
    # centre 0 and limits at +/-3: two sigma is +/-2
    return rules.two_of_three(values, 0, lower, upper, within_limits_same_side=mdc)


def test_two_of_three_ihi_and_mdc() -> None:
    assert two3([2.5, 0, 2.5], mdc=False) == (H, N, H)
    assert two3([2.5, 0, 2.5], mdc=True) == (N, N, N)  # the middle point is on the centre
    assert two3([2.5, 0.5, 2.5], mdc=True) == (H, N, H)
    assert two3([2.5, -0.5, 2.5], mdc=True) == (N, N, N)  # not all on one side
    assert two3([-2.5, -2.1, -0.1], mdc=True) == (L, L, N)
    assert two3([2, 2, 2], mdc=False) == (N, N, N)  # exactly two sigma is not beyond
    assert two3([2.5, 2.5], mdc=False) == (N, N)  # no window of three


def test_two_of_three_points_outside_the_limits() -> None:
    assert two3([3.5, 2.5, -1], mdc=False) == (H, H, N)  # IHI: beyond 2 sigma includes beyond 3
    assert two3([3.5, 2.5, 1], mdc=True) == (N, N, N)  # MDC: only close points within limits


def test_two_of_three_asymmetric_limits() -> None:
    # lower -6: two sigma low at -4; upper 3: two sigma high at 2
    assert two3([-3.9, -4.1, -4.5], mdc=True, lower=-6) == (N, L, L)
    assert two3([2.1, 2.2, 0.1], mdc=True, lower=-6) == (H, H, N)


def test_anhoej_shift() -> None:
    # 12 useful points: limit round(log2 12) + 3 = round(3.585) + 3 = 7
    assert rules.anhoej_shift([1] * 8 + [-1, 1, -1, 1], 0, None, None) == (H,) * 8 + (N,) * 4
    at_limit = [1] * 7 + [-1, 1, -1, 1, -1]
    assert rules.anhoej_shift(at_limit, 0, None, None) == (N,) * 12
    centre_inside = [1, 1, 1, 1, 0, 1, 1, 1, 1, -1, 1, -1, 1]
    expected = (H, H, H, H, N, H, H, H, H, N, N, N, N)
    assert rules.anhoej_shift(centre_inside, 0, None, None) == expected
    assert rules.anhoej_shift([-1] * 9, 0, None, None) == (N,) * 9  # 9 useful: not analysed


@pytest.mark.parametrize(
    ("n", "limit"),
    [(1, 3), (2, 4), (3, 5), (10, 6), (11, 6), (12, 7), (22, 7), (23, 8), (100, 10)],
)
def test_longest_run_limit(n: int, limit: int) -> None:
    # round(log2 n) + 3 by hand: log2 10 = 3.32, log2 12 = 3.58, log2 22 = 4.46, log2 23 = 4.52,
    # log2 100 = 6.64
    assert rules.longest_run_limit(n) == limit


def test_longest_run_limit_matches_the_float_formula() -> None:
    assert all(rules.longest_run_limit(n) == round(math.log2(n)) + 3 for n in range(1, 5000))


@pytest.mark.parametrize(("n", "limit"), [(10, 2), (11, 2), (12, 3), (22, 7)])
def test_crossings_limit(n: int, limit: int) -> None:
    # Binomial(n - 1, 1/2): n = 10: P(X<=1) = 10/512 < .05, P(X<=2) = 46/512 >= .05 -> 2.
    # n = 11: P(X<=2) = 56/1024 = .0547 -> 2. n = 12: P(X<=2) = 67/2048 = .033,
    # P(X<=3) = 232/2048 -> 3. n = 22 (reference example 1): 7.
    assert rules.crossings_limit(n) == limit


def test_runs_analysis_not_analysed_under_10_useful_points() -> None:
    runs = rules.runs_analysis([1, 2, 3, 4, 5, 6, 7, 8, 9, 5], 5)
    assert runs == rules.Runs(8, None, None, None, None, None)
    a = analyse(ChartSettings(chart="run"), values=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert a.runs == rules.Runs(8, None, None, None, None, None)  # the median 5 is not useful


def test_runs_analysis_crossings_signal() -> None:
    # 12 useful points in two runs of 6: 1 crossing < 3 -> signal; longest 6 <= 7.
    runs = rules.runs_analysis([1] * 6 + [-1] * 6, 0)
    assert runs == rules.Runs(12, 6, 7, 1, 3, True)


# --- Charts by hand ----------------------------------------------------------------------------


def test_p_chart_by_hand() -> None:
    # pbar = (10 + 20 + 15 + 25) / (100 + 100 + 50 + 250) = 70 / 500 = 14%.
    # 3 sigma = 300 * sqrt(0.14 * 0.86 / n): n = 100 -> 10.4096; n = 50 -> 14.7214;
    # n = 250 -> 6.5836. Limits 3.5904 / 24.4096, 0 (from -0.7214) / 28.7214, 7.4164 / 20.5836.
    a = analyse(
        ChartSettings(chart="p", improvement="increase"),
        numerators=[10, 20, 15, 25],
        denominators=[100, 100, 50, 250],
    )
    assert [p.value for p in a.points] == [10.0, 20.0, 30.0, 10.0]
    assert all(p.centre == approx(14.0) for p in a.points)
    assert [p.lower for p in a.points] == [approx(3.5904), approx(3.5904), 0.0, approx(7.4164)]
    assert [p.upper for p in a.points] == [
        approx(24.4096),
        approx(24.4096),
        approx(28.7214),
        approx(20.5836),
    ]
    assert flagged(a, "outside_limits") == [2]  # 30% > 28.7214%
    assert a.points[2].type == "special_cause_improvement"


def test_p_chart_point_at_pbar_is_on_the_centre_line() -> None:
    # 14/100 = 56/400 = 70/500 = 14%: both points on the centre, so neither is useful.
    a = analyse(ChartSettings(chart="p"), numerators=[14, 56], denominators=[100, 400])
    assert all(p.value == p.centre for p in a.points)
    assert a.runs.useful_points == 0


def test_p_chart_upper_limit_clipped_at_100() -> None:
    # pbar = 19/20 = 95%; n = 10: 3 sigma = 300 * sqrt(.95 * .05 / 10) = 20.676 -> upper 100
    a = analyse(ChartSettings(chart="p"), numerators=[10, 9], denominators=[10, 10])
    assert a.points[0].upper == 100.0
    assert a.points[0].lower == approx(95 - 300 * math.sqrt(0.95 * 0.05 / 10))


def test_pp_chart_laney_by_hand() -> None:
    # pbar = 100 / 600 = 1/6; p = .10, .15, .20, .20; n = 100, 200, 100, 200.
    # sigma_i = sqrt((5/36) / n): .0372678 (n 100), .0263523 (n 200).
    # z = -1.788854, -0.632456, 0.894427, 1.264911; moving ranges 1.156399, 1.526883, 0.370484,
    # mean 1.017922 (none >= 3.267 x mean); sigma_z = 1.017922 / 1.128 = 0.902413.
    # 3 sigma_i sigma_z in percent: 10.0893 (n 100), 7.1342 (n 200) around 16.6667.
    a = analyse(
        ChartSettings(chart="pp"), numerators=[10, 30, 20, 40], denominators=[100, 200, 100, 200]
    )
    assert a.points[0].centre == approx(16.6667)
    assert a.points[0].lower == approx(6.5774)
    assert a.points[0].upper == approx(26.7560)
    assert a.points[1].lower == approx(9.5325)
    assert a.points[1].upper == approx(23.8009)


def test_c_chart_by_hand() -> None:
    # mean 12, 3 sqrt(12) = 10.3923: limits 1.6077 / 22.3923
    a = analyse(ChartSettings(chart="c"), values=[9, 16, 11, 12])
    assert a.points[0].centre == 12
    assert a.points[0].lower == approx(1.6077)
    assert a.points[0].upper == approx(22.3923)
    # mean 4, 3 sqrt(4) = 6: limits -2 -> 0 and 10
    b = analyse(ChartSettings(chart="c"), values=[2, 4, 3, 7])
    assert (b.points[0].lower, b.points[0].upper) == (0.0, 10.0)


def test_u_chart_with_multiplier_by_hand() -> None:
    # u = 160 / 5000 = .032 -> 32 per 1000. Values 30, 25, 40, 40 per 1000.
    # 3 sqrt(.032 / n) x 1000: n 1000 -> 16.9706; 2000 -> 12; 500 -> 24; 1500 -> 13.8564.
    a = analyse(
        ChartSettings(chart="u", multiplier=1000),
        numerators=[30, 50, 20, 60],
        denominators=[1000, 2000, 500, 1500],
    )
    assert [p.value for p in a.points] == [approx(30), approx(25), approx(40), approx(40)]
    assert all(p.centre == approx(32) for p in a.points)
    assert [p.lower for p in a.points] == [approx(15.0294), approx(20), approx(8), approx(18.1436)]
    assert [p.upper for p in a.points] == [approx(48.9706), approx(44), approx(56), approx(45.8564)]


def test_u_chart_lower_limit_clipped_at_zero() -> None:
    # u = 4 / 400 = .01 -> 1 per 100; 3 sqrt(.01 / 100) x 100 = 3: limits -2 -> 0 and 4
    a = analyse(
        ChartSettings(chart="u", multiplier=100),
        numerators=[1, 0, 1, 2],
        denominators=[100, 100, 100, 100],
    )
    assert a.points[0].centre == approx(1)
    assert (a.points[0].lower, a.points[0].upper) == (0.0, approx(4))


# --- Phases, baseline, exclude, trial ----------------------------------------------------------


def test_phases_have_their_own_centre_and_limits() -> None:
    # Phase 1: mean 1.4, moving ranges 1,1,1,1 -> 1; phase 2: mean 11.4, same ranges. The jump
    # from 1 to 11 across the phases is not a moving range. IHI: limits +/- 3/1.128 = 2.6596.
    values = [1, 2, 1, 2, 1, 11, 12, 11, 12, 11]
    a = analyse(ChartSettings(chart="xmr", phase_starts=(5,)), values=values)
    assert [p.phase for p in a.points] == [1] * 5 + [2] * 5
    assert all(p.centre == approx(1.4) and p.upper == approx(4.0596) for p in a.points[:5])
    assert all(p.centre == approx(11.4) and p.lower == approx(8.7404) for p in a.points[5:])
    assert all(p.signals == () for p in a.points)


def test_rules_do_not_run_across_phases() -> None:
    # 1..6 rising is an IHI run-chart trend (5 or more); split 3 + 3 by a phase, it is not.
    whole = analyse(ChartSettings(chart="run", rules="ihi"), values=[1, 2, 3, 4, 5, 6])
    assert flagged(whole, "trend") == [0, 1, 2, 3, 4, 5]
    split = analyse(ChartSettings(chart="run", phase_starts=(3,)), values=[1, 2, 3, 4, 5, 6])
    assert [p.centre for p in split.points] == [2, 2, 2, 5, 5, 5]  # medians of each phase
    assert all(p.signals == () for p in split.points)


def test_baseline_freezes_centre_and_limits() -> None:
    # First 6 points: mean 1.5, moving ranges all 1 -> MDC limits 1.5 +/- 2.66 = -1.16 / 4.16.
    values = [1, 2, 1, 2, 1, 2, 10, 10, 10, 10]
    a = analyse(ChartSettings(chart="xmr", rules="mdc", baseline=6), values=values)
    assert all(p.centre == approx(1.5) for p in a.points)
    assert all(p.lower == approx(-1.16) and p.upper == approx(4.16) for p in a.points)
    assert flagged(a, "outside_limits") == [6, 7, 8, 9]
    assert all(p.trial for p in a.points)  # 6 points went into the limits


def test_exclude_keeps_the_point_but_not_in_the_limits() -> None:
    # Without point 5: 1, 2, 1, 2, 4 -> mean 2; moving ranges 1, 1, 1, 2 (2 -> 4 bridges the
    # excluded point) -> mean 1.25; MDC limits 2 +/- 3.325.
    values = [1, 2, 1, 2, 100, 4]
    a = analyse(ChartSettings(chart="xmr", rules="mdc", exclude=(4,)), values=values)
    assert a.points[0].centre == approx(2)
    assert a.points[0].upper == approx(5.325)
    assert a.points[4].value == 100 and a.points[4].signals == ("outside_limits",)


def test_exclude_on_a_run_chart() -> None:
    a = analyse(ChartSettings(chart="run", exclude=(0,)), values=[100, 1, 2, 3])
    assert a.points[0].centre == 2


def test_trial_limits_under_13_points() -> None:
    twelve = analyse(ChartSettings(chart="xmr"), values=list(range(12)))
    assert all(p.trial for p in twelve.points)
    thirteen = analyse(ChartSettings(chart="xmr"), values=list(range(13)))
    assert not any(p.trial for p in thirteen.points)
    phased = analyse(ChartSettings(chart="xmr", phase_starts=(13,)), values=list(range(20)))
    assert [p.trial for p in phased.points] == [False] * 13 + [True] * 7
    assert not any(p.trial for p in analyse(ChartSettings(), values=[1, 2]).points)


def test_runs_reported_for_the_last_phase() -> None:
    values = [1.0] * 12 + [float(v) for v in (1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3)]
    a = analyse(ChartSettings(chart="run", rules="mdc", phase_starts=(12,)), values=values)
    # last phase: median 2, all 12 useful, 12 runs of 1 -> 11 crossings, longest 1
    assert a.runs == rules.Runs(12, 1, 7, 11, 3, False)


# --- Point types and assurance -----------------------------------------------------------------


def test_point_type_precedence() -> None:
    both = {"shift": L, "trend": H}  # trend beats shift
    assert point_type(both, "increase") == "special_cause_improvement"
    assert point_type(both, "decrease") == "special_cause_concern"
    assert point_type(both, "neutral") == "special_cause_neutral"
    outside = {"outside_limits": H, "trend": L, "two_of_three": L}  # outside limits beats all
    assert point_type(outside, "increase") == "special_cause_improvement"
    assert point_type({"two_of_three": L, "shift": H}, "increase") == "special_cause_concern"
    assert point_type({}, "increase") == "common_cause"


def test_point_type_precedence_through_analyse() -> None:
    # Median of 1..7 and eight 20s is 20: 1..7 are 7 below it (MDC shift, low) and, with the
    # first 20, 8 rising points (MDC trend, high; the next 20 is a tie and ends it). The trend
    # decides the type.
    values = [1, 2, 3, 4, 5, 6, 7] + [20] * 8
    a = analyse(ChartSettings(chart="run", rules="mdc", improvement="increase"), values=values)
    assert [p.signals for p in a.points[:8]] == [("shift", "trend")] * 7 + [("trend",)]
    assert all(p.type == "special_cause_improvement" for p in a.points[:8])
    assert all(p.type == "common_cause" for p in a.points[8:])
    d = analyse(ChartSettings(chart="run", rules="mdc", improvement="decrease"), values=values)
    assert d.points[0].type == "special_cause_concern"
    assert d.variation == "common_cause"


# Example 2 screened limits: -0.7156 / 4.6044.
@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("increase", 5.0, "fail"),
        ("increase", -1.0, "pass"),
        ("increase", 2.0, "hit_and_miss"),
        ("decrease", 5.0, "pass"),
        ("decrease", -1.0, "fail"),
        ("decrease", 2.0, "hit_and_miss"),
        ("neutral", 5.0, None),
        ("increase", None, None),
    ],
)
def test_assurance(improvement: str, target: float | None, expected: str | None) -> None:
    settings = ChartSettings(chart="xmr", rules="mdc", improvement=improvement, target=target)
    assert analyse(settings, values=SCREENING).assurance == expected


def test_assurance_needs_limits_and_a_strictly_outside_target() -> None:
    run = ChartSettings(chart="run", improvement="increase", target=100)
    assert analyse(run, values=SCREENING).assurance is None
    # c chart of 4s: limits 4 +/- 6 = 0 (clipped) / 10; a target of exactly 10 is not above.
    on_limit = ChartSettings(chart="c", improvement="increase", target=10)
    assert analyse(on_limit, values=[4, 4, 4, 4]).assurance == "hit_and_miss"


def test_assurance_uses_the_last_points_limits() -> None:
    # From the p chart above: last point limits 7.4164 / 20.5836, first 3.5904 / 24.4096.
    settings = ChartSettings(chart="p", improvement="increase", target=22)
    a = analyse(settings, numerators=[10, 20, 15, 25], denominators=[100, 100, 50, 250])
    assert a.assurance == "fail"


# --- Invalid calls -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "kwargs"),
    [
        (ChartSettings(chart="bar"), {"values": [1]}),
        (ChartSettings(rules="nelson"), {"values": [1]}),
        (ChartSettings(improvement="up"), {"values": [1]}),
        (ChartSettings(), {"values": []}),
        (ChartSettings(), {"numerators": [1], "denominators": [2]}),
        (ChartSettings(chart="p"), {"values": [1]}),
        (ChartSettings(chart="p"), {"numerators": [3], "denominators": [2]}),
        (ChartSettings(chart="p"), {"numerators": [1, 2], "denominators": [2]}),
        (ChartSettings(chart="u"), {"numerators": [1], "denominators": [0]}),
        (ChartSettings(chart="c"), {"values": [-1]}),
        (ChartSettings(chart="xmr"), {"values": [1, math.nan]}),
        (ChartSettings(phase_starts=(0,)), {"values": [1, 2]}),
        (ChartSettings(phase_starts=(2, 1)), {"values": [1, 2, 3]}),
        (ChartSettings(exclude=(5,)), {"values": [1, 2]}),
        (ChartSettings(exclude=(0, 1)), {"values": [1, 2]}),
        (ChartSettings(baseline=0), {"values": [1, 2]}),
        (ChartSettings(chart="p", multiplier=10), {"numerators": [1], "denominators": [2]}),
    ],
)
def test_invalid_calls_raise_value_error(
    settings: ChartSettings, kwargs: dict[str, list[float]]
) -> None:
    with pytest.raises(ValueError):
        analyse(settings, **kwargs)
