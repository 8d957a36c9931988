"""The ``chart`` command on series measures built from the worked examples of SPC-REFERENCE.md
and from small data sets worked out by hand (each expected value is stated here, never taken
from the program's output), and the problems a series file or its chart settings can have.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_site import Page

from qi_report.cli import main

# SPC-REFERENCE.md, worked example 1 (Anhøj's systolic blood pressure).
BLOOD_PRESSURE = [169, 172, 175, 174, 161, 142, 174, 171, 168, 174, 180, 194, 161]
BLOOD_PRESSURE += [181, 175, 176, 186, 166, 157, 183, 177, 171, 185, 176, 181, 174]
# SPC-REFERENCE.md, worked example 2 (NHSRplotthedots' screening example).
SCREENING = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]

TOP_KEYS = {"measure", "chart", "rules", "points", "runs", "variation", "assurance", "summary"}
POINT_KEYS = {
    "period",
    "value",
    "numerator",
    "denominator",
    "centre",
    "lower",
    "upper",
    "phase",
    "signals",
    "type",
}
RUNS_KEYS = {
    "useful_points",
    "longest_run",
    "longest_run_limit",
    "crossings",
    "crossings_limit",
    "signal",
}


def weeks(count: int, first: dt.date = dt.date(2019, 1, 7)) -> list[str]:
    return [(first + dt.timedelta(weeks=i)).isoformat() for i in range(count)]


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure_yaml(**fields: Any) -> str:
    """One measure as YAML; ``fields`` beyond the defaults are written as given (lists and
    mappings in flow style)."""
    settings = {
        "kind": "series",
        "title": "A measure",
        "definition": "As recorded by the team.",
    } | fields
    lines = [f"  - id: {settings.pop('id')}"]
    lines += [f"    {key}: {json.dumps(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty content/ and data/ in a working folder, so messages name content/measures.yaml."""
    (tmp_path / "content").mkdir()
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_measures(folder: Path, *measures: str) -> None:
    (folder / "content" / "measures.yaml").write_text(
        "measures:\n" + "".join(measures), encoding="utf-8"
    )


def chart(measure_id: str, *extra: str) -> Result:
    return CliRunner().invoke(
        main, ["chart", measure_id, "--content", "content", "--data", "data", *extra]
    )


def chart_json(measure_id: str) -> dict[str, Any]:
    result = chart(measure_id, "--format", "json")
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.fixture
def blood_pressure(folder: Path) -> Path:
    """Example 1 as a weekly series, charted four ways."""
    rows = [[week, value] for week, value in zip(weeks(26), BLOOD_PRESSURE, strict=True)]
    write_csv(folder / "data" / "bp.csv", ["Week", "Systolic"], rows)
    common = {"file": "bp.csv", "period": "Week", "value": "Systolic", "unit": "mmHg"}
    write_measures(
        folder,
        measure_yaml(id="bp-run-anhoej", chart="run", rules="anhoej", **common),
        measure_yaml(id="bp-run-ihi", chart="run", rules="ihi", **common),
        measure_yaml(id="bp-xmr-mdc", chart="xmr", rules="mdc", **common),
        measure_yaml(id="bp-xmr-anhoej", chart="xmr", rules="anhoej", **common),
    )
    return folder


def test_example_1_as_a_run_chart_with_anhoej_rules(blood_pressure: Path) -> None:
    found = chart_json("bp-run-anhoej")
    assert set(found) == TOP_KEYS
    assert (found["measure"], found["chart"], found["rules"]) == ("bp-run-anhoej", "run", "anhoej")
    points = found["points"]
    assert [p["period"] for p in points] == weeks(26)
    assert [p["value"] for p in points] == BLOOD_PRESSURE
    assert all(set(p) == POINT_KEYS for p in points)
    # Median 174; a run chart has no limits; a series of values has no numerator.
    assert {p["centre"] for p in points} == {174}
    assert {(p["lower"], p["upper"], p["numerator"], p["denominator"]) for p in points} == {
        (None, None, None, None)
    }
    # 4 points on the median, 22 useful; longest run 4 (limit 7); 9 crossings (limit 7).
    assert found["runs"] == {
        "useful_points": 22,
        "longest_run": 4,
        "longest_run_limit": 7,
        "crossings": 9,
        "crossings_limit": 7,
        "signal": False,
    }
    assert all(p["signals"] == [] and p["type"] == "common_cause" for p in points)
    assert {p["phase"] for p in points} == {1}
    assert found["variation"] == "common_cause"
    assert found["assurance"] is None
    assert "(Anhøj rules)" in found["summary"]


