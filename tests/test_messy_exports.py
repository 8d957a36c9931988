"""Messy real exports: each is read correctly, or named precisely (file, spreadsheet row, column,
value, what was expected), with exit 1 and no traceback.

Each test starts from ``fixtures/valid`` in a temporary working folder (the ``project`` fixture),
rewrites one or more of its data files the way a real export or a hand edit in Excel would, and
compares either the exact problem lines or the exact measures. Workbooks are written with
openpyxl, with real date, datetime, number and error cells.

The valid fixture's measures, worked out by hand (see also test_validation.py):
  coaches C1 (trained 2019-01-10), C2 (trained 01-10, left 03-15), C3 (trained 02-20);
  coaching C1 from 01-15 (open), C2 02-01..02-20. Latest date in the data: 2019-04-30.
  Jan: den C1, C2; num C1 (C2's row starts 02-01, after D)     1/2 = 50.0
  Feb: den C1, C2, C3; num C1, C2                              2/3 = 66.7
  Mar: den C1, C3 (C2 left 03-15 <= D); num C1                 1/2 = 50.0
  Apr: den C1, C3; num C1                                      1/2 = 50.0
  Stalled, Apr: W = 01-31; P1 (created 01-05) alone qualifies (P2 closed 04-10, P3 created
  02-01); P1 score(D) 1.5 > score(W) 0.5: not stalled, 0/1 = 0.0. Before Apr, W is in 2018.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import Result
from problem_lines import FOLDERS, problems

from qi_report.problems import Problems
from qi_report.readers import read_table

Run = Callable[..., Result]

VALID_MEASURES = [
    "measure,month,numerator,denominator,value",
    "active-coaches,2019-01,1,2,50.0",
    "active-coaches,2019-02,2,3,66.7",
    "active-coaches,2019-03,1,2,50.0",
    "active-coaches,2019-04,1,2,50.0",
    "stalled-projects,2019-04,0,1,0.0",
]

COACHES = ["coach_id", "trained_on", "left_on", "directorate", "role"]
COACHING = ["coach_id", "project_id", "started_on", "ended_on"]
PROJECTS = ["project_id", "title", "directorate", "created_on", "closed_on", "status"]
SCORES = ["project_id", "scored_on", "score"]
ERROR_HINT = "(correct the formula that made it, or clear the cell)"
SCALE = "is not on the 0.5-5.0 scale in steps of 0.5"


def check(run: Run) -> list[str]:
    return problems(run("check", *FOLDERS))


def measures(run: Run) -> list[str]:
    result = run("measures", *FOLDERS, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines: list[str] = result.stdout.splitlines()
    return lines


def workbook(
    path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], errors: Sequence[str] = ()
) -> None:
    """An .xlsx file with ``header`` on row 1 and ``rows`` below it; the cells named in
    ``errors`` (e.g. "B3") are Excel error cells, as a failed formula leaves them."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for coordinate in errors:
        sheet[coordinate].data_type = "e"
    book.save(path)


def write_csv(path: Path, lines: Sequence[str], encoding: str = "utf-8") -> None:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def add_to_site_yaml(project: Path, text: str) -> None:
    """Append to the fixture's two-line site.yaml (so the first appended line is line 3)."""
    with (project / "content" / "site.yaml").open("a", encoding="utf-8") as f:
        f.write(text)


# --- Excel dates: date cells, datetimes, serial numbers ---------------------------------------


def test_excel_date_cells_datetimes_and_serial_numbers(project: Path, run: Run) -> None:
    data = project / "data"
    (data / "coaches.csv").unlink()
    (data / "coaching.csv").unlink()
    # Headers in other cases and with spaces; a date cell, a midnight datetime, a serial number
    # (43516 = 2019-02-20: day 0 is 1899-12-30) and a datetime at 14:35 (that day counts);
    # then a row of spaces and non-breaking spaces, and blank rows, all skipped.
    workbook(
        data / "coaches.xlsx",
        [" COACH_ID", "Trained_On ", "left_on", "Directorate", "ROLE"],
        [
            ["C1", dt.date(2019, 1, 10), None, "Adult", "staff"],
            [
                "C2",
                dt.datetime(2019, 1, 10),
                dt.datetime(2019, 3, 15, 14, 35),
                "Adult",
                "service_user",
            ],
            ["C3", 43516, None, "Children", "external"],
            ["  ", "\u00a0", None, "", " "],
            [None] * 5,
        ],
    )
    # C1 starts on 43480.0 (a float serial: 2019-01-15); C2's row now starts 2019-01-31 at 15:00,
    # which counts as 31 January, ends on a date cell, 2019-02-20.
    workbook(
        data / "coaching.xlsx",
        COACHING,
        [
            ["C1", "P1", 43480.0, None],
            ["C2", "P2", dt.datetime(2019, 1, 31, 15, 0), dt.date(2019, 2, 20)],
        ],
    )
    # Only January changes from the valid fixture: D = 2019-01-31, so C2's row (from 01-31)
    # counts. Jan: den C1, C2; num C1, C2 = 2/2 = 100.0. Had the time been kept, 01-31 15:00 >
    # D and January would be 1/2. Feb to Apr are as in the fixture.
    assert measures(run) == [
        "measure,month,numerator,denominator,value",
        "active-coaches,2019-01,2,2,100.0",
        "active-coaches,2019-02,2,3,66.7",
        "active-coaches,2019-03,1,2,50.0",
        "active-coaches,2019-04,1,2,50.0",
        "stalled-projects,2019-04,0,1,0.0",
    ]


