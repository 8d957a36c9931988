"""The plain-English SPC summary: what a screen-reader user is told about each chart."""

from __future__ import annotations

import pytest

from qi_report.spc import Analysis, ChartSettings, Point, Runs, analyse
from qi_report.spc_summary import summarise

MONTHS = "January February March April May June July August September October November December"


def months(first_month: int, first_year: int, count: int) -> list[str]:
    """['April 2018', 'May 2018', ...] starting from the given month (1-12) and year."""
    names = MONTHS.split()
    labels = []
    for k in range(count):
        m = first_month - 1 + k
        labels.append(f"{names[m % 12]} {first_year + m // 12}")
    return labels


RUNS_OK = Runs(20, 8, 7, 5, 6, True)


def chart(
    values: list[float],
    signals: dict[int, tuple[str, ...]],
    *,
    rules: str = "mdc",
    kind: str = "xmr",
    centre: float = 10.0,
    type_: str = "special_cause_neutral",
    runs: Runs = RUNS_OK,
) -> Analysis:
    """A hand-made analysis: one phase, limits 7 / 13, the given points flagged."""
    points = tuple(
        Point(
            value=v,
            centre=centre,
            lower=None if kind == "run" else 7.0,
            upper=None if kind == "run" else 13.0,
            phase=1,
            signals=signals.get(i, ()),
            type=type_ if i in signals else "common_cause",
            trial=False,
        )
        for i, v in enumerate(values)
    )
    return Analysis(kind, rules, points, runs, points[-1].type, None)


SHIFT_SINCE_APRIL_2019 = chart([11, 9] * 6 + [9.5] * 8, {i: ("shift",) for i in range(12, 20)})


def test_the_issue_example_word_for_word() -> None:
    # 20 months from April 2018; the last 8 (April to November 2019) are below the average.
    text = summarise(SHIFT_SINCE_APRIL_2019, months(4, 2018, 20), unit="%")
    assert text == (
        "8 months in a row below the average since April 2019: a shift, a signal of real change "
        "(Making Data Count rules). Latest 9.5% in November 2019, average 10.0%."
    )


def test_direction_of_improvement_is_named() -> None:
    a = chart(
        [11, 9] * 6 + [9.5] * 8,
        {i: ("shift",) for i in range(12, 20)},
        type_="special_cause_improvement",
    )
    text = summarise(a, months(4, 2018, 20), unit="%")
    assert "a shift, a signal of real change, an improvement (Making Data Count rules)." in text
    concern = chart([11, 9, 14], {2: ("outside_limits",)}, type_="special_cause_concern")
    text = summarise(concern, months(1, 2020, 3), unit="%")
    assert text.startswith(
        "March 2020 was above the upper limit: a point outside the limits, a signal of real "
        "change, a concern (Making Data Count rules)."
    )


def test_a_past_signal_gives_its_start_and_end() -> None:
    # 7 weeks below from week 2 to week 8, then back to normal.
    a = chart([11, 9] + [9.5] * 7 + [11, 9], {i: ("shift",) for i in range(2, 9)})
    periods = [f"week {i}" for i in range(1, 12)]
    text = summarise(a, periods, unit="", period_noun="week")
    assert text.startswith("7 weeks in a row below the average from week 3 to week 9: a shift")


def test_a_centre_point_ends_an_mdc_shift_but_not_an_ihi_one() -> None:
    # 7 below, 1 on the average, 7 below: under MDC the latest shift is the last 7 only.
    values = [9.0] * 7 + [10.0] + [9.0] * 7
    flags = {i: ("shift",) for i in range(15) if i != 7}
    periods = months(1, 2019, 15)
    assert summarise(chart(values, flags), periods, unit="").startswith(
        "7 months in a row below the average since September 2019: a shift"
    )
    ihi = summarise(chart(values, flags, rules="ihi"), periods, unit="")
    assert ihi.startswith("14 months in a row below the average since January 2019: a shift")


def test_trend_with_a_skipped_tie() -> None:
    # IHI run chart: 1, 2, 3, (3), 4, 5 counted as a rising trend of 5; the tie is not flagged.
    values = [5.0, 5.0, 5.0, 1, 2, 3, 3, 4, 5]
    flags = {i: ("trend",) for i in (3, 4, 5, 7, 8)}
    a = chart(values, flags, rules="ihi", kind="run", centre=4.0)
    text = summarise(a, months(1, 2020, 9), unit="")
    assert text == (
        "5 months in a row going up since April 2020: a trend, a signal of real change "
        "(IHI / Health Care Data Guide rules). Latest 5.0 in September 2020, median 4.0."
    )


def test_falling_trend() -> None:
    values = [6.0, 5, 4, 3, 2, 1, 1]
    a = chart(values, {i: ("trend",) for i in range(6)}, kind="run", centre=3.0)
    text = summarise(a, months(1, 2020, 7), unit="")
    assert text.startswith("6 months in a row going down from January 2020 to June 2020: a trend")


