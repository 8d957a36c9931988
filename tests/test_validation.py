"""Bad input gives located problems (file, row or line, column or field, value, what was expected),
every problem of every file in one run, exit 1 and no traceback.

Each test copies ``fixtures/valid`` into the working folder (the ``project`` fixture), breaks
something, and compares the exact list of problem lines printed. Row numbers are spreadsheet rows:
the header is row 1, so the first record is row 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from problem_lines import FOLDERS, problems

from qi_report.config import SiteConfig
from qi_report.definitions import MeasureDefinition
from qi_report.measures import KINDS

Run = Callable[..., Result]

# The valid fixture's measures, worked out by hand from tests/fixtures/valid/data:
#   coaches C1 (trained 01-10), C2 (trained 01-10, left 03-15), C3 (trained 02-20);
#   coaching C1 from 01-15 (open), C2 02-01..02-20. Latest date in the data: 2019-04-30.
#   Jan: den C1, C2; num C1 (C2's row starts 02-01 > D)           1/2 = 50.0
#   Feb: den C1, C2, C3; num C1, C2 (02-01..02-20)                2/3 = 66.7
#   Mar: den C1, C3 (C2 left 03-15 <= D); num C1                  1/2 = 50.0
#   Apr: den C1, C3; num C1                                       1/2 = 50.0
#   Stalled: W of Apr is 01-31; P1 (created 01-05) is the only project then: P2 closed 04-10,
#   P3 created 02-01. P1 score(D) 1.5 (03-01) > score(W) 0.5 (01-05): not stalled. 0/1 = 0.0.
#   Before Apr, W is in 2018: den 0.
VALID_MEASURES = [
    "measure,month,numerator,denominator,value",
    "active-coaches,2019-01,1,2,50.0",
    "active-coaches,2019-02,2,3,66.7",
    "active-coaches,2019-03,1,2,50.0",
    "active-coaches,2019-04,1,2,50.0",
    "stalled-projects,2019-04,0,1,0.0",
]


def check(run: Run) -> list[str]:
    return problems(run("check", *FOLDERS))


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in the file ``path``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not exactly once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def one_of(names: Iterable[str]) -> str:
    """The allowed keys as listed in an unknown-key message (taken from the schema so that a new
    optional key elsewhere does not break these tests)."""
    return ", ".join(sorted(names))


def test_the_valid_fixture_passes(project: Path, run: Run) -> None:
    result = run("check", *FOLDERS)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    [line] = result.stdout.splitlines()
    for count in ("2 measures", "3 coaches", "2 coaching", "3 projects", "4 project scores"):
        assert count in line
    measured = run("measures", *FOLDERS, "--format", "csv")
    assert measured.exit_code == 0, measured.output
    assert measured.stdout.splitlines() == VALID_MEASURES


# --- data files -------------------------------------------------------------------------------


def test_missing_data_file(project: Path, run: Run) -> None:
    (project / "data" / "coaching.csv").unlink()
    assert check(run) == [
        "data/coaching.csv: file not found (expected coaching.csv or coaching.xlsx in data/)"
    ]


def test_missing_measures_file(project: Path, run: Run) -> None:
    (project / "content" / "measures.yaml").unlink()
    assert check(run) == ["content/measures.yaml: file not found"]


def test_missing_column(project: Path, run: Run) -> None:
    coaches = project / "data" / "coaches.csv"
    lines = coaches.read_text().splitlines()
    coaches.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")  # no role
    assert check(run) == [
        "data/coaches.csv: row 1, column 'role': missing column 'role' "
        "(columns found: coach_id, trained_on, left_on, directorate)"
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "coaches.csv",
            "C2,2019-01-10",
            "C2,10/01/2019",
            "data/coaches.csv: row 3, column 'trained_on': '10/01/2019' is not a date in the "
            "form YYYY-MM-DD (for day/month/year dates set date_format: '%d/%m/%Y' for coaches "
            "in site.yaml)",
        ),
        (
            "projects.csv",
            "2019-02-01,,active",
            "2019-02-30,,active",
            "data/projects.csv: row 4, column 'created_on': '2019-02-30' is not a real calendar "
            "date (expected YYYY-MM-DD)",
        ),
        (
            "project_scores.csv",
            "P3,2019-04-30",
            "P3,30 April 2019",
            "data/project_scores.csv: row 5, column 'scored_on': '30 April 2019' is not a date "
            "in the form YYYY-MM-DD",
        ),
        (
            "coaching.csv",
            "2019-02-01,2019-02-20",
            "2019-02-01,2019-13-01",
            "data/coaching.csv: row 3, column 'ended_on': '2019-13-01' is not a real calendar "
            "date (expected YYYY-MM-DD)",
        ),
    ],
    ids=["unparsable", "impossible-feb-30", "unparsable-words", "impossible-month-13"],
)
def test_bad_date(project: Path, run: Run, file: str, old: str, new: str, expected: str) -> None:
    edit(project / "data" / file, old, new)
    assert check(run) == [expected]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "coaches.csv",
            "2019-01-10,2019-03-15",
            "2019-01-10,2019-01-09",
            "data/coaches.csv: row 3, column 'left_on': '2019-01-09' is before trained_on "
            "'2019-01-10'",
        ),
        (
            "projects.csv",
            "2019-01-20,2019-04-10",
            "2019-01-20,2019-01-19",
            "data/projects.csv: row 3, column 'closed_on': '2019-01-19' is before created_on "
            "'2019-01-20'",
        ),
        (
            "coaching.csv",
            "2019-02-01,2019-02-20",
            "2019-02-01,2019-01-31",
            "data/coaching.csv: row 3, column 'ended_on': '2019-01-31' is before started_on "
            "'2019-02-01'",
        ),
    ],
    ids=["left-before-trained", "closed-before-created", "ended-before-started"],
)
def test_dates_out_of_order(
    project: Path, run: Run, file: str, old: str, new: str, expected: str
) -> None:
    edit(project / "data" / file, old, new)
    assert check(run) == [expected]


def test_same_day_is_not_out_of_order(project: Path, run: Run) -> None:
    edit(project / "data" / "coaches.csv", "2019-01-10,2019-03-15", "2019-01-10,2019-01-10")
    assert run("check", *FOLDERS).exit_code == 0


def test_duplicate_ids(project: Path, run: Run) -> None:
    edit(project / "data" / "coaches.csv", "C3,", "C1,")
    edit(project / "data" / "projects.csv", "P3,", "P2,")
    # P3 is gone from projects.csv, so its score (row 5) now refers to an unknown project.
    assert check(run) == [
        "data/coaches.csv: row 4, column 'coach_id': 'C1' is a duplicate of row 2",
        "data/project_scores.csv: row 5, column 'project_id': 'P3' is not a project_id in "
        "data/projects.csv",
        "data/projects.csv: row 4, column 'project_id': 'P2' is a duplicate of row 3",
    ]


def test_unknown_references(project: Path, run: Run) -> None:
    edit(project / "data" / "coaching.csv", "C1,P1", "C9,P1")
    edit(project / "data" / "coaching.csv", "C2,P2", "C2,P7")
    edit(project / "data" / "project_scores.csv", "P2,", "P8,")
    assert check(run) == [
        "data/coaching.csv: row 2, column 'coach_id': 'C9' is not a coach_id in data/coaches.csv",
        "data/coaching.csv: row 3, column 'project_id': 'P7' is not a project_id in "
        "data/projects.csv",
        "data/project_scores.csv: row 4, column 'project_id': 'P8' is not a project_id in "
        "data/projects.csv",
    ]


def test_scores_off_the_scale(project: Path, run: Run) -> None:
    (project / "data" / "project_scores.csv").write_text(
        "project_id,scored_on,score\n"
        "P1,2019-01-05,6\n"  # row 2: above 5.0
        "P1,2019-03-01,2.7\n"  # row 3: not a step of 0.5
        "P2,2019-02-01,abc\n"  # row 4: not a number
        "P3,2019-04-30,0\n"  # row 5: below 0.5
        "P3,2019-05-30,5.0\n"  # row 6: the top of the scale, fine
        "P3,2019-06-30,0.5\n"  # row 7: the bottom, fine
    )
    scale = "is not on the 0.5-5.0 scale in steps of 0.5"
    assert check(run) == [
        f"data/project_scores.csv: row 2, column 'score': '6' {scale}",
        f"data/project_scores.csv: row 3, column 'score': '2.7' {scale}",
        f"data/project_scores.csv: row 4, column 'score': 'abc' {scale}",
        f"data/project_scores.csv: row 5, column 'score': '0' {scale}",
    ]


def test_the_issue_example_row_17(project: Path, run: Run) -> None:
    # 18 scores for P1, one a month from 2019-01; the 16th record is on row 17 (header = row 1).
    rows = [f"P1,{2019 + m // 12}-{m % 12 + 1:02d}-01,1.0" for m in range(18)]
    rows[15] = rows[15].replace(",1.0", ",6")
    (project / "data" / "project_scores.csv").write_text(
        "project_id,scored_on,score\n" + "\n".join(rows) + "\n"
    )
    assert check(run) == [
        "data/project_scores.csv: row 17, column 'score': '6' is not on the 0.5-5.0 scale in "
        "steps of 0.5"
    ]


def test_many_rows_with_one_problem_are_counted_not_all_listed(project: Path, run: Run) -> None:
    # 23 bad scores on rows 2-24: rows 2-21 (20 rows) are listed, row 22 says 2 more follow.
    rows = [f"P1,2019-01-{day:02d},6" for day in range(1, 24)]
    (project / "data" / "project_scores.csv").write_text(
        "project_id,scored_on,score\n" + "\n".join(rows) + "\n"
    )
    scale = "'6' is not on the 0.5-5.0 scale in steps of 0.5"
    expected = [f"data/project_scores.csv: row {r}, column 'score': {scale}" for r in range(2, 22)]
    expected.append(
        f"data/project_scores.csv: row 22, column 'score': {scale} "
        "(and the same problem on 2 more rows after this one, not listed)"
    )
    assert check(run) == expected


def test_empty_required_values(project: Path, run: Run) -> None:
    edit(project / "data" / "coaches.csv", "C1,2019-01-10,", "C1,,")
    edit(project / "data" / "coaching.csv", "C2,P2,2019-02-01,", "C2,P2,,")
    edit(project / "data" / "projects.csv", "Adult,2019-01-05,", "Adult,,")
    edit(project / "data" / "project_scores.csv", "2019-04-30,2.5", "2019-04-30,")
    edit(project / "data" / "coaches.csv", "Children,external", "Children,")
    assert check(run) == [
        "data/coaches.csv: row 2, column 'trained_on': empty value; a trained_on is required",
        "data/coaches.csv: row 4, column 'role': empty value; a role is required",
        "data/coaching.csv: row 3, column 'started_on': empty value; a started_on is required",
        "data/project_scores.csv: row 5, column 'score': empty value; a score is required",
        "data/projects.csv: row 2, column 'created_on': empty value; a created_on is required",
    ]


def test_optional_values_may_be_blank(project: Path, run: Run) -> None:
    edit(project / "data" / "projects.csv", "P1,Fewer falls,Adult,", "P1,,,")
    edit(project / "data" / "coaches.csv", "C1,2019-01-10,,Adult,", "C1,2019-01-10,,,")
    assert run("check", *FOLDERS).exit_code == 0


def test_every_problem_in_every_file_in_one_run(project: Path, run: Run) -> None:
    content, data = project / "content", project / "data"
    edit(content / "site.yaml", "title:", "titel:")  # line 1
    edit(content / "site.yaml", "Test Trust", "Test Trust\norganisation: Again")  # line 3
    edit(content / "measures.yaml", "    improvement: increase", "    improvment: increase")
    edit(data / "coaches.csv", "C3,2019-02-20", "C3,2019-02-30")  # row 4
    edit(data / "coaching.csv", "C1,P1", "C7,P1")  # row 2
    edit(data / "projects.csv", "2019-01-20,2019-04-10", "2019-01-20,2019-01-01")  # row 3
    edit(data / "project_scores.csv", "P1,2019-03-01,1.5", "P1,2019-03-01,6")  # row 3
    measure_keys = one_of(MeasureDefinition.model_fields)
    site_keys = one_of(SiteConfig.model_fields)
    expected = [
        "content/measures.yaml: line 6, field 'measures.0.improvment': unknown key "
        f"(did you mean 'improvement'?); expected one of: {measure_keys}",
        f"content/site.yaml: line 1, field 'titel': unknown key (did you mean 'title'?); "
        f"expected one of: {site_keys}",
        "content/site.yaml: line 3: key 'organisation' appears twice (first on line 2)",
        "data/coaches.csv: row 4, column 'trained_on': '2019-02-30' is not a real calendar date "
        "(expected YYYY-MM-DD)",
        "data/coaching.csv: row 2, column 'coach_id': 'C7' is not a coach_id in data/coaches.csv",
        "data/project_scores.csv: row 3, column 'score': '6' is not on the 0.5-5.0 scale in "
        "steps of 0.5",
        "data/projects.csv: row 3, column 'closed_on': '2019-01-01' is before created_on "
        "'2019-01-20'",
    ]
    assert check(run) == expected
    # The measures command validates the same way before computing anything.
    assert problems(run("measures", *FOLDERS)) == expected


# --- YAML content -----------------------------------------------------------------------------


def test_yaml_syntax_error_names_its_line(project: Path, run: Run) -> None:
    edit(project / "content" / "site.yaml", "organisation: Test", "organisation: Test:")
    edit(project / "content" / "measures.yaml", "improvement: decrease", "improvement: a: b")
    assert check(run) == [
        "content/measures.yaml: line 12: YAML syntax error: mapping values are not allowed here",
        "content/site.yaml: line 2: YAML syntax error: mapping values are not allowed here",
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "measures.yaml",
            "    improvement: increase",
            "    improvment: increase",
            "content/measures.yaml: line 6, field 'measures.0.improvment': unknown key (did you "
            "mean 'improvement'?); expected one of: {measure_keys}",
        ),
        (
            "site.yaml",
            "title:",
            "titel:",
            "content/site.yaml: line 1, field 'titel': unknown key (did you mean 'title'?); "
            "expected one of: {site_keys}",
        ),
        (
            "site.yaml",
            "organisation: Test Trust",
            "organisation: Test Trust\nfavourite_colour: blue",
            "content/site.yaml: line 3, field 'favourite_colour': unknown key; expected one of: "
            "{site_keys}",
        ),
        (
            "measures.yaml",
            "      window_months: 3",
            "      window_month: 3",
            "content/measures.yaml: line 15, field 'measures.1.parameters.window_month': unknown "
            "key (did you mean 'window_months'?); expected one of: max_score, window_months",
        ),
    ],
    ids=["improvment", "titel", "no-close-match", "parameter"],
)
def test_unknown_yaml_key(
    project: Path, run: Run, file: str, old: str, new: str, expected: str
) -> None:
    edit(project / "content" / file, old, new)
    keys = {
        "measure_keys": one_of(MeasureDefinition.model_fields),
        "site_keys": one_of(SiteConfig.model_fields),
    }
    assert check(run) == [expected.format(**keys)]


def test_unknown_measure_kind_with_hint(project: Path, run: Run) -> None:
    edit(project / "content" / "measures.yaml", "kind: active_coaches", "kind: active_coach")
    assert check(run) == [
        "content/measures.yaml: line 3, field 'measures.0.kind': 'active_coach' is not a measure "
        f"kind (did you mean 'active_coaches'?); expected one of: {one_of(KINDS)}"
    ]


def test_unknown_kind_and_unknown_key_in_one_file(project: Path, run: Run) -> None:
    # One measure's schema problem must not hide another measure's unknown kind.
    edit(project / "content" / "measures.yaml", "    improvement: increase", "    improvment: 1")
    edit(project / "content" / "measures.yaml", "kind: stalled_projects", "kind: stalled")
    assert check(run) == [
        "content/measures.yaml: line 6, field 'measures.0.improvment': unknown key (did you "
        f"mean 'improvement'?); expected one of: {one_of(MeasureDefinition.model_fields)}",
        "content/measures.yaml: line 9, field 'measures.1.kind': 'stalled' is not a measure "
        f"kind (did you mean 'stalled_projects'?); expected one of: {one_of(KINDS)}",
    ]


def test_bad_measure_parameter_value(project: Path, run: Run) -> None:
    edit(project / "content" / "measures.yaml", "window_months: 3", "window_months: 0")
    [line] = check(run)
    assert line.startswith(
        "content/measures.yaml: line 15, field 'measures.1.parameters.window_months': '0': "
    )


def test_duplicate_yaml_key(project: Path, run: Run) -> None:
    edit(project / "content" / "site.yaml", "organisation:", "title: Again\norganisation:")
    assert check(run) == ["content/site.yaml: line 2: key 'title' appears twice (first on line 1)"]


def test_duplicate_measure_key(project: Path, run: Run) -> None:
    measures = project / "content" / "measures.yaml"
    edit(measures, "    improvement: decrease", "    title: Again\n    improvement: decrease")
    # The second measure's title is on line 10; the repeated one is on line 12.
    assert check(run) == [
        "content/measures.yaml: line 12: key 'title' appears twice (first on line 10)"
    ]


# --- column mapping, Excel, BOM, blank rows ---------------------------------------------------

MAPPED_PROJECTS = """\
data:
  projects:
    file: {file}
    columns:
      project_id: Project ID
      created_on: Created
      closed_on: Closed