def test_numbers_as_ids_in_excel_and_spaces_around_values(project: Path, run: Run) -> None:
    data = project / "data"
    (data / "projects.csv").unlink()
    # Excel holds 101 and 103 as numbers and 102 as a float (102.0): each is read as '10x'.
    workbook(
        data / "projects.xlsx",
        PROJECTS,
        [
            [101, "Fewer falls", "Adult", dt.date(2019, 1, 5), None, "active"],
            [102.0, "Faster discharge", "Adult", dt.date(2019, 1, 20), dt.date(2019, 4, 10), ""],
            [103, "Shorter waits", "Children", dt.date(2019, 2, 1), None, "active"],
        ],
    )
    # The CSV files name them as text, with spaces and a non-breaking space around them.
    write_csv(
        data / "coaching.csv",
        [",".join(COACHING), "C1, 101 ,2019-01-15,", "C2,102\u00a0,2019-02-01,2019-02-20"],
    )
    write_csv(
        data / "project_scores.csv",
        [
            ",".join(SCORES),
            "101,2019-01-05,0.5",
            " 101,2019-03-01 ,1.5",
            "\u00a0102,2019-02-01,2.0",
            "103 ,2019-04-30,2.5",
        ],
    )
    # Same data as the fixture under other ids: the same measures.
    assert measures(run) == VALID_MEASURES


def test_serial_numbers_in_a_workbook_that_counts_from_1904(project: Path, run: Run) -> None:
    # Excel for Mac's old date system counts from 1904-01-01, 1462 days after Windows' day 0:
    # there, 43830 - 1462 = 42368 is 2019-12-31. The workbook says which system it uses.
    (project / "data" / "coaches.csv").unlink()
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    sheet.append(COACHES)
    # 42013 = 2019-01-10 and 42054 = 2019-02-20 (43475 and 43516, less 1462); C2's dates are
    # date cells, which the workbook stores in the same system.
    sheet.append(["C1", 42013, None, "Adult", "staff"])
    sheet.append(["C2", dt.date(2019, 1, 10), dt.date(2019, 3, 15), "Adult", "service_user"])
    sheet.append(["C3", 42054, None, "Children", "external"])
    book.save(project / "data" / "coaches.xlsx")
    assert measures(run) == VALID_MEASURES


def test_spaces_inside_values(project: Path) -> None:
    path = project / "data" / "projects.csv"
    write_csv(
        path,
        [
            ",".join(PROJECTS),
            "\u200bP1,Fewer\u00a0falls ,Adult,2019-01-05,,active",  # a zero-width space; an NBSP
            "P2,\ufeffFaster  discharge,Adult,2019-01-20,2019-04-10,closed",  # a stray BOM
        ],
    )
    raw = read_table(path, Problems())
    assert raw is not None
    assert raw.text(0).tolist() == ["P1", "P2"]
    assert raw.text(1).tolist() == ["Fewer falls", "Faster  discharge"]