def test_example_1_as_a_run_chart_with_ihi_rules_has_no_shift_or_trend(
    blood_pressure: Path,
) -> None:
    found = chart_json("bp-run-ihi")
    assert all(p["signals"] == [] for p in found["points"])
    assert "(IHI / Health Care Data Guide rules)" in found["summary"]


@pytest.mark.parametrize(
    ("measure_id", "lower", "upper", "rules_named"),
    [
        # Making Data Count: 173.1923 +/- 2.66 x 11.0
        ("bp-xmr-mdc", 143.9323, 202.4523, "Making Data Count rules"),
        # qicharts2: 173.1923 +/- 3 / 1.128 x 11.0
        ("bp-xmr-anhoej", 143.9370, 202.4476, "Anhøj rules"),
    ],
)
def test_example_1_as_an_xmr_chart(
    blood_pressure: Path, measure_id: str, lower: float, upper: float, rules_named: str
) -> None:
    points = chart_json(measure_id)["points"]
    assert {round(p["centre"], 4) for p in points} == {173.1923}
    assert {round(p["lower"], 4) for p in points} == {lower}
    assert {round(p["upper"], 4) for p in points} == {upper}
    # Point 6 (142) is below the lower limit, the only point outside; no direction: neutral.
    outside = [i + 1 for i, p in enumerate(points) if "outside_limits" in p["signals"]]
    assert outside == [6]
    assert points[5]["type"] == "special_cause_neutral"
    summary = chart_json(measure_id)["summary"]
    assert f"({rules_named})" in summary
    assert "11 February 2019 was below the lower limit" in summary  # week 6


@pytest.mark.parametrize(
    ("screen", "lower", "upper"),
    [(True, -0.7156, 4.6044), (False, -3.0626, 6.9515)],
)
def test_example_2_screening_of_moving_ranges(
    folder: Path, screen: bool, lower: float, upper: float
) -> None:
    months = [f"2020-{m:02d}" for m in range(1, 13)] + [f"2021-{m:02d}" for m in range(1, 7)]
    write_csv(folder / "data" / "x.csv", ["month", "x"], list(zip(months, SCREENING, strict=True)))
    write_measures(
        folder,
        measure_yaml(
            id="screened",
            file="x.csv",
            period="month",
            value="x",
            chart="xmr",
            rules="mdc",
            improvement="increase",
            screen_moving_ranges=screen,
        ),
    )
    points = chart_json("screened")["points"]
    assert [p["period"] for p in points] == months
    assert {round(p["centre"], 4) for p in points} == {1.9444}
    assert {(round(p["lower"], 4), round(p["upper"], 4)) for p in points} == {(lower, upper)}
    assert [p["type"] for p in points] == ["common_cause"] * 4 + ["special_cause_improvement"] + [
        "common_cause"
    ] * 13


