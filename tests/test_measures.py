"""Measures 1 and 2 on small hand-made data sets, every expected value worked out by hand.

Each test writes the four data files inline (the arithmetic is next to the data), runs
``measures --format json`` (or csv), and compares month by month: numerator, denominator, value.
Notation: F and D are the first and last day of the month M; W is the last day of the month
``window_months`` before M (CLARIFICATIONS.md); "den" and "num" are denominator and numerator.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import reference_measures
import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qi_report.measures import percent_1dp

Run = Callable[..., Result]
Series = list[tuple[str, int, int, float | None]]

FILES = {  # keyword of write_data: (file name, header)
    "coaches": ("coaches", "coach_id,trained_on,left_on,directorate,role"),
    "coaching": ("coaching", "coach_id,project_id,started_on,ended_on"),
    "projects": ("projects", "project_id,title,directorate,created_on,closed_on,status"),
    "scores": ("project_scores", "project_id,scored_on,score"),
}

MEASURES_YAML = """\
measures:
  - id: active-coaches
    kind: active_coaches
    title: Active coaches
    definition: test
  - id: stalled-projects
    kind: stalled_projects
    title: Stalled projects
    definition: test
    parameters: {max_score: %(max_score)s, window_months: %(window_months)s}
"""


def write_data(
    root: Path,
    *,
    max_score: float = 2.5,
    window_months: int = 3,
    coaches: str = "",
    coaching: str = "",
    projects: str = "",
    scores: str = "",
) -> None:
    """content/measures.yaml with the given parameters, and data/NAME.csv for each table (the
    header is added; rows are dedented text, '#' lines dropped so the data can be annotated)."""
    tables = {"coaches": coaches, "coaching": coaching, "projects": projects, "scores": scores}
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
    params = {"max_score": max_score, "window_months": window_months}
    (root / "content" / "measures.yaml").write_text(MEASURES_YAML % params, encoding="utf-8")
    for keyword, (name, header) in FILES.items():
        lines = [
            line.strip()
            for line in textwrap.dedent(tables[keyword]).splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
        (root / "data" / f"{name}.csv").write_text("\n".join([header, *lines]) + "\n")


def measures(run: Run, root: Path, fmt: str = "json") -> Result:
    result = run(
        "measures", "--content", str(root / "content"), "--data", str(root / "data"),
        "--format", fmt,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result


def series(run: Run, root: Path) -> dict[str, Series]:
    """measures --format json, as {measure: [(month, numerator, denominator, value), ...]}."""
    found: dict[str, Series] = {}
    for row in json.loads(measures(run, root).stdout):
        found.setdefault(row["measure"], []).append(
            (row["month"], row["numerator"], row["denominator"], row["value"])
        )
    return found


# --- Measure 1: % active coaches ---------------------------------------------------------------

COACHES_1 = """
    # G trained 2018-10-05, left 2018-10-20: left before the end of its first month, so it is in
    #   no denominator (Oct and Nov 2018 have den 0 and are not reported).
    G,2018-10-05,2018-10-20,Adult,staff
    # C left on 2019-02-28 = D of Feb: counts as left in Feb.
    C,2018-12-01,2019-02-28,Adult,staff
    # E left on 2019-03-01 = D of Feb + 1 day: still in post in Feb, gone in Mar. No coaching.
    E,2018-12-01,2019-03-01,Adult,staff
    # A trained on 2019-01-31 = D of Jan: in the Jan denominator.
    A,2019-01-31,,Adult,staff
    # B trained on 2019-02-01 = D of Jan + 1 day: from Feb.
    B,2019-02-01,,Adult,service_user
"""
COACHING_1 = """
    C,P1,2018-12-01,
    # A: started on D of Jan; ended on 2019-02-01 = F of Feb (counts in Feb, not in Mar).
    A,P1,2019-01-31,2019-02-01
    A,P1,2019-03-01,2019-03-01
    # B: ended on 2019-02-28, the day before F of Mar (not active in Mar) ...
    B,P1,2019-02-15,2019-02-28
    # ... and started again on 2019-04-01, after D of Mar (not active in Mar; active in Apr).
    B,P1,2019-04-01,