def test_excel_cells_that_are_not_dates(project: Path, run: Run) -> None:
    data = project / "data"
    (data / "coaches.csv").unlink()
    workbook(
        data / "coaches.xlsx",
        COACHES,
        [
            ["C1", dt.time(9, 30), None, "Adult", "staff"],  # row 2: a time of day
            ["C2", 367, 366, "Adult", "staff"],  # row 3: 367 = 1901-01-01; 366 = 1900-12-31
            ["C3", 109574, 109575, "Adult", "staff"],  # row 4: 2199-12-31, then 2200-01-01
            ["C4", "20/02/2019", "1019-02-20", "Adult", "staff"],  # row 5: text, not ISO dates
            ["C5", -1, 1e300, "Adult", "staff"],  # row 6: numbers that are no date at all
        ],
    )
    serial = (
        "is a number, not a date (read as an Excel serial date, it is not in the years 1901 to "
        "2199)"
    )
    assert check(run) == [
        "data/coaches.xlsx: row 2, column 'trained_on': '09:30:00' is a time of day, not a date",
        f"data/coaches.xlsx: row 3, column 'left_on': '366' {serial}",
        f"data/coaches.xlsx: row 4, column 'left_on': '109575' {serial}",
        "data/coaches.xlsx: row 5, column 'trained_on': '20/02/2019' is not a date in the form "
        "YYYY-MM-DD (for day/month/year dates set date_format: '%d/%m/%Y' for coaches in "
        "site.yaml)",
        "data/coaches.xlsx: row 5, column 'left_on': '1019-02-20' is not in the years 1901 to "
        "2199 (a mistyped year?)",
        f"data/coaches.xlsx: row 6, column 'trained_on': '-1' {serial}",
        f"data/coaches.xlsx: row 6, column 'left_on': '1e+300' {serial}",
    ]


def test_a_number_in_a_csv_date_column_is_not_a_serial_date(project: Path, run: Run) -> None:
    # Only an Excel number cell is a serial date: in CSV text, 43475 is just a number.
    coaches = project / "data" / "coaches.csv"
    coaches.write_text(coaches.read_text().replace("C1,2019-01-10", "C1,43475"))
    assert check(run) == [
        "data/coaches.csv: row 2, column 'trained_on': '43475' is not a date in the form YYYY-MM-DD"
    ]


# --- UK dates and date_format -----------------------------------------------------------------


def uk(path: Path) -> None:
    """Rewrite every YYYY-MM-DD date in a CSV file as DD/MM/YYYY."""
    text = path.read_text()
    for token in set(text.replace("\n", ",").split(",")):
        if len(token) == 10 and token[4] == "-" and token[7] == "-":
            year, month, day = token.split("-")
            text = text.replace(token, f"{day}/{month}/{year}")
    path.write_text(text)


def test_uk_dates_need_date_format(project: Path, run: Run) -> None:
    uk(project / "data" / "coaches.csv")
    edit = project / "data" / "coaching.csv"
    edit.write_text(edit.read_text().replace("2019-02-01,2019-02-20", "02/13/2019,2019.02.20"))
    hint = "(for day/month/year dates set date_format: '%d/%m/%Y' for coaches in site.yaml)"
    assert check(run) == [
        "data/coaches.csv: row 2, column 'trained_on': '10/01/2019' is not a date in the form "
        f"YYYY-MM-DD {hint}",
        "data/coaches.csv: row 3, column 'trained_on': '10/01/2019' is not a date in the form "
        f"YYYY-MM-DD {hint}",
        "data/coaches.csv: row 3, column 'left_on': '15/03/2019' is not a date in the form "
        f"YYYY-MM-DD {hint}",
        "data/coaches.csv: row 4, column 'trained_on': '20/02/2019' is not a date in the form "
        f"YYYY-MM-DD {hint}",
        # 13 cannot be a month, so this one is month first (a US export).
        "data/coaching.csv: row 3, column 'started_on': '02/13/2019' is not a date in the form "
        "YYYY-MM-DD (for month/day/year dates set date_format: '%m/%d/%Y' for coaching in "
        "site.yaml)",
        "data/coaching.csv: row 3, column 'ended_on': '2019.02.20' is not a date in the form "
        "YYYY-MM-DD (for year/month/day dates set date_format: '%Y.%m.%d' for coaching in "
        "site.yaml)",
    ]


def test_uk_dates_with_date_format_for_one_table(project: Path, run: Run) -> None:
    uk(project / "data" / "coaches.csv")
    add_to_site_yaml(project, "data:\n  coaches:\n    date_format: '%d/%m/%Y'\n")
    assert measures(run) == VALID_MEASURES


def test_a_date_format_for_every_table_and_one_table_that_differs(project: Path, run: Run) -> None:
    for name in ("coaches", "projects", "project_scores"):
        uk(project / "data" / f"{name}.csv")
    # coaching.csv keeps ISO dates and says so; a single-digit day and month are fine.
    add_to_site_yaml(
        project, "data:\n  date_format: '%d/%m/%Y'\n  coaching:\n    date_format: '%Y-%m-%d'\n"
    )
    scores = project / "data" / "project_scores.csv"
    scores.write_text(scores.read_text().replace("05/01/2019", "5/1/2019"))
    assert measures(run) == VALID_MEASURES