def test_a_p_chart_worked_by_hand(folder: Path) -> None:
    # pbar = (10 + 20 + 15 + 15 + 40) / (50 + 100 + 75 + 75 + 100) = 100 / 400 = 25%.
    # 3 sigma = 3 x sqrt(0.25 x 0.75 / n): n = 50 -> 18.3712%, n = 100 -> 12.9904%,
    # n = 75 -> exactly 15%. The fifth month, 40 of 100 = 40%, is above 37.9904%.
    rows = [
        ["2019-01", 10, 50],
        ["2019-02", 20, 100],
        ["2019-03", 15, 75],
        ["2019-04", 15, 75],
        ["2019-05", 40, 100],
    ]
    write_csv(folder / "data" / "audit.csv", ["Month", "Met", "Audited"], rows)
    write_measures(
        folder,
        measure_yaml(
            id="audit",
            file="audit.csv",
            period="Month",
            numerator="Met",
            denominator="Audited",
            chart="p",
            rules="mdc",
            improvement="increase",
            target=90,
        ),
    )
    found = chart_json("audit")
    points = found["points"]
    assert [p["value"] for p in points] == pytest.approx([20, 20, 20, 20, 40])
    assert [(p["numerator"], p["denominator"]) for p in points] == [
        (10, 50),
        (20, 100),
        (15, 75),
        (15, 75),
        (40, 100),
    ]
    assert {round(p["centre"], 4) for p in points} == {25.0}
    assert [(round(p["lower"], 4), round(p["upper"], 4)) for p in points] == [
        (6.6288, 43.3712),
        (12.0096, 37.9904),
        (10.0, 40.0),
        (10.0, 40.0),
        (12.0096, 37.9904),
    ]
    assert [p["signals"] for p in points] == [[], [], [], [], ["outside_limits"]]
    assert points[4]["type"] == "special_cause_improvement"
    assert found["variation"] == "special_cause_improvement"
    # Target 90% above the last upper limit, 37.99%, where higher is better: fail.
    assert found["assurance"] == "fail"
    # 5 points: trial limits, and too few for a runs analysis; both said plainly.
    assert set(found) == TOP_KEYS and all(set(p) == POINT_KEYS for p in points)
    assert found["runs"] == dict.fromkeys(RUNS_KEYS) | {"useful_points": 5}
    assert "trial limits" in found["summary"]
    assert "too few points for a runs analysis" in found["summary"]


def test_a_u_chart_with_a_multiplier_on_daily_periods(folder: Path) -> None:
    # u = (4 + 6 + 10 + 20) / (2000 + 3000 + 5000 + 2000) = 1/300 per bed day = 10/3 per 1000.
    # 3 sigma per 1000 = 3000 x sqrt(1/300 / n) = sqrt(15) for n = 2000, sqrt(10) for 3000 and
    # sqrt(6) for 5000. Rates per 1000: 2, 2, 2, 10; the last is above 10/3 + sqrt(15).
    rows = [
        ["2019-03-01", 4, 2000],
        ["2019-03-02", 6, 3000],
        ["2019-03-03", 10, 5000],
        ["2019-03-04", 20, 2000],
    ]
    write_csv(folder / "data" / "falls.csv", ["Day", "Falls", "Bed days"], rows)
    write_measures(
        folder,
        measure_yaml(
            id="falls",
            file="falls.csv",
            period="Day",
            count="Falls",
            exposure="Bed days",
            multiplier=1000,
            chart="u",
            rules="mdc",
            improvement="decrease",
            unit="falls per 1,000 bed days",
        ),
    )
    points = chart_json("falls")["points"]
    assert [p["period"] for p in points] == ["2019-03-01", "2019-03-02", "2019-03-03", "2019-03-04"]
    assert [p["value"] for p in points] == pytest.approx([2, 2, 2, 10])
    assert [(p["numerator"], p["denominator"]) for p in points] == [
        (4, 2000),
        (6, 3000),
        (10, 5000),
        (20, 2000),
    ]
    ubar = 10 / 3
    assert [p["centre"] for p in points] == pytest.approx([ubar] * 4)
    halves = [math.sqrt(15), math.sqrt(10), math.sqrt(6), math.sqrt(15)]
    assert [p["upper"] for p in points] == pytest.approx([ubar + h for h in halves])
    # The lower limit is clipped at 0 where 10/3 - sqrt(15) is negative.
    assert [p["lower"] for p in points] == pytest.approx(
        [0, ubar - math.sqrt(10), ubar - math.sqrt(6), 0]
    )
    assert [p["type"] for p in points] == ["common_cause"] * 3 + ["special_cause_concern"]