"""


def test_column_mapping_for_csv(project: Path, run: Run) -> None:
    projects = project / "data" / "projects.csv"
    header = "project_id,title,directorate,created_on,closed_on"
    edit(projects, header, "Project ID,title,directorate,Created,Closed")
    projects.rename(project / "data" / "lifeqi-projects.csv")
    with (project / "content" / "site.yaml").open("a") as f:
        f.write(MAPPED_PROJECTS.format(file="lifeqi-projects.csv"))
    measured = run("measures", *FOLDERS, "--format", "csv")
    assert measured.exit_code == 0, measured.output
    assert measured.stdout.splitlines() == VALID_MEASURES


def write_projects_xlsx(path: Path, closed_p2: object = dt.date(2019, 4, 10)) -> None:
    """The fixture's projects as a LifeQI-like export: other headers, an extra column, dates as
    real date cells, and a blank row (row 4) and blank trailing rows that must be skipped."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Project ID", "title", "directorate", "Created", "Closed", "status", "Lead"])
    sheet.append(["P1", "Fewer falls", "Adult", dt.date(2019, 1, 5), None, "active", "A"])
    sheet.append(["P2", "Faster discharge", "Adult", dt.datetime(2019, 1, 20), closed_p2, "closed"])
    sheet.append([None] * 7)
    sheet.append(["P3", "Shorter waits", "Children", dt.date(2019, 2, 1), None, "active", "B"])
    sheet.append([None] * 7)
    sheet.append(["", "", None, None, None, "", ""])
    book.save(path)