"""
# P1 closed on 2018-12-15, before it could ever be in Measure 2's denominator (no W before
# 2018-12-15 has it created): Measure 2 has no month with den > 0 and prints no rows.
PROJECTS_1 = "P1,Falls,Adult,2018-12-01,2018-12-15,closed"


def test_active_coaches_month_by_month(run: Run, tmp_path: Path) -> None:
    write_data(tmp_path, coaches=COACHES_1, coaching=COACHING_1, projects=PROJECTS_1)
    # The latest date in any file is 2019-04-01 (B's second row), so the report ends 2019-04.
    assert series(run, tmp_path) == {
        "active-coaches": [
            # Dec 2018 (D 12-31): den C, E = 2 (A, B not trained; G left 10-20 <= D).
            #   num: C (row from 12-01, open) = 1.               1/2 = 50.0
            ("2018-12", 1, 2, 50.0),
            # Jan (F 01-01, D 01-31): den A (trained on D), C (leaves 02-28 > D), E = 3.
            #   num: A (row started on D, ends 02-01 >= F), C = 2.  2/3 = 66.67 -> 66.7
            ("2019-01", 2, 3, 66.7),
            # Feb (F 02-01, D 02-28): den A, B, E = 3 (C left on D: gone).
            #   num: A (ended 02-01 = F counts), B (02-15..02-28) = 2; E has no row.  2/3
            ("2019-02", 2, 3, 66.7),
            # Mar (F 03-01, D 03-31): den A, B = 2 (E left 03-01 <= D).
            #   num: A (03-01..03-01) = 1; B's rows ended 02-28 < F or start 04-01 > D.  1/2
            ("2019-03", 1, 2, 50.0),
            # Apr (F 04-01, D 04-30): den A, B = 2. num: B (from 04-01, open) = 1; A's rows
            #   ended 02-01 and 03-01, both before F.  1/2
            ("2019-04", 1, 2, 50.0),
        ]
    }


def test_zero_denominator_month_in_the_middle_is_blank(run: Run, tmp_path: Path) -> None:
    write_data(
        tmp_path,
        coaches="""
            Z1,2019-01-10,2019-02-15,Adult,staff
            Z2,2019-03-10,,Adult,staff
        """,
        coaching="Z1,P1,2019-01-10,",
        projects="P1,Falls,Adult,2019-01-10,2019-01-20,closed",
    )
    # Jan: den Z1 = 1, num Z1 = 1 -> 100.0. Feb (D 02-28): Z1 left 02-15, Z2 not yet trained ->
    # den 0, no value. Mar: den Z2 = 1, Z2 has no coaching (Z1's open row does not count: Z1 is
    # not in the denominator) -> 0/1 = 0.0. Report ends 2019-03 (latest date 2019-03-10).
    assert series(run, tmp_path)["active-coaches"] == [
        ("2019-01", 1, 1, 100.0),
        ("2019-02", 0, 0, None),
        ("2019-03", 0, 1, 0.0),
    ]
    csv_lines = measures(run, tmp_path, "csv").stdout.splitlines()
    assert csv_lines == [
        "measure,month,numerator,denominator,value",
        "active-coaches,2019-01,1,1,100.0",
        "active-coaches,2019-02,0,0,",
        "active-coaches,2019-03,0,1,0.0",
    ]


def test_values_rounded_to_one_decimal_halves_up(run: Run, tmp_path: Path) -> None:
    # 16 coaches trained 2019-01-10; R09-R16 leave 2019-02-10 and R07-R08 leave 2019-03-05.
    # Only R01 coaches (from 2019-01-10, open).
    coaches = [f"R{i:02d},2019-01-10,,Adult,staff" for i in range(1, 7)]
    coaches += [f"R{i:02d},2019-01-10,2019-03-05,Adult,staff" for i in (7, 8)]
    coaches += [f"R{i:02d},2019-01-10,2019-02-10,Adult,staff" for i in range(9, 17)]
    write_data(
        tmp_path,
        coaches="\n".join(coaches),
        coaching="R01,P1,2019-01-10,",
        projects="P1,Falls,Adult,2019-01-10,2019-01-20,closed",
    )
    assert measures(run, tmp_path, "csv").stdout.splitlines() == [
        "measure,month,numerator,denominator,value",
        # Jan: 1/16 = 6.25 -> 6.3 (half up; round-half-even and float rounding give 6.2)
        "active-coaches,2019-01,1,16,6.3",
        # Feb: den 16 - 8 = 8; 1/8 = 12.5
        "active-coaches,2019-02,1,8,12.5",
        # Mar: den 8 - 2 = 6; 1/6 = 16.666... -> 16.7
        "active-coaches,2019-03,1,6,16.7",
    ]
    assert [v for *_, v in series(run, tmp_path)["active-coaches"]] == [6.3, 12.5, 16.7]


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 16, "6.3"),  # 6.25 -> 6.3
        (3, 16, "18.8"),  # 18.75 -> 18.8
        (7, 16, "43.8"),  # 43.75 -> 43.8
        (1, 8, "12.5"),  # exactly 12.5
        (1, 400, "0.3"),  # 0.25 -> 0.3
        (1, 800, "0.1"),  # 0.125 -> 0.1 (not a half at the second decimal)
        (1, 3, "33.3"),  # 33.33...
        (2, 3, "66.7"),  # 66.66...
        (0, 7, "0.0"),
        (7, 7, "100.0"),
        (0, 0, ""),  # no value where the denominator is zero
        (3, 0, ""),
    ],
)
def test_percent_1dp(numerator: int, denominator: int, expected: str) -> None:
    assert percent_1dp(numerator, denominator) == expected


# --- Measure 2: % stalled projects -------------------------------------------------------------

COACHES_2 = "K1,2019-01-01,,Adult,staff"
COACHING_2 = "K1,Q1,2019-01-01,"  # K1 coaches all along: active coaches 1/1 from 2019-01.
PROJECTS_2 = """
    # Q1 created on 2019-01-31 = W of Apr (counts from Apr); never scored (0.5 throughout).
    Q1,Created on W,Adult,2019-01-31,,active
    # Q2 created on 2019-02-01 = W of Apr + 1 day: from May.
    Q2,Created on W + 1,Adult,2019-02-01,,active
    # Q3 closed on 2019-05-31 = D of May: excluded in May. Q4 closed the day after: included.
    Q3,Closed on D,Adult,2019-01-01,2019-05-31,closed
    Q4,Closed on D + 1,Adult,2019-01-01,2019-06-01,closed
    Q5,Slow progress,Adult,2019-01-15,,active
    Q6,Flat at 3.0,Adult,2019-01-01,,active
    # Q7 is first scored 0.5 on 2019-04-10: before that it counts as 0.5 too, so it never rises.
    Q7,Scored 0.5,Adult,2019-01-01,,active