def test_rebase_starts_a_second_phase_with_its_own_centre(folder: Path) -> None:
    # Phase 1: 10, 12, 11, 13 (mean 11.5); phase 2 from week 5: 20, 22, 21, 23 (mean 21.5).
    values = [10, 12, 11, 13, 20, 22, 21, 23]
    write_csv(folder / "data" / "w.csv", ["week", "n"], list(zip(weeks(8), values, strict=True)))
    write_measures(
        folder,
        measure_yaml(
            id="w",
            file="w.csv",
            period="week",
            value="n",
            chart="xmr",
            rules="mdc",
            rebase=[weeks(8)[4]],
        ),
    )
    points = chart_json("w")["points"]
    assert [p["phase"] for p in points] == [1] * 4 + [2] * 4
    assert [p["centre"] for p in points] == [11.5] * 4 + [21.5] * 4


def test_table_format_is_aligned_and_ends_with_the_summary(blood_pressure: Path) -> None:
    result = chart("bp-xmr-mdc")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Period"))
    rows = lines[header + 2 : header + 2 + 26]
    assert rows[0].startswith("2019-01-07")
    # The centre column lines up on every row: its text ends at the same place.
    ends = {line.index("173.19") + len("173.19") for line in rows}
    assert len(ends) == 1
    assert "outside limits" in rows[5]
    tail = "\n".join(lines[header + 2 + 26 :])
    assert "Runs analysis (Anhøj's rules, last phase): 26 useful points; longest run" in tail
    assert "Variation (last point): common cause" in tail
    assert "Assurance: none" in tail
    assert lines[-1].startswith("Summary: ") and "(Making Data Count rules)" in lines[-1]


def test_a_repeated_period_is_a_located_problem(folder: Path) -> None:
    rows = [["2019-01-07", 1], ["2019-01-14", 2], ["2019-01-07", 3], ["2019-01-21", 4]]
    write_csv(folder / "data" / "bp.csv", ["Week", "Systolic"], rows)
    write_measures(folder, measure_yaml(id="bp", file="bp.csv", period="Week", value="Systolic"))
    result = chart("bp", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        "data/bp.csv: row 4, column 'Week': '2019-01-07' is already on row 2; "
        "a period may appear once"
    ) in result.stderr.splitlines()


def test_numerator_above_denominator_is_a_located_problem(folder: Path) -> None:
    rows = [["2019-01", 5, 10], ["2019-02", 12, 10]]
    write_csv(folder / "data" / "a.csv", ["Month", "Met", "Audited"], rows)
    write_measures(
        folder,
        measure_yaml(
            id="a", file="a.csv", period="Month", numerator="Met", denominator="Audited", chart="p"
        ),
    )
    result = chart("a")
    assert result.exit_code == 1
    assert (
        "data/a.csv: row 3, column 'Met': '12' is more than its denominator, 10 (column "
        "'Audited'); a proportion cannot be above 100%"
    ) in result.stderr.splitlines()


def test_every_problem_in_a_series_file_is_reported_at_once(folder: Path) -> None:
    rows = [
        ["2019-01-07", "5", "10"],
        ["2019-13", "", "10"],
        ["2019-01-21", "many", "0"],
        ["2019-01-28", "-1", "4"],
        ["2019-02", "1", "4"],
    ]
    write_csv(folder / "data" / "a.csv", ["Week", "Met", "Audited"], rows)
    write_measures(
        folder,
        measure_yaml(
            id="a", file="a.csv", period="Week", numerator="Met", denominator="Audited", chart="p"
        ),
    )
    result = chart("a")
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("data/")]
    assert problems == [
        "data/a.csv: row 3, column 'Week': '2019-13' is not a period: expected a date "
        "YYYY-MM-DD or a month YYYY-MM",
        "data/a.csv: row 3, column 'Met': empty value; a number is required",
        "data/a.csv: row 4, column 'Met': 'many' is not a number",
        "data/a.csv: row 4, column 'Audited': '0' is not above zero; a denominator must be",
        "data/a.csv: row 5, column 'Met': '-1' is negative; a numerator cannot be",
        "data/a.csv: row 6, column 'Week': '2019-02' is a month, but row 2 gives a date: use "
        "one form for every period",
    ]