def test_date_format_is_strict(project: Path, run: Run) -> None:
    add_to_site_yaml(project, "data:\n  coaches:\n    date_format: '%d/%m/%Y'\n")
    write_csv(
        project / "data" / "coaches.csv",
        [
            ",".join(COACHES),
            "C1,31/02/2019,,Adult,staff",  # row 2: no 31 February
            "C2,12/31/2019,,Adult,staff",  # row 3: no month 31 (a month-first date)
            "C3,10/01/19,,Adult,staff",  # row 4: a two-digit year
            "C4,2019-01-10,10/01/2019 09:00,Adult,staff",  # row 5: ISO; then a time of day
        ],
    )
    setting = "(date_format '%d/%m/%Y' in site.yaml)"
    assert check(run) == [
        "data/coaches.csv: row 2, column 'trained_on': '31/02/2019' is not a real calendar date "
        "(expected DD/MM/YYYY)",
        "data/coaches.csv: row 3, column 'trained_on': '12/31/2019' is not a real calendar date "
        "(expected DD/MM/YYYY)",
        f"data/coaches.csv: row 4, column 'trained_on': '10/01/19' is not a date in the form "
        f"DD/MM/YYYY {setting}",
        f"data/coaches.csv: row 5, column 'trained_on': '2019-01-10' is not a date in the form "
        f"DD/MM/YYYY {setting}",
        f"data/coaches.csv: row 5, column 'left_on': '10/01/2019 09:00' is not a date in the "
        f"form DD/MM/YYYY {setting}",
    ]


def test_excel_date_cells_are_dates_whatever_date_format_says(project: Path, run: Run) -> None:
    (project / "data" / "coaches.csv").unlink()
    workbook(
        project / "data" / "coaches.xlsx",
        COACHES,
        [
            ["C1", dt.date(2019, 1, 10), None, "Adult", "staff"],
            ["C2", "10/01/2019", "15/03/2019", "Adult", "service_user"],  # text cells: UK dates
            ["C3", 43516, None, "Children", "external"],  # a serial number: 2019-02-20
        ],
    )
    add_to_site_yaml(project, "data:\n  coaches:\n    date_format: '%d/%m/%Y'\n")
    assert measures(run) == VALID_MEASURES


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "coaches:\n    date_format: '%d/%m/%y'",
            "line 5, field 'data.coaches.date_format': '%d/%m/%y': a two-digit year (%y) is "
            "ambiguous; use %Y",
        ),
        (
            "date_format: '%m/%Y'",
            "line 4, field 'data.date_format': '%m/%Y': a date_format needs a day (%d), e.g. "
            "'%d/%m/%Y'",
        ),
        (
            "date_format: '%d/%m/%Y %j'",
            "line 4, field 'data.date_format': '%d/%m/%Y %j': '%j' is not supported; use %d, %m "
            "(or %b, %B) and %Y, and for a time of day %H, %M and %S",
        ),
    ],
    ids=["two-digit-year", "no-day", "unknown-directive"],
)
def test_a_bad_date_format_is_a_located_problem(
    project: Path, run: Run, setting: str, expected: str
) -> None:
    add_to_site_yaml(project, f"data:\n  {setting}\n")  # "data:" is line 3
    assert check(run) == [f"content/site.yaml: {expected}"]


# --- encodings ----------------------------------------------------------------------------------


CP1252_TITLE = "Caf\u00e9 \u00a3 \u201cquotes\u201d \u2013 na\u00efve"
"""Cafe with an acute accent, a pound sign, smart quotes, an en dash, naive with a diaeresis:
each is one byte in Windows-1252, and the smart quotes and the dash (0x93, 0x94, 0x96) are not
even Latin-1."""


def test_windows_1252_csv_is_read_and_said_so(project: Path, run: Run) -> None:
    projects = project / "data" / "projects.csv"
    text = projects.read_text().replace("Fewer falls", CP1252_TITLE)
    projects.write_bytes(text.encode("cp1252"))
    assert b"\xe9" in projects.read_bytes()  # not UTF-8
    result = run("check", *FOLDERS)
    assert result.exit_code == 0, result.output
    assert "3 projects (read as Windows-1252 text)" in result.stdout
    assert "3 coaches," in result.stdout  # the UTF-8 files are not marked
    raw = read_table(projects, Problems())
    assert raw is not None
    assert raw.text(1).tolist() == [CP1252_TITLE, "Faster discharge", "Shorter waits"]
    assert measures(run) == VALID_MEASURES