"""
SCORES_2 = """
    # Deliberately not in date order: a score's date decides, never its place in the file.
    Q4,2019-05-20,3.5
    Q2,2019-07-05,3.0
    Q3,2019-04-15,1.5
    Q5,2019-03-15,2.0
    Q2,2019-06-10,2.5
    Q4,2019-01-10,1.0
    Q6,2019-01-05,3.0
    Q3,2019-01-20,2.0
    Q5,2019-01-20,1.0
    # Two Q5 scores in March: 03-15 (2.0, above) is the later date, though this row comes last.
    Q5,2019-03-02,3.0
    Q7,2019-04-10,0.5
    Q2,2019-02-15,2.5
"""
ACTIVE_2 = [(f"2019-{m:02d}", 1, 1, 100.0) for m in range(1, 8)]  # K1, Jan to Jul: 1/1


def test_stalled_projects_month_by_month(run: Run, tmp_path: Path) -> None:
    write_data(
        tmp_path, coaches=COACHES_2, coaching=COACHING_2, projects=PROJECTS_2, scores=SCORES_2
    )
    # The latest date is 2019-07-05 (a Q2 score): the report ends 2019-07. Up to Mar, W is in
    # 2018 and every project was created in 2019: den 0, so the report starts in Apr.
    assert series(run, tmp_path) == {
        "active-coaches": ACTIVE_2,
        "stalled-projects": [
            # Apr (D 04-30, W 01-31): den Q1 (created on W), Q3, Q4, Q5, Q6, Q7 = 6; Q2 was
            #   created on W + 1. Q1 0.5 <= 0.5: stalled. Q3 fell: D 1.5 (04-15) <= W 2.0
            #   (01-20): stalled. Q4 D 1.0 (01-10; 05-20 is later) = W 1.0: stalled. Q5 D 2.0
            #   (03-15, not the 3.0 of 03-02) > W 1.0: no. Q6 3.0 > 2.5: no. Q7 D 0.5 (04-10),
            #   W unscored = 0.5: stalled.  num 4.   4/6 = 66.67 -> 66.7
            ("2019-04", 4, 6, 66.7),
            # May (D 05-31, W 02-28): den Q1, Q2, Q4 (closes 06-01 > D), Q5, Q6, Q7 = 6; Q3
            #   closed on D. Q1 stalled. Q2 D 2.5 (02-15) = max_score and = W 2.5: stalled.
            #   Q4 D 3.5 (05-20, first line of the file): no. Q5 D 2.0 > W 1.0: no. Q6 no.
            #   Q7 0.5 = 0.5: stalled.  num 3.   3/6 = 50.0
            ("2019-05", 3, 6, 50.0),
            # Jun (D 06-30, W 03-31): den Q1, Q2, Q5, Q6, Q7 = 5 (Q4 closed 06-01 <= D).
            #   Q1 stalled; Q2 D 2.5 (06-10) = W 2.5 (02-15): stalled; Q5 D 2.0 = W 2.0 (03-15):
            #   stalled; Q6 no; Q7 stalled.  4/5 = 80.0
            ("2019-06", 4, 5, 80.0),
            # Jul (D 07-31, W 04-30): den 5 as in Jun. Q2 D 3.0 (07-05, which comes before the
            #   06-10 row in the file) > 2.5: no. Q1, Q5, Q7 stalled.  3/5 = 60.0
            ("2019-07", 3, 5, 60.0),
        ],
    }


def test_stalled_projects_parameters_from_measures_yaml(run: Run, tmp_path: Path) -> None:
    write_data(
        tmp_path,
        max_score=3.5,
        window_months=1,
        coaches=COACHES_2,
        coaching=COACHING_2,
        projects=PROJECTS_2,
        scores=SCORES_2,
    )
    # max_score 3.5 and a 1-month window: W is the last day of the previous month.
    # Jan: W 2018-12-31, den 0. The report starts in Feb.
    assert series(run, tmp_path)["stalled-projects"] == [
        # Feb (D 02-28, W 01-31): den Q1, Q3, Q4, Q5, Q6, Q7 = 6 (Q2 created 02-01 > W).
        #   Q1 0.5/0.5; Q3 2.0/2.0; Q4 1.0/1.0; Q5 1.0/1.0 (March scores not yet); Q6 3.0 <= 3.5
        #   and 3.0/3.0; Q7 unscored 0.5/0.5. All 6 stalled.  6/6 = 100.0
        ("2019-02", 6, 6, 100.0),
        # Mar (D 03-31, W 02-28): den 7 (Q2 in). Q5 D 2.0 (03-15) > W 1.0: no. Others as in
        #   Feb, Q2 2.5/2.5 stalled.  6/7 = 85.71 -> 85.7
        ("2019-03", 6, 7, 85.7),
        # Apr (D 04-30, W 03-31): den 7. Q3 D 1.5 <= W 2.0 (fell); Q5 2.0/2.0; Q7 0.5 (04-10)
        #   / 0.5; all 7 stalled.  7/7 = 100.0
        ("2019-04", 7, 7, 100.0),
        # May (D 05-31, W 04-30): den 6 (Q3 closed on D). Q4 D 3.5 <= 3.5 but > W 1.0: no.
        #   Q1, Q2, Q5, Q6, Q7 stalled.  5/6 = 83.33 -> 83.3
        ("2019-05", 5, 6, 83.3),
        # Jun (D 06-30, W 05-31): den Q1, Q2, Q5, Q6, Q7 = 5, all stalled (Q2 2.5/2.5).  5/5
        ("2019-06", 5, 5, 100.0),
        # Jul (D 07-31, W 06-30): Q2 D 3.0 > W 2.5 (06-10): no.  4/5 = 80.0
        ("2019-07", 4, 5, 80.0),
    ]


@pytest.mark.parametrize(
    ("coaching", "scores"),
    [
        (COACHING_2 + "\nK1,Q1,2019-09-01,2019-09-30", SCORES_2),
        (COACHING_2, SCORES_2 + "\nQ6,2019-09-30,3.0"),
    ],
    ids=["coaching-row", "project-score"],
)
def test_report_ends_at_the_latest_date_in_any_file(
    run: Run, tmp_path: Path, coaching: str, scores: str
) -> None:
    write_data(tmp_path, coaches=COACHES_2, coaching=coaching, projects=PROJECTS_2, scores=scores)
    # One row dated 2019-09-30 in one file extends both measures to 2019-09.
    found = series(run, tmp_path)
    # K1 stays active: 1/1 in Aug and Sep too.
    assert found["active-coaches"] == [
        *ACTIVE_2,
        ("2019-08", 1, 1, 100.0),
        ("2019-09", 1, 1, 100.0),
    ]
    assert found["stalled-projects"][-3:] == [
        ("2019-07", 3, 5, 60.0),  # as in test_stalled_projects_month_by_month
        # Aug (D 08-31, W 05-31): den Q1, Q2, Q5, Q6, Q7 = 5. Q1 stalled; Q2 3.0: no; Q5 D 2.0
        #   = W 2.0: stalled; Q6 3.0 (unchanged by a 09-30 score of 3.0): no; Q7 0.5/0.5:
        #   stalled.  3/5 = 60.0
        ("2019-08", 3, 5, 60.0),
        # Sep (D 09-30, W 06-30): the same five, the same answers.  3/5 = 60.0
        ("2019-09", 3, 5, 60.0),
    ]


@pytest.mark.parametrize(
    ("month", "w", "w_next", "month_of_w", "mid_month_of_w", "d"),
    [
        # M = 2019-12: D 2019-12-31, W 2019-09-30 (September has 30 days)
        ("2019-12", "2019-09-30", "2019-10-01", "2019-09-01", "2019-09-15", "2019-12-31"),
        # M = 2019-05: D 2019-05-31, W 2019-02-28
        ("2019-05", "2019-02-28", "2019-03-01", "2019-02-01", "2019-02-15", "2019-05-31"),
    ],
)
def test_window_start_is_the_last_day_of_the_month(
    run: Run,
    tmp_path: Path,
    month: str,
    w: str,
    w_next: str,
    month_of_w: str,
    mid_month_of_w: str,
    d: str,
) -> None:
    write_data(
        tmp_path,
        coaches=f"K1,{month_of_w},,Adult,staff",
        projects=f"""
            S1,Created on W,Adult,{w},,active
            S2,Created on W + 1,Adult,{w_next},,active
            S3,Scored on W then fell on W + 1,Adult,{month_of_w},,active
            S4,Scored on W then rose on W + 1,Adult,{mid_month_of_w},,active
        """,
        scores=f"""
            S3,{w_next},1.5
            S3,{w},2.0
            S4,{w},1.0
            S4,{w_next},2.0
            S2,{d},1.0
        """,
    )
    # The month before M has W one month earlier, before any project was created: den 0, so
    # M is the first month reported; S2's score on D makes it the last.
    # M: den S1 (created on W), S3, S4 = 3; S2 was created on W + 1.
    #   S1 no score: 0.5 <= 0.5, stalled. S3: score(W) = 2.0 (scored on W), score(D) = 1.5:
    #   fell, stalled. S4: score(W) = 1.0, score(D) = 2.0 > 1.0: not stalled.  2/3 = 66.7
    assert series(run, tmp_path)["stalled-projects"] == [(month, 2, 3, 66.7)]


def test_window_start_in_a_leap_year(run: Run, tmp_path: Path) -> None:
    write_data(
        tmp_path,
        coaches="K1,2019-11-01,,Adult,staff",
        coaching="K1,L1,2019-11-01,",
        projects="""
            L1,Created on W,Adult,2019-11-30,,active
            L2,Created on W + 1,Adult,2019-12-01,,active
            L3,Fell across W,Adult,2019-11-01,,active
            L4,Rose across W,Adult,2019-11-01,,active
            L5,Scored on D,Adult,2019-11-15,,active
        """,
        scores="""
            L3,2019-12-01,2.0
            L3,2019-11-30,2.5
            L4,2019-11-30,1.0
            L4,2019-12-01,1.5
            L5,2019-11-20,1.0
            L5,2020-02-29,3.0
        """,
    )
    # M = 2020-02: D = 2020-02-29, W = 2019-11-30 (not 2019-11-29, the "same day number"
    # answer). Jan 2020 has W 2019-10-31, before every project: den 0, so Feb is the first
    # month, and the last (latest date 2020-02-29).
    #   den: L1 (created on W), L3, L4, L5 = 4; L2 created on W + 1.
    #   L1: never scored, 0.5 <= 0.5: stalled.
    #   L3: score(W) = 2.5 (scored 11-30), score(D) = 2.0 (12-01): fell, stalled.
    #   L4: score(W) = 1.0 (11-30), score(D) = 1.5 (12-01): rose, not stalled.
    #   L5: score(D) = 3.0, scored on D itself: > 2.5, not stalled.
    #   num 2.  2/4 = 50.0
    found = series(run, tmp_path)
    assert found["stalled-projects"] == [("2020-02", 2, 4, 50.0)]
    # K1 trained 2019-11-01, coaching from that day: Nov 2019 to Feb 2020, 1/1 each month.
    assert found["active-coaches"] == [
        ("2019-11", 1, 1, 100.0),
        ("2019-12", 1, 1, 100.0),
        ("2020-01", 1, 1, 100.0),
        ("2020-02", 1, 1, 100.0),
    ]


def test_same_day_scores_the_one_lowest_in_the_file_counts(run: Run, tmp_path: Path) -> None:
    write_data(
        tmp_path,
        coaches="K1,2019-01-01,,Adult,staff",
        coaching="K1,S1,2019-01-01,2019-06-30",
        projects="S1,Two scores on one day,Adult,2018-12-01,,active",
        scores="""
            S1,2019-03-10,2.0
            S1,2019-03-10,3.0
        """,
    )
    # The later of the two rows dated 2019-03-10 counts: S1's score is 3.0 from that day.
    # Latest date 2019-06-30, so months run to 2019-06.
    # M = 2019-06: W = 2019-03-31. score(W) = score(D) = 3.0 > 2.5: not stalled -> 0 of 1.
    # (Had the first row counted, 2.0 <= 2.5 and not higher than at W: 1 of 1.)
    found = series(run, tmp_path)
    rows = {month: (num, den) for month, num, den, _ in found["stalled-projects"]}
    assert rows["2019-06"] == (0, 1)


# --- against the plain reference implementation (tests/reference_measures.py) ------------------

REPO = Path(__file__).resolve().parent.parent
KIND_OF = {"active-coaches": "active_coaches", "stalled-projects": "stalled_projects"}


def json_by_kind(result: Result, ids: dict[str, str]) -> dict[str, Series]:
    """measures --format json as {kind: [(month, numerator, denominator, value)]}."""
    found: dict[str, Series] = {kind: [] for kind in ids.values()}
    for row in json.loads(result.stdout):
        if row["measure"] in ids:
            found[ids[row["measure"]]].append(
                (row["month"], row["numerator"], row["denominator"], row["value"])
            )
    return found


def expected_by_kind(data_dir: Path, max_score: float, window_months: int) -> dict[str, Series]:
    expected = reference_measures.reference(
        data_dir, max_score=max_score, window_months=window_months
    )
    return {
        kind: [(m, n, d, reference_measures.value(n, d)) for m, n, d in rows]
        for kind, rows in expected.items()
    }


def test_sample_data_matches_the_reference(run: Run, tmp_path: Path) -> None:
    data = REPO / "data"
    missing = [n for n in reference_measures.TABLES if not (data / f"{n}.csv").is_file()]
    if missing:
        pytest.skip(f"the sample data is not generated yet (no {', '.join(missing)} in data/)")
    # Only measures.yaml is copied: editions and stories are not this test's business, and the
    # reference knows nothing of site.yaml's column mapping or report period.
    definitions = yaml.safe_load((REPO / "content" / "measures.yaml").read_text("utf-8"))
    ids = {m["id"]: m["kind"] for m in definitions["measures"] if m["kind"] in KIND_OF.values()}
    assert sorted(ids.values()) == ["active_coaches", "stalled_projects"]
    stalled = next(m for m in definitions["measures"] if m["kind"] == "stalled_projects")
    params = {"max_score": 2.5, "window_months": 3} | stalled.get("parameters", {})
    (tmp_path / "content").mkdir()
    shutil.copy(REPO / "content" / "measures.yaml", tmp_path / "content" / "measures.yaml")
    result = run(
        "measures", "--content", str(tmp_path / "content"), "--data", str(data), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    expected = expected_by_kind(data, params["max_score"], params["window_months"])
    assert json_by_kind(result, ids) == expected
    assert all(expected.values())  # both measures have months to compare


DAY0 = dt.date(2018, 1, 1)
DAYS = (dt.date(2020, 12, 31) - DAY0).days
dates = st.integers(0, DAYS).map(lambda n: DAY0 + dt.timedelta(days=n))
SCORES = [x / 2 for x in range(1, 11)]  # 0.5 .. 5.0


def later_or_blank(draw: st.DrawFn, start: dt.date) -> str:
    """Blank, or a date on or after ``start`` (up to a year and a half later)."""
    days = draw(st.none() | st.integers(0, 540))
    return "" if days is None else (start + dt.timedelta(days=days)).isoformat()


@st.composite
def data_sets(draw: st.DrawFn) -> dict[str, list[str]]:
    """A small valid data set (CSV rows without headers), rows in no particular order."""
    coaches, coaching, projects, scores = [], [], [], []
    n_coaches, n_projects = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    for i in range(n_coaches):
        trained = draw(dates)
        role = draw(st.sampled_from(["staff", "service_user", "external"]))
        coaches.append(f"C{i},{trained},{later_or_blank(draw, trained)},,{role}")
    for i in range(n_projects):
        created = draw(dates)
        projects.append(f"P{i},,,{created},{later_or_blank(draw, created)},")
    if n_coaches and n_projects:
        for _ in range(draw(st.integers(0, 10))):
            started = draw(dates)
            coach, project = (
                draw(st.integers(0, n_coaches - 1)),
                draw(st.integers(0, n_projects - 1)),
            )
            coaching.append(f"C{coach},P{project},{started},{later_or_blank(draw, started)}")
    if n_projects:
        # One score per project and day: two different scores on one day are rejected as data.
        keys = draw(
            st.lists(st.tuples(st.integers(0, n_projects - 1), dates), max_size=20, unique=True)
        )
        for project, scored_on in keys:
            scores.append(f"P{project},{scored_on},{draw(st.sampled_from(SCORES))}")
    return {"coaches": coaches, "coaching": coaching, "projects": projects, "scores": scores}


# `run` keeps no state between calls, so sharing it across examples is safe.
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    tables=data_sets(),
    max_score=st.sampled_from([*SCORES, 2.7]),
    window_months=st.integers(1, 6),
)
def test_random_data_matches_the_reference(
    run: Run, tables: dict[str, list[str]], max_score: float, window_months: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_data(
            root,
            max_score=max_score,
            window_months=window_months,
            coaches="\n".join(tables["coaches"]),
            coaching="\n".join(tables["coaching"]),
            projects="\n".join(tables["projects"]),
            scores="\n".join(tables["scores"]),
        )
        result = measures(run, root)
        expected = expected_by_kind(root / "data", max_score, window_months)
    assert json_by_kind(result, KIND_OF) == expected