def line_of(folder: Path, text: str) -> int:
    lines = (folder / "content" / "measures.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def problems_in_measures_yaml(result: Result) -> list[str]:
    assert result.exit_code == 1
    return [line for line in result.stderr.splitlines() if line.startswith(MEASURES_YAML)]


MEASURES_YAML = "content/measures.yaml"


def test_chart_settings_that_do_not_fit_are_located_in_measures_yaml(folder: Path) -> None:
    write_csv(folder / "data" / "bp.csv", ["Week", "Systolic"], [["2019-01-07", 1]])
    write_measures(
        folder,
        measure_yaml(id="p-of-values", file="bp.csv", period="Week", value="Systolic", chart="p"),
        measure_yaml(id="scaled", file="bp.csv", period="Week", value="Systolic", multiplier=10),
        measure_yaml(id="no-file", file="nope.csv", period="Week", value="Systolic"),
        measure_yaml(id="both", file="bp.csv", period="Week", value="Systolic", count="n"),
    )
    chart_line = line_of(folder, 'chart: "p"')
    assert problems_in_measures_yaml(chart("p-of-values")) == [
        f"{MEASURES_YAML}: line {chart_line}, field 'measures.0.chart': a p chart needs "
        "'numerator' and 'denominator' columns, but this measure gives a 'value' column; "
        "with those, chart can be: run, xmr, c",
        f"{MEASURES_YAML}: line {line_of(folder, 'multiplier')}, field 'measures.1.multiplier': "
        "a multiplier applies to u charts only (this measure's chart is run)",
        f"{MEASURES_YAML}: line {line_of(folder, 'nope.csv')}, field 'measures.2.file': file "
        "not found: data/nope.csv",
        f"{MEASURES_YAML}: line {line_of(folder, 'id: both') + 6}, field 'measures.3.value': a "
        "series measure needs a 'value' column, or 'numerator' and 'denominator', or (for a u "
        "chart) 'count' and 'exposure'; found: 'value', 'count'",
    ]


def test_a_baseline_needs_two_points(folder: Path) -> None:
    write_csv(folder / "data" / "bp.csv", ["Week", "Systolic"], [["2019-01-07", 1]])
    write_measures(
        folder, measure_yaml(id="b", file="bp.csv", period="Week", value="Systolic", baseline=1)
    )
    assert problems_in_measures_yaml(chart("b")) == [
        f"{MEASURES_YAML}: line {line_of(folder, 'baseline')}, field 'measures.0.baseline': "
        "'1': a baseline needs at least 2 points (a moving range needs two)",
    ]


def test_periods_named_in_settings_must_be_charted(folder: Path) -> None:
    write_csv(
        folder / "data" / "bp.csv",
        ["Week", "Systolic"],
        [[w, v] for w, v in zip(weeks(3), [1, 2, 3], strict=True)],
    )
    write_measures(
        folder,
        measure_yaml(
            id="bp",
            file="bp.csv",
            period="Week",
            value="Systolic",
            rebase=["2019-01-08"],
            exclude=["2019-01-14"],
            annotations=[{"period": "2019-02", "text": "New cuff"}],
        ),
    )
    charted = "(charted: 2019-01-07 to 2019-01-21)"
    assert problems_in_measures_yaml(chart("bp")) == [
        f"{MEASURES_YAML}: line {line_of(folder, 'rebase')}, field 'measures.0.rebase.0': "
        f"'2019-01-08' is not a charted period of this measure {charted}",
        f"{MEASURES_YAML}: line {line_of(folder, 'annotations')}, field "
        f"'measures.0.annotations.0.period': '2019-02' is not a charted period of this "
        f"measure {charted}",
    ]


def test_unknown_measure_id_exits_1_with_a_hint(blood_pressure: Path) -> None:
    result = chart("bp-xmr-mcd")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: 'bp-xmr-mcd' is not a measure id in content/measures.yaml "
        "(did you mean 'bp-xmr-mdc'?)\n"
    )
    far = chart("waiting-times")
    assert far.exit_code == 1
    assert "the ids are: bp-run-anhoej, bp-run-ihi, bp-xmr-mdc, bp-xmr-anhoej" in far.stderr