def test_column_mapping_for_excel(project: Path, run: Run) -> None:
    (project / "data" / "projects.csv").unlink()
    write_projects_xlsx(project / "data" / "lifeqi-projects.xlsx")
    with (project / "content" / "site.yaml").open("a") as f:
        f.write(MAPPED_PROJECTS.format(file="lifeqi-projects.xlsx"))
    measured = run("measures", *FOLDERS, "--format", "csv")
    assert measured.exit_code == 0, measured.output
    assert measured.stdout.splitlines() == VALID_MEASURES


def test_problems_in_a_mapped_excel_file_name_its_headers(project: Path, run: Run) -> None:
    (project / "data" / "projects.csv").unlink()
    write_projects_xlsx(project / "data" / "lifeqi-projects.xlsx", closed_p2=dt.date(2019, 1, 2))
    with (project / "content" / "site.yaml").open("a") as f:
        f.write(MAPPED_PROJECTS.format(file="lifeqi-projects.xlsx"))
        f.write("  project_scores:\n    columns: {project_id: Project}\n")
    edit(project / "data" / "project_scores.csv", "project_id,", "Project,")
    edit(project / "data" / "project_scores.csv", "P2,", "P9,")
    assert check(run) == [
        "data/lifeqi-projects.xlsx: row 3, column 'Closed': '2019-01-02' is before Created "
        "'2019-01-20'",
        "data/project_scores.csv: row 4, column 'Project': 'P9' is not a project_id in "
        "data/lifeqi-projects.xlsx",
    ]


