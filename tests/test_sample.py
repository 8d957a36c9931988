"""The sample data generator and the committed data/ folder it made.

Expected values come from the brief (issue 2, point 7; issue 7 for the scales) and from
../shared/FACTS.md, never from running the generator: the committed data/ must be exactly what
``write_sample(SAMPLE, ...)`` writes, shaped like the programme, and give the December 2019
values the newsletter quotes (63% active coaches, stalled projects almost 30%).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from qi_report.cli import main
from qi_report.data import SCHEMAS
from qi_report.sample import generate, write_sample
from qi_report.sample_spec import LARGE, MEDIUM, SAMPLE, SampleSpec, main_spec

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
CONTENT = REPO / "content"
NAMES = ("coaches", "coaching", "projects", "project_scores")

SMALL = replace(SAMPLE, coaches=40, projects=60, score_rows=500)
"""A small data set in the sample's shape (40 coaches, 60 projects)."""


Tables = dict[str, list[dict[str, str]]]


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def committed() -> Tables:
    return {name: read_rows(DATA, name) for name in NAMES}


# --- reproducibility ---------------------------------------------------------------------------


def test_committed_data_is_exactly_the_regenerated_sample(tmp_path: Path) -> None:
    paths = write_sample(SAMPLE, tmp_path / "new" / "data")
    assert [p.name for p in paths] == [f"{name}.csv" for name in NAMES]
    for path in paths:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), path.name


def test_files_are_utf8_with_newline_line_ends_and_schema_headers(tmp_path: Path) -> None:
    for path in write_sample(SMALL, tmp_path):
        raw = path.read_bytes()
        assert b"\r" not in raw
        assert raw.endswith(b"\n")
        header = raw.decode("utf-8").split("\n", 1)[0]
        assert header == ",".join(c.name for c in SCHEMAS[path.stem])


def test_generate_is_deterministic_and_depends_on_the_seed() -> None:
    first, again = generate(SMALL), generate(SMALL)
    assert first.equals(again)
    other = generate(replace(SMALL, seed=SMALL.seed + 1))
    assert not first.equals(other)


def test_frames_have_the_canonical_columns_as_text() -> None:
    data = generate(SMALL)
    for name, frame in data.tables().items():
        assert tuple(frame.columns) == tuple(c.name for c in SCHEMAS[name])
        for column in frame.columns:
            assert all(isinstance(v, str) for v in frame[column]), (name, column)


# --- the shape of the committed sample ---------------------------------------------------------


def test_more_than_100_coaches_trained_by_end_of_2019(committed: Tables) -> None:
    trained = [c for c in committed["coaches"] if c["trained_on"] <= "2019-12-31"]
    assert len(trained) > 100


def test_exactly_three_service_users_and_some_externals(committed: Tables) -> None:
    roles = [c["role"] for c in committed["coaches"]]
    assert roles.count("service_user") == 3
    assert roles.count("external") >= 1
    assert set(roles) == {"staff", "service_user", "external"}


def test_cohorts_trained_in_each_year_from_2015_to_2019(committed: Tables) -> None:
    years = {c["trained_on"][:4] for c in committed["coaches"]}
    assert {"2015", "2016", "2017", "2018", "2019"} <= years
    # A cohort is everyone trained on one course's date: a few courses a year, not one each.
    courses = {c["trained_on"] for c in committed["coaches"]}
    assert len(courses) < len(committed["coaches"]) / 5


def test_some_coaches_have_left(committed: Tables) -> None:
    leavers = [c for c in committed["coaches"] if c["left_on"]]
    assert 0 < len(leavers) < len(committed["coaches"]) / 2


def test_at_least_250_projects_first_created_in_2016(committed: Tables) -> None:
    created = sorted(p["created_on"] for p in committed["projects"])
    assert len(created) >= 250
    assert created[0].startswith("2016-")
    assert any(p["closed_on"] for p in committed["projects"])
    assert any(not p["closed_on"] for p in committed["projects"])


def test_ids_are_opaque_and_titles_distinct(committed: Tables) -> None:
    assert all(re.fullmatch(r"C\d{4}", c["coach_id"]) for c in committed["coaches"])
    assert all(re.fullmatch(r"P\d{5}", p["project_id"]) for p in committed["projects"])
    titles = [p["title"] for p in committed["projects"]]
    assert len(set(titles)) == len(titles)


def test_each_coached_project_has_one_or_two_coaches(committed: Tables) -> None:
    coaches_of: dict[str, set[str]] = {}
    for row in committed["coaching"]:
        coaches_of.setdefault(row["project_id"], set()).add(row["coach_id"])
    assert {len(c) for c in coaches_of.values()} <= {1, 2}
    per_coach: dict[str, int] = {}
    for row in committed["coaching"]:
        per_coach[row["coach_id"]] = per_coach.get(row["coach_id"], 0) + 1
    assert max(per_coach.values()) > 1  # a coach may coach several projects over time