def test_misuse_exits_2(blood_pressure: Path) -> None:
    assert chart("bp-run-ihi", "--format", "yaml").exit_code == 2
    assert CliRunner().invoke(main, ["chart"]).exit_code == 2


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample content with freshly generated sample data."""
    data = tmp_path_factory.mktemp("sample") / "data"
    result = CliRunner().invoke(main, ["sample-data", "--out", str(data)])
    assert result.exit_code == 0, result.output
    return data


@pytest.mark.parametrize("measure_id", ["active-coaches", "stalled-projects"])
def test_measures_1_and_2_on_the_sample_data(sample: Path, measure_id: str) -> None:
    content = Path(__file__).parent.parent / "content"
    result = CliRunner().invoke(
        main,
        ["chart", measure_id, "--content", str(content), "--data", str(sample), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["chart"], found["rules"]) == ("p", "mdc")
    points = found["points"]
    assert points and all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", p["period"]) for p in points)
    assert [p["period"] for p in points] == sorted(p["period"] for p in points)
    # Values in percent: 100 x numerator / denominator; the centre of each phase is its pooled
    # proportion, 100 x the phase's numerators / its denominators (the sample rebases
    # active-coaches at 2016-01, when the first LifeQI projects began).
    for p in points:
        assert p["value"] == pytest.approx(100 * p["numerator"] / p["denominator"])
        assert 0 <= p["value"] <= 100
        assert 0 <= p["lower"] <= p["centre"] <= p["upper"] <= 100
    for phase in {p["phase"] for p in points}:
        own = [p for p in points if p["phase"] == phase]
        pooled = 100 * sum(p["numerator"] for p in own) / sum(p["denominator"] for p in own)
        assert [p["centre"] for p in own] == pytest.approx([pooled] * len(own))
    if measure_id == "active-coaches":
        assert next(p for p in points if p["phase"] == 2)["period"] == "2016-01"
    assert "(Making Data Count rules)" in found["summary"]


def test_the_measure_page_names_the_rule_set_and_says_trial_limits(
    blood_pressure: Path, tmp_path: Path
) -> None:
    # Eight weeks of example 1: under 13 points, so the limits are trial limits, and under
    # 10 useful points, so no runs analysis; the page must say both, and name the rules.
    rows = [[week, value] for week, value in zip(weeks(8), BLOOD_PRESSURE[:8], strict=True)]
    write_csv(blood_pressure / "data" / "short.csv", ["Week", "Systolic"], rows)
    write_measures(
        blood_pressure,
        measure_yaml(
            id="short",
            file="short.csv",
            period="Week",
            value="Systolic",
            unit="mmHg",
            chart="xmr",
            rules="mdc",
        ),
    )
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["build", "--content", "content", "--data", "data", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = (out / "measures" / "short" / "index.html").read_text(encoding="utf-8")
    page = Page(html)
    # The chart itself labels its limits as trial limits (in the figure's legend).
    assert '"name":"Trial limits (fewer than 13 points)"' in html
    (summary,) = page.cls("chart__summary")
    assert "(Making Data Count rules)" in summary
    assert "the limits are trial limits (fewer than 13 points)" in summary
    assert page.cls("chart__subtitle") == [
        "XmR chart, mmHg, weekly, 7 January 2019 to 25 February 2019"
    ]
    # A series of values has no numerator or denominator: those cells are blank.
    assert page.rows[0][3] == "Value (mmHg)"
    assert page.rows[1][:4] == ["7 January 2019", "", "", "169.0"]


def test_an_excel_series_with_date_cells(folder: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Week starting", "Systolic"])
    for week, value in zip(weeks(26), BLOOD_PRESSURE, strict=True):
        sheet.append([dt.date.fromisoformat(week), value])  # real date cells, not text
    book.save(folder / "data" / "bp.xlsx")
    write_measures(
        folder,
        measure_yaml(
            id="bp", file="bp.xlsx", period="week starting", value="SYSTOLIC", chart="run"
        ),
    )
    points = chart_json("bp")["points"]
    assert [p["period"] for p in points] == weeks(26)
    assert {p["centre"] for p in points} == {174}


def test_series_and_settings_on_the_programme_measures(folder: Path) -> None:
    # The programme's measures are percentages: a c chart does not suit them, and the series
    # fields mean nothing to them.
    write_measures(
        folder,
        measure_yaml(id="active", kind="active_coaches", chart="c", file="x.csv"),
    )
    assert problems_in_measures_yaml(chart("active")) == [
        f"{MEASURES_YAML}: line {line_of(folder, 'chart')}, field 'measures.0.chart': 'c' does "
        "not suit the values of a measure of kind active_coaches; expected one of: run, xmr, p, "
        "pp",
        f"{MEASURES_YAML}: line {line_of(folder, 'file')}, field 'measures.0.file': 'file' "
        "applies to kind: series only",
    ]


def test_check_also_checks_settings_against_the_charted_periods(blood_pressure: Path) -> None:
    ok = CliRunner().invoke(main, ["check", "--content", "content", "--data", "data"])
    assert ok.exit_code == 0, ok.output
    assert "data: 4 series (104 periods)" in ok.stdout
    write_measures(
        blood_pressure,
        measure_yaml(id="bp", file="bp.csv", period="Week", value="Systolic", exclude=["2019-01"]),
    )
    result = CliRunner().invoke(main, ["check", "--content", "content", "--data", "data"])
    assert problems_in_measures_yaml(result) == [
        f"{MEASURES_YAML}: line {line_of(blood_pressure, 'exclude')}, field "
        "'measures.0.exclude.0': '2019-01' is not a charted period of this measure (charted: "
        "2019-01-07 to 2019-07-01)",
    ]


def test_measures_command_lists_series_as_given(folder: Path) -> None:
    write_csv(folder / "data" / "bp.csv", ["Week", "Systolic"], [["2019-01-14", 171.5]])
    write_csv(folder / "data" / "f.csv", ["Day", "Falls", "Bed days"], [["2019-03-01", 3, 800]])
    write_measures(
        folder,
        measure_yaml(id="bp", file="bp.csv", period="Week", value="Systolic"),
        measure_yaml(
            id="falls",
            file="f.csv",
            period="Day",
            count="Falls",
            exposure="Bed days",
            multiplier=1000,
            chart="u",
        ),
    )
    result = CliRunner().invoke(
        main, ["measures", "--content", "content", "--data", "data", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    # 3 falls in 800 bed days = 3.75 per 1000, rounded half up to 3.8.
    assert result.stdout.splitlines() == [
        "measure,month,numerator,denominator,value",
        "bp,2019-01-14,,,171.5",
        "falls,2019-03-01,3,800,3.8",
    ]


def test_monthly_dates_are_kept_as_given_and_read_as_months(folder: Path) -> None:
    # Example 2 with each month written as its first day, as many exports do.
    months = [f"2020-{m:02d}-01" for m in range(1, 13)] + [f"2021-{m:02d}-01" for m in range(1, 7)]
    write_csv(folder / "data" / "x.csv", ["month", "x"], list(zip(months, SCREENING, strict=True)))
    write_measures(
        folder,
        measure_yaml(id="x", file="x.csv", period="month", value="x", chart="xmr", rules="mdc"),
    )
    found = chart_json("x")
    assert [p["period"] for p in found["points"]] == months
    # The summary names months, not days: point 5 is May 2020; the last, June 2021.
    assert found["summary"].startswith("May 2020 was above the upper limit")
    assert "Latest 1.0 in June 2021" in found["summary"]
