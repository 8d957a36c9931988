"""The vectorised measures at benchmark scale M equal the plain reference implementation.

Scale M (``qi_report.sample_spec.MEDIUM``: 5,000 coaches, 50,000 projects, about 1,000,000 score
rows over ten years) is generated in memory, then cut to a slice the slow reference can check in a
few seconds: every 10th coach (500) with all their coaching rows, the projects those rows name
(about 5,700), and all of those projects' score rows (about 115,000). The slice keeps M's shape
(ten years, cohorts every month, projects opened and closed throughout); it is written as the
four CSV files and computed by the real code (``load_inputs`` then ``compute_measures``), once
with the score rows in the generator's order (by project, then date) and once shuffled, since
the score table is built differently for rows already in order.

The reference (``tests/reference_measures.py``) counts, for one month, coach by coach and
project by project, scanning the rows that name each one. Its numerator and denominator are
sums over coaches (or projects) of 0 or 1, so it is applied here to each coach with only its
own coaching rows, and to each project with only its own score rows, and the counts added up:
the same sums, without rescanning every row for every coach, project and month.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import reference_measures as ref

from qi_report.build import compute_measures, load_inputs
from qi_report.sample import generate
from qi_report.sample_spec import MEDIUM

COACH_STEP = 10
STALLED = {"stalled-projects": (2.5, 3), "stalled-after-six-months": (1.5, 6)}
"""The stalled-projects measures computed: id -> (max_score, window_months)."""
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
    parameters: {max_score: 2.5, window_months: 3}
  - id: stalled-after-six-months
    kind: stalled_projects
    title: Stalled projects, six months
    definition: test
    parameters: {max_score: 1.5, window_months: 6}
"""
Tables = dict[str, list[dict[str, str]]]


@pytest.fixture(scope="module")
def medium_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slice of scale M as a content and data folder: ``root/content``, ``root/data``."""
    tables = generate(MEDIUM).tables()
    coaches = tables["coaches"].iloc[::COACH_STEP]
    coaching = tables["coaching"][tables["coaching"]["coach_id"].isin(coaches["coach_id"])]
    projects = tables["projects"][tables["projects"]["project_id"].isin(coaching["project_id"])]
    scores = tables["project_scores"]
    scores = scores[scores["project_id"].isin(projects["project_id"])]
    root = tmp_path_factory.mktemp("medium-slice")
    (root / "content").mkdir()
    (root / "content" / "measures.yaml").write_text(MEASURES_YAML, encoding="utf-8")
    for name, frame in {
        "coaches": coaches,
        "coaching": coaching,
        "projects": projects,
        "project_scores": scores,
    }.items():
        folder = root / "data"
        folder.mkdir(exist_ok=True)
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return root


def months_of(tables: Tables) -> list[tuple[int, int]]:
    """Every month from the earliest to the latest date in the four tables (as the reference)."""
    dates = [
        ref.day(row[column])
        for rows in tables.values()
        for row in rows
        for column in ref.DATE_COLUMNS
        if row.get(column)
    ]
    first, last = min(d for d in dates if d), max(d for d in dates if d)
    months, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = ref.months_before(year, month, -1)
    return months


def reference_counts(tables: Tables) -> dict[str, list[tuple[str, int, int]]]:
    """The reference's (month, numerator, denominator), summed coach by coach and project by
    project, from the first month with a non-zero denominator (as the reference reports)."""
    rows_of_coach: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["coaching"]:
        rows_of_coach[row["coach_id"]].append(row)
    scores_of_project: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["project_scores"]:
        scores_of_project[row["project_id"]].append(row)
    each_coach = [
        {"coaches": [coach], "coaching": rows_of_coach[coach["coach_id"]]}
        for coach in tables["coaches"]
    ]
    each_project = [
        {"projects": [project], "project_scores": scores_of_project[project["project_id"]]}
        for project in tables["projects"]
    ]
    found: dict[str, list[tuple[str, int, int]]] = {"active-coaches": []} | {m: [] for m in STALLED}
    for year, month in months_of(tables):
        label = f"{year:04d}-{month:02d}"
        counts = {"active-coaches": [ref.active_coaches(one, year, month) for one in each_coach]}
        for measure_id, (max_score, window) in STALLED.items():
            counts[measure_id] = [
                ref.stalled_projects(one, year, month, max_score, window) for one in each_project
            ]
        for measure_id, pairs in counts.items():
            numerator = sum(n for n, _ in pairs)
            denominator = sum(d for _, d in pairs)
            if found[measure_id] or denominator > 0:
                found[measure_id].append((label, numerator, denominator))
    return found


def computed_counts(root: Path, data: Path) -> dict[str, list[tuple[str, int, int]]]:
    """The real code's (month, numerator, denominator) of each measure, by measure id."""
    inputs = load_inputs(root / "content", data)
    return {
        s.measure_id: [
            (period, int(n), int(d))
            for period, n, d in zip(s.periods, s.numerators, s.denominators, strict=True)
        ]
        for s in compute_measures(inputs)
    }


def test_slice_of_medium_has_the_shape_of_medium(medium_slice: Path) -> None:
    tables = ref.read_tables(medium_slice / "data")
    assert len(tables["coaches"]) == 5_000 // COACH_STEP
    assert 4_000 < len(tables["projects"]) < 8_000
    assert 80_000 < len(tables["project_scores"]) < 200_000
    years = {row["created_on"][:4] for row in tables["projects"]}
    assert len(years) == 10  # projects from every year, 2010 to 2019


def test_medium_slice_matches_the_reference(medium_slice: Path, tmp_path: Path) -> None:
    tables = ref.read_tables(medium_slice / "data")
    expected = reference_counts(tables)
    assert len(expected["active-coaches"]) >= 110  # ten years, from the first coach's month
    assert all(len(expected[m]) >= 100 for m in STALLED)
    # Not trivial: both measures have months with some, and months with not all, counted.
    for rows in expected.values():
        assert any(0 < n < d for _, n, d in rows)

    assert computed_counts(medium_slice, medium_slice / "data") == expected

    # The same data with the score rows in no order: the other path of the score table.
    shuffled = tmp_path / "data"
    shuffled.mkdir()
    for name in ref.TABLES:
        text = (medium_slice / "data" / f"{name}.csv").read_text(encoding="utf-8")
        if name == "project_scores":
            header, *rows = text.splitlines()
            rows = rows[1::2][::-1] + rows[0::2]  # no project's rows in date order any more
            text = "\n".join([header, *rows]) + "\n"
        (shuffled / f"{name}.csv").write_text(text, encoding="utf-8")
    assert computed_counts(medium_slice, shuffled) == expected