def test_a_byte_that_is_neither_utf8_nor_windows_1252(project: Path, run: Run) -> None:
    # 0x8D is undefined in Windows-1252. Offsets count from 0: the header line is 45 bytes
    # with its newline, "C1,2019-01-10,,Adult,staff\n" is 27 more, so "C2" starts at 72 and
    # the bad byte after it is at 74, on row 3.
    coaches = project / "data" / "coaches.csv"
    data = coaches.read_bytes().replace(b"C2,", b"C2\x8d,")
    coaches.write_bytes(data)
    assert data.index(b"\x8d") == 74
    assert check(run) == [
        "data/coaches.csv: row 3: byte 0x8D (at offset 74) is neither UTF-8 nor Windows-1252 "
        "text; save it from Excel as 'CSV UTF-8 (Comma delimited)'"
    ]


def test_a_utf8_file_with_a_bom_and_a_stray_byte_is_not_guessed(project: Path, run: Run) -> None:
    # A byte-order mark says UTF-8: a bad byte then is an error, not a reason to try another
    # encoding. The stray 0xE9 after "C3" is at 3 (the mark) + 45 (header) + 27 (C1's row) +
    # 44 (C2's row, "C2,2019-01-10,2019-03-15,Adult,service_user\n") + 2 = 121.
    coaches = project / "data" / "coaches.csv"
    data = codecs.BOM_UTF8 + coaches.read_bytes().replace(b"C3,", b"C3\xe9,")
    coaches.write_bytes(data)
    assert data.index(b"\xe9") == 121
    assert check(run) == [
        "data/coaches.csv: row 4: byte 0xE9 (at offset 121) is not valid UTF-8 text; save it "
        "from Excel as 'CSV UTF-8 (Comma delimited)'"
    ]


def test_utf16_text_is_refused_with_what_to_do(project: Path, run: Run) -> None:
    coaches = project / "data" / "coaches.csv"
    coaches.write_bytes(coaches.read_text().encode("utf-16"))
    assert check(run) == [
        "data/coaches.csv: is UTF-16 text (Excel's 'Unicode Text'), not CSV; save it from Excel "
        "as 'CSV UTF-8 (Comma delimited)'"
    ]


# --- rows, headers, empty files -----------------------------------------------------------------


def test_blank_rows_of_spaces_and_commas_keep_row_numbers(project: Path, run: Run) -> None:
    write_csv(
        project / "data" / "coaches.csv",
        [
            " Coach_ID ,TRAINED_ON,\u00a0left_on\u00a0, Directorate,Role",  # row 1
            "C1,2019-01-10,,Adult,staff",  # row 2
            ",,,,",  # row 3
            " ,\u00a0, ,\t,",  # row 4: spaces, a non-breaking space, a tab
            "C2,2019-01-10,2019-03-15,Adult,service_user",  # row 5
            "",  # row 6
            "C3,2019-02-20,,Children,Staff",  # row 7: a role is lower case
            ",,,,",
            "",
        ],
    )
    assert check(run) == [
        "data/coaches.csv: row 7, column 'role': 'Staff' is not a role (expected one of: staff, "
        "service_user, external)"
    ]


def test_duplicate_headers_after_case_and_spaces(project: Path, run: Run) -> None:
    scores = project / "data" / "project_scores.csv"
    lines = scores.read_text().splitlines()
    scores.write_text(
        "\n".join([lines[0] + ", Score "] + [line + ",1.0" for line in lines[1:]]) + "\n"
    )
    assert check(run) == [
        "data/project_scores.csv: row 1, column 'score': 2 columns have this header, ignoring "
        "case and spaces: C ('score'), D ('Score'); keep one"
    ]


def test_a_duplicate_header_in_a_column_not_read_is_fine(project: Path, run: Run) -> None:
    scores = project / "data" / "project_scores.csv"
    lines = scores.read_text().splitlines()
    scores.write_text(
        "\n".join([lines[0] + ",Note,note"] + [line + ",a,b" for line in lines[1:]]) + "\n"
    )
    assert measures(run) == VALID_MEASURES


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n"], ids=["no-bytes", "blank-lines"])
def test_an_empty_file(project: Path, run: Run, content: bytes) -> None:
    (project / "data" / "coaches.csv").write_bytes(content)
    assert check(run) == ["data/coaches.csv: is empty; row 1 must hold the column headers"]