def test_two_of_three_and_the_strongest_signal_leads() -> None:
    a = chart([10, 12.5, 11, 12.2], {1: ("two_of_three",), 3: ("shift", "two_of_three")})
    text = summarise(a, months(1, 2020, 4), unit="%")
    assert text.startswith(
        "Two of three months near the upper limit, the latest in April 2020: two of three points "
        "near a limit (also a shift), a signal of real change (Making Data Count rules)."
    )


def test_outside_limits_with_a_trend_through_analyse() -> None:
    # Values 1..7, MDC: mean 4, limits 4 +/- 2.66 -> 7 is above 6.66 and ends a 7-point trend.
    a = analyse(ChartSettings(chart="xmr", rules="mdc"), values=[1, 2, 3, 4, 5, 6, 7])
    text = summarise(a, months(1, 2020, 7), unit="", period_noun="month")
    assert text.startswith(
        "July 2020 was above the upper limit: a point outside the limits (also a trend), a signal "
        "of real change (Making Data Count rules)."
    )


def test_common_cause_says_no_signal() -> None:
    values = [169, 172, 175, 174, 161, 142, 174, 171, 168, 174, 180, 194, 161]
    values += [181, 175, 176, 186, 166, 157, 183, 177, 171, 185, 176, 181, 174]
    a = analyse(ChartSettings(chart="run", rules="ihi"), values=values)
    text = summarise(a, months(1, 2018, 26), unit="mmHg")
    assert text == (
        "No signal of change: only common cause variation (IHI / Health Care Data Guide rules). "
        "Latest 174.0 mmHg in February 2020, median 174.0 mmHg."
    )


def test_common_cause_in_the_last_phase_names_its_start() -> None:
    values = [1.0, 2, 1, 2, 1, 2, 11, 12, 11, 12, 11, 12]
    a = analyse(ChartSettings(chart="run", phase_starts=(6,)), values=values)
    text = summarise(a, months(1, 2019, 12), unit="")
    assert text.startswith("No signal of change since July 2019: only common cause variation")


def test_too_few_points_for_a_runs_analysis() -> None:
    # Median of 1..9 is 5: 8 useful points.
    a = analyse(ChartSettings(chart="run", rules="ihi"), values=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    text = summarise(a, months(1, 2020, 9), unit="")
    assert "too few points for a runs analysis (8 off the median, 10 needed)" in text
    anhoej = analyse(ChartSettings(chart="run", rules="anhoej"), values=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    text = summarise(anhoej, months(1, 2020, 9), unit="")
    assert text.startswith(
        "There are too few points for a runs analysis (8 off the median, 10 needed), so the runs "
        "rules cannot be applied (Anhøj rules)."
    )
    assert "No signal" not in text


def test_too_few_crossings_under_anhoej() -> None:
    a = chart(
        [9.0] * 6 + [11.0] * 6, {}, rules="anhoej", kind="run", runs=Runs(12, 6, 7, 1, 3, True)
    )
    text = summarise(a, months(1, 2020, 12), unit="")
    assert text.startswith(
        "1 crossing of the median, fewer than the 3 expected by chance: too few crossings, a "
        "signal of real change (Anhøj rules)."
    )


def test_trial_limits_are_said_plainly() -> None:
    a = analyse(ChartSettings(chart="xmr", rules="mdc"), values=[5, 6, 5, 6, 5, 6, 5, 6, 5, 6])
    text = summarise(a, months(1, 2020, 10), unit="%")
    assert "the limits are trial limits (fewer than 13 points)" in text


def test_numbers_are_rounded_for_people() -> None:
    a = chart([18.24, 23.456], {}, centre=18.2449)
    assert summarise(a, ["May", "June"], unit="%").endswith("Latest 23.5% in June, average 18.2%.")
    assert summarise(a, ["May", "June"], unit="falls").endswith(
        "Latest 23.5 falls in June, average 18.2 falls."
    )
    big = chart([12345.67], {}, centre=-0.04)
    assert summarise(big, ["May"], unit="").endswith("Latest 12,345.7 in May, average 0.0.")


def test_period_labels_must_match_the_points() -> None:
    with pytest.raises(ValueError):
        summarise(SHIFT_SINCE_APRIL_2019, ["April 2019"], unit="%")


def test_a_daily_period_is_on_a_day_not_in_it() -> None:
    # Twelve days, no signal: the latest value is reported "on 12 April 2019", as a reader
    # would say it of a day (and "in April 2019" of a month).
    days = [f"{d} April 2019" for d in range(1, 13)]
    text = summarise(chart([10.0, 11.0] * 6, {}), days, unit="")
    assert "Latest 11.0 on 12 April 2019, average 10.0" in text
    monthly = summarise(chart([10.0, 11.0] * 6, {}), months(5, 2018, 12), unit="")
    assert "Latest 11.0 in April 2019, average 10.0" in monthly