def test_excel_row_numbers_count_blank_rows(project: Path, run: Run) -> None:
    (project / "data" / "projects.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["project_id", "title", "directorate", "created_on", "closed_on", "status"])
    sheet.append(["P1", "Fewer falls", "Adult", dt.date(2019, 1, 5), None, "active"])  # row 2
    sheet.append([None] * 6)  # row 3, blank
    sheet.append(["P2", "Discharge", "Adult", dt.date(2019, 1, 20), "2019-04-31", ""])  # row 4
    sheet.append(["P3", "Waits", "Children", "1 Feb 2019", None, "active"])  # row 5
    book.save(project / "data" / "projects.xlsx")
    assert check(run) == [
        "data/projects.xlsx: row 4, column 'closed_on': '2019-04-31' is not a real calendar "
        "date (expected YYYY-MM-DD)",
        "data/projects.xlsx: row 5, column 'created_on': '1 Feb 2019' is not a date in the form "
        "YYYY-MM-DD",
    ]


def test_missing_mapped_column_and_file(project: Path, run: Run) -> None:
    with (project / "content" / "site.yaml").open("a") as f:
        f.write(
            "data:\n"
            "  projects:\n    columns: {project_id: Project ID}\n"
            "  coaching:\n    file: coaching-export.xlsx\n"
        )
    assert check(run) == [
        "data/coaching-export.xlsx: file not found (named for 'coaching' in site.yaml)",
        "data/projects.csv: row 1, column 'Project ID': missing column 'Project ID' (columns "
        "found: project_id, title, directorate, created_on, closed_on, status)",
    ]


def test_unknown_column_in_the_mapping(project: Path, run: Run) -> None:
    with (project / "content" / "site.yaml").open("a") as f:
        f.write("data:\n  projects:\n    columns: {projectid: Project ID}\n")  # line 5
    assert check(run) == [
        "content/site.yaml: line 5, field 'data.projects.columns.projectid': 'projectid' is not "
        "a column of projects (did you mean 'project_id'?); expected one of: project_id, title, "
        "directorate, created_on, closed_on, status"
    ]


def test_mapping_still_applies_when_site_yaml_has_another_problem(project: Path, run: Run) -> None:
    # A typo elsewhere in site.yaml must not also turn the mapped columns into missing columns.
    edit(project / "data" / "projects.csv", "project_id,", "Project ID,")
    with (project / "content" / "site.yaml").open("a") as f:
        f.write("colour: blue\ndata:\n  projects:\n    columns: {project_id: Project ID}\n")
    assert check(run) == [
        "content/site.yaml: line 3, field 'colour': unknown key; expected one of: "
        + one_of(SiteConfig.model_fields)
    ]


def test_csv_with_a_byte_order_mark(project: Path, run: Run) -> None:
    coaches = project / "data" / "coaches.csv"
    coaches.write_bytes(b"\xef\xbb\xbf" + coaches.read_bytes())
    result = run("measures", *FOLDERS, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == VALID_MEASURES
    edit(coaches, "C3,2019-02-20", "C3,2019-02-30")
    assert check(run) == [
        "data/coaches.csv: row 4, column 'trained_on': '2019-02-30' is not a real calendar date "
        "(expected YYYY-MM-DD)"
    ]


def test_blank_rows_are_skipped_and_row_numbers_match_the_spreadsheet(
    project: Path, run: Run
) -> None:
    (project / "data" / "coaches.csv").write_text(
        "coach_id,trained_on,left_on,directorate,role\n"  # row 1
        "C1,2019-01-10,,Adult,staff\n"  # row 2
        "\n"  # row 3: empty line
        ",,,,\n"  # row 4: only separators
        "C2,2019-01-10,2019-03-15,Adult,service_user\n"  # row 5
        "C3,2019-02-20,,Children,volunteer\n"  # row 6: not a role
        ",,,,\n"  # trailing blank rows
        "\n"
        " , ,,,\n"
    )
    assert check(run) == [
        "data/coaches.csv: row 6, column 'role': 'volunteer' is not a role (expected one of: "
        "staff, service_user, external)"
    ]
    edit(project / "data" / "coaches.csv", "volunteer", "external")
    result = run("measures", *FOLDERS, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == VALID_MEASURES


def test_unreadable_data_file(project: Path, run: Run) -> None:
    # 0x81 is undefined in Windows-1252 as well as invalid UTF-8, so neither reading works. (0xFF,
    # say, is 'ÿ' in Windows-1252: see test_messy_exports.py for that fallback.)
    (project / "data" / "coaches.csv").write_bytes(b"coach_id,trained_on\nC\x811,2019-01-01\n")
    assert check(run) == [
        "data/coaches.csv: row 2: byte 0x81 (at offset 21) is neither UTF-8 nor Windows-1252 "
        "text; save it from Excel as 'CSV UTF-8 (Comma delimited)'"
    ]