def test_a_header_without_names(project: Path, run: Run) -> None:
    (project / "data" / "coaches.csv").write_text(",,,\nC1,2019-01-10,,Adult,staff\n")
    assert check(run) == ["data/coaches.csv: row 1: is empty; it must hold the column headers"]


def test_a_header_only_file_is_valid_with_no_rows(project: Path, run: Run) -> None:
    (project / "data" / "coaching.csv").write_text(",".join(COACHING) + "\n")
    result = run("check", *FOLDERS)
    assert result.exit_code == 0, result.output
    assert "0 coaching" in result.stdout
    # No coaching: every numerator of measure 1 is 0; its denominators are the fixture's.
    # Measure 2 reads no coaching, so it is unchanged.
    assert measures(run) == [
        "measure,month,numerator,denominator,value",
        "active-coaches,2019-01,0,2,0.0",
        "active-coaches,2019-02,0,3,0.0",
        "active-coaches,2019-03,0,2,0.0",
        "active-coaches,2019-04,0,2,0.0",
        "stalled-projects,2019-04,0,1,0.0",
    ]


def test_a_semicolon_separated_file(project: Path, run: Run) -> None:
    # As Excel writes CSV in much of Europe: semicolons between values, commas in numbers.
    scores = project / "data" / "project_scores.csv"
    scores.write_text(scores.read_text().replace(",", ";").replace("1.5", "1,5"))
    assert check(run) == [
        "data/project_scores.csv: row 1: its values are separated by semicolons, not commas; "
        "save it as 'CSV (Comma delimited)' or 'CSV UTF-8 (Comma delimited)'"
    ]


def test_a_quote_left_open(project: Path, run: Run) -> None:
    coaches = project / "data" / "coaches.csv"
    coaches.write_text(coaches.read_text().replace("C2,", '"C2,'))
    assert check(run) == [
        'data/coaches.csv: row 3: a double quote (") opens a value on this row that is never closed'
    ]


def test_a_row_with_more_values_than_headers(project: Path, run: Run) -> None:
    projects = project / "data" / "projects.csv"
    text = projects.read_text().replace("Shorter waits", "Waits, shorter")  # row 4, unquoted
    projects.write_text(text.replace("Faster discharge", '"Discharge, faster"'))  # row 3, quoted
    assert check(run) == [
        "data/projects.csv: row 4: has 7 values but row 1 has 6 headers; a value that holds a "
        "comma must be in double quotes",
        "data/projects.csv: row 4, column 'created_on': 'Children' is not a date in the form "
        "YYYY-MM-DD",
    ]


def test_empty_trailing_values_beyond_the_headers_are_fine(project: Path, run: Run) -> None:
    coaches = project / "data" / "coaches.csv"
    lines = coaches.read_text().splitlines()
    coaches.write_text("\n".join([lines[0]] + [line + ",, " for line in lines[1:]]) + "\n")
    assert measures(run) == VALID_MEASURES


# --- scores as text -----------------------------------------------------------------------------


def test_scores_with_their_labels(project: Path, run: Run) -> None:
    # LifeQI exports the label with the score: the leading number is the score.
    write_csv(
        project / "data" / "project_scores.csv",
        [
            ",".join(SCORES),
            "P1,2019-01-05,0.5 - Intent to participate",
            "P1,2019-03-01,1.5 \u2013 Planning for the project has begun",
            "P2,2019-02-01,2.0: Activity but no changes",
            'P3,2019-04-30,"2.5 Changes tested, but no improvement"',
        ],
    )
    assert measures(run) == VALID_MEASURES


def test_scores_as_text_that_give_no_score(project: Path, run: Run) -> None:
    write_csv(
        project / "data" / "project_scores.csv",
        [
            ",".join(SCORES),
            "P1,2019-01-05,Changes tested",  # row 2: a label alone
            "P1,2019-03-01,6.0 - Beyond the scale",  # row 3: a number off the scale
            "P2,2019-02-01,2.5Changes tested",  # row 4: no separator
            'P3,2019-04-30,"2,5"',  # row 5: a decimal comma
            "P3,2019-05-30,3.0 \u2014 Modest improvement",  # row 6: an em dash, fine
        ],
    )
    assert check(run) == [
        f"data/project_scores.csv: row 2, column 'score': 'Changes tested' {SCALE}",
        f"data/project_scores.csv: row 3, column 'score': '6.0 - Beyond the scale' {SCALE}",
        f"data/project_scores.csv: row 4, column 'score': '2.5Changes tested' {SCALE}",
        f"data/project_scores.csv: row 5, column 'score': '2,5' {SCALE}",
    ]