def test_score_paths_look_like_lifeqi_progress(committed: Tables) -> None:
    paths: dict[str, list[tuple[str, float]]] = {}
    for row in committed["project_scores"]:
        paths.setdefault(row["project_id"], []).append((row["scored_on"], float(row["score"])))
    ordered = [[score for _, score in sorted(path)] for path in paths.values()]
    starts = [path[0] for path in ordered]
    best = [max(path) for path in ordered]
    n = len(ordered)
    assert sum(0.5 <= s <= 1.5 for s in starts) > n / 2  # most start at 0.5-1.5
    assert sum(2.0 <= b <= 2.5 for b in best) > n / 5  # many stall at 2.0-2.5
    assert sum(b >= 3.0 for b in best) > n / 5  # some reach 3.0 or more
    assert 0 < sum(b >= 4.0 for b in best) < n / 4  # a few reach 4.0-5.0
    assert any(later < earlier for path in ordered for earlier, later in pairwise(path))


def test_no_date_after_december_2019(committed: Tables) -> None:
    dates = [
        v
        for rows in committed.values()
        for row in rows
        for k, v in row.items()
        if k.endswith("_on") and v
    ]
    assert max(dates) <= "2019-12-31"
    assert max(dates) >= "2019-12-01"  # the report ends in December 2019


# --- the measures, through the real command line -----------------------------------------------


def measures_csv(data: Path) -> dict[tuple[str, str], tuple[int, int, str]]:
    result = CliRunner().invoke(
        main, ["measures", "--format", "csv", "--content", str(CONTENT), "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(io.StringIO(result.stdout))
    return {
        (r["measure"], r["month"]): (int(r["numerator"]), int(r["denominator"]), r["value"])
        for r in rows
    }


def test_december_2019_values_are_those_the_newsletter_quotes() -> None:
    table = measures_csv(DATA)
    assert max(month for _, month in table) == "2019-12"

    num, den, value = table[("active-coaches", "2019-12")]
    percent = Decimal(100 * num) / Decimal(den)
    assert percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP) == 63  # 63% when rounded
    assert Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP) == 63

    num, den, value = table[("stalled-projects", "2019-12")]
    assert 28 <= Decimal(100 * num) / Decimal(den) <= 30  # "almost 30%"
    assert 28 <= Decimal(value) <= 30


def test_measures_vary_from_month_to_month() -> None:
    table = measures_csv(DATA)
    for measure in ("active-coaches", "stalled-projects"):
        values = [
            float(v)
            for (m, month), (_, _, v) in sorted(table.items())
            if m == measure and "2018-01" <= month <= "2019-12"
        ]
        assert len(values) == 24
        changes = [b - a for a, b in pairwise(values)]
        assert sum(c > 0 for c in changes) >= 5 and sum(c < 0 for c in changes) >= 5, measure


# --- other sizes -------------------------------------------------------------------------------


def check(data: Path) -> str:
    result = CliRunner().invoke(main, ["check", "--content", str(CONTENT), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_small_spec_passes_check(tmp_path: Path) -> None:
    write_sample(SMALL, tmp_path)
    output = check(tmp_path)
    assert output.startswith("OK:")
    assert "40 coaches" in output and "60 projects" in output


def test_a_slice_of_the_benchmark_shape_passes_check(tmp_path: Path) -> None:
    # MEDIUM's shape (monthly courses from 2010, many projects per coach) at a tenth of its size.
    write_sample(replace(MEDIUM, coaches=500, projects=5_000, score_rows=100_000), tmp_path)
    check(tmp_path)


def test_score_rows_are_counted_approximately() -> None:
    spec = replace(MEDIUM, coaches=500, projects=5_000, score_rows=100_000)
    rows = len(generate(spec).project_scores)
    assert abs(rows - 100_000) <= 1_000  # within 1%


def test_presets_are_the_benchmark_scales() -> None:
    assert main_spec("sample") is SAMPLE
    assert main_spec("medium") is MEDIUM
    assert main_spec("large") is LARGE
    # Issue 7: M = 5,000 coaches, 50,000 projects, 1,000,000 score rows, 10 years;
    # L = 20,000 coaches, 200,000 projects, 5,000,000 score rows.
    assert (MEDIUM.coaches, MEDIUM.projects, MEDIUM.score_rows) == (5_000, 50_000, 1_000_000)
    assert int(MEDIUM.last_month[:4]) - MEDIUM.first_year + 1 == 10
    assert (LARGE.coaches, LARGE.projects, LARGE.score_rows) == (20_000, 200_000, 5_000_000)
    # The sample: 2015 to December 2019, three service users.
    assert (SAMPLE.first_year, SAMPLE.last_month, SAMPLE.service_users) == (2015, "2019-12", 3)
    with pytest.raises(ValueError, match="unknown sample size"):
        main_spec("huge")


def test_impossible_specs_are_refused() -> None:
    with pytest.raises(ValueError):
        SampleSpec(coaches=5, service_users=3, externals=2)
    with pytest.raises(ValueError):
        SampleSpec(course_months=(0,))