# --- Excel error values ---------------------------------------------------------------------------


def test_excel_error_cells(project: Path, run: Run) -> None:
    path = project / "data" / "projects.xlsx"
    (project / "data" / "projects.csv").unlink()
    workbook(
        path,
        PROJECTS,
        [
            ["P1", "#N/A", "Adult", dt.date(2019, 1, 5), None, "active"],
            ["P2", "Faster", "#REF!", "#VALUE!", dt.date(2019, 4, 10), "closed"],
            ["P3", "Waits", "Children", dt.date(2019, 2, 1), None, "#NAME?"],
            ["#DIV/0!", "Spare", "Adult", dt.date(2019, 2, 1), "#NUM!", "#NULL!"],
        ],
        errors=["B2", "C3", "D3", "F4", "A5", "E5", "F5"],
    )
    # The error cells survive the round trip as error cells ...
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert [sheet[c].data_type for c in ("B2", "C3", "D3", "A5")] == ["e"] * 4
    # ... and pandas.read_excel would have made them blanks, silently: why qi-report does not.
    assert pd.read_excel(path).isna().loc[0, "title"]
    hint = ERROR_HINT
    assert check(run) == [
        f"data/projects.xlsx: row 2, column 'title': '#N/A' is an Excel error value, not a title "
        f"{hint}",
        f"data/projects.xlsx: row 3, column 'directorate': '#REF!' is an Excel error value, not a "
        f"directorate {hint}",
        f"data/projects.xlsx: row 3, column 'created_on': '#VALUE!' is an Excel error value, not "
        f"a date {hint}",
        f"data/projects.xlsx: row 4, column 'status': '#NAME?' is an Excel error value, not a "
        f"status {hint}",
        f"data/projects.xlsx: row 5, column 'project_id': '#DIV/0!' is an Excel error value, not "
        f"a project_id {hint}",
        f"data/projects.xlsx: row 5, column 'closed_on': '#NUM!' is an Excel error value, not a "
        f"date {hint}",
        f"data/projects.xlsx: row 5, column 'status': '#NULL!' is an Excel error value, not a "
        f"status {hint}",
    ]


def test_excel_error_values_in_a_csv(project: Path, run: Run) -> None:
    write_csv(
        project / "data" / "project_scores.csv",
        [
            ",".join(SCORES),
            "P1,2019-01-05,#N/A",  # row 2
            "P1,2019-03-01,1.5",  # row 3
            "P2,#VALUE!,2.0",  # row 4
            "#REF!,2019-04-30,2.5",  # row 5: not reported again as an unknown project
        ],
    )
    coaching = project / "data" / "coaching.csv"
    coaching.write_text(coaching.read_text().replace("C2,P2,2019-02-01,", "#n/a,P2,2019-02-01,"))
    assert check(run) == [
        f"data/coaching.csv: row 3, column 'coach_id': '#n/a' is an Excel error value, not a "
        f"coach_id {ERROR_HINT}",
        f"data/project_scores.csv: row 2, column 'score': '#N/A' is an Excel error value, not a "
        f"score {ERROR_HINT}",
        f"data/project_scores.csv: row 4, column 'scored_on': '#VALUE!' is an Excel error value, "
        f"not a date {ERROR_HINT}",
        f"data/project_scores.csv: row 5, column 'project_id': '#REF!' is an Excel error value, "
        f"not a project_id {ERROR_HINT}",
    ]


# --- files that are not what they say ---------------------------------------------------------


def test_a_csv_file_named_xlsx(project: Path, run: Run) -> None:
    (project / "data" / "coaches.csv").rename(project / "data" / "coaches.xlsx")
    assert check(run) == [
        "data/coaches.xlsx: is not an Excel workbook but plain text (a CSV file named .xlsx?); "
        "name it .csv"
    ]


def test_an_old_xls_file(project: Path, run: Run) -> None:
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the start of every .xls file
    (project / "data" / "coaches.csv").unlink()
    (project / "data" / "coaches.xls").write_bytes(old)
    (project / "data" / "lifeqi.xls").write_bytes(old)
    (project / "data" / "lifeqi.xlsx").write_bytes(old)  # an .xls renamed, or a password
    (project / "data" / "projects.csv").unlink()
    add_to_site_yaml(project, "data:\n  projects:\n    file: lifeqi.xls\n")
    assert check(run) == [
        "data/coaches.xls: is an Excel 97-2003 workbook (.xls), which qi-report does not read; "
        "save it as coaches.xlsx (Excel Workbook) or coaches.csv",
        "data/lifeqi.xls: is an Excel 97-2003 workbook (.xls), which qi-report does not read; "
        "save it as .xlsx (Excel Workbook) or .csv",
    ]
    edit = project / "content" / "site.yaml"
    edit.write_text(edit.read_text().replace("lifeqi.xls", "lifeqi.xlsx"))
    assert check(run)[1] == (
        "data/lifeqi.xlsx: is not an .xlsx workbook: it is an Excel 97-2003 (.xls) file or a "
        "password-protected workbook; save it as .xlsx (Excel Workbook, no password) or .csv"
    )


def test_a_damaged_workbook(project: Path, run: Run) -> None:
    (project / "data" / "coaches.csv").unlink()
    (project / "data" / "coaches.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    [line] = check(run)
    assert line.startswith("data/coaches.xlsx: cannot be read as an Excel workbook (")
    (project / "data" / "coaches.xlsx").write_bytes(bytes(range(256)))
    assert check(run) == [
        "data/coaches.xlsx: is not an Excel .xlsx workbook (it is not a zip file)"
    ]


def test_an_empty_first_sheet(project: Path, run: Run) -> None:
    (project / "data" / "coaches.csv").unlink()
    book = openpyxl.Workbook()
    data = book.create_sheet("Coaches")
    data.append(COACHES)
    book.save(project / "data" / "coaches.xlsx")
    assert check(run) == [
        "data/coaches.xlsx: the first sheet, 'Sheet', is empty; qi-report reads only the first "
        "sheet (this workbook also has 'Coaches')"
    ]


# --- a series measure's own file in Excel ---------------------------------------------------


SERIES_MEASURE = """\
  - id: audits
    kind: series
    title: Audits passed
    definition: As recorded by the team.
    file: audits.xlsx
    period: Month
    numerator: Passed
    denominator: Audited
    chart: p
"""


def test_a_series_file_in_excel(project: Path, run: Run) -> None:
    with (project / "content" / "measures.yaml").open("a") as f:
        f.write("\n" + SERIES_MEASURE)
    # Months as Excel date cells (what Excel makes of "Jan-19"), a serial number (43525 =
    # 2019-03-01) and a datetime; numbers as numbers and as text with a thousands separator.
    workbook(
        project / "data" / "audits.xlsx",
        ["Month", "Passed", "Audited"],
        [
            [dt.date(2019, 1, 1), 3, 4],
            [dt.datetime(2019, 2, 1, 9, 0), "1,000", "1,250"],
            [43525, 1.0, 2],
        ],
    )
    lines = [line for line in measures(run) if line.startswith("audits,")]
    # Date cells are dates, so the periods are dates (the first of each month; the datetime's
    # 09:00 is dropped). 3/4 = 75.0; 1000/1250 = 80.0; 1/2 = 50.0.
    assert lines == [
        "audits,2019-01-01,3,4,75.0",
        "audits,2019-02-01,1000,1250,80.0",
        "audits,2019-03-01,1,2,50.0",
    ]


def test_problems_in_a_series_file_in_excel(project: Path, run: Run) -> None:
    with (project / "content" / "measures.yaml").open("a") as f:
        f.write("\n" + SERIES_MEASURE)
    workbook(
        project / "data" / "audits.xlsx",
        ["Month", "Passed", "Audited"],
        [
            [dt.date(2019, 1, 1), "#N/A", 4],  # row 2: an error cell
            [dt.time(12, 0), 1, 2],  # row 3: a time of day
            [12, 1, 2],  # row 4: a number that is no date
            ["#REF!", 1, 2],  # row 5: an error value as text
        ],
        errors=["B2"],
    )
    assert check(run) == [
        f"data/audits.xlsx: row 2, column 'Passed': '#N/A' is an Excel error value, not a number "
        f"{ERROR_HINT}",
        "data/audits.xlsx: row 3, column 'Month': '12:00:00' is a time of day, not a date",
        "data/audits.xlsx: row 4, column 'Month': '12' is a number, not a date (read as an Excel "
        "serial date, it is not in the years 1901 to 2199)",
        f"data/audits.xlsx: row 5, column 'Month': '#REF!' is an Excel error value, not a period "
        f"{ERROR_HINT}",
    ]
