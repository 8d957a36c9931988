"""The programme data files: schemas, column mapping, reading CSV and Excel, and validation.

Each file is read as text, so that nothing is guessed, then every column is checked and converted
at once (vectorised, and once per distinct value where a value needs parsing). Every problem is
recorded with its spreadsheet row (header = row 1) and column; a problem that repeats on many rows
is listed for the first rows and then counted.

Real exports are messy, so reading is forgiving where the meaning is certain and strict where it
is not (see README, "Data"):

- CSV text is UTF-8 (a byte-order mark is fine), else Windows-1252 (Excel's "CSV (Comma
  delimited)" on a UK PC); a byte that is neither is a located problem.
- An Excel file is read with openpyxl, cell by cell, so that each cell's type is known: a date
  cell is a date whatever ``date_format`` says (a time of day in it is ignored), a number in a
  date column is an Excel serial date (43830 = 2019-12-31), and an error cell (``#N/A``) is
  reported rather than read as a blank.
- Values are trimmed of spaces (non-breaking ones too); blank rows are skipped, and row numbers
  stay those of the spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from qi_report.config import TABLES, DataSource, SiteConfig
from qi_report.problems import Problems, display_path, quote

ROW = "_row"
"""The column that carries each record's spreadsheet row number (header = row 1)."""

MAX_LISTED = 20
"""How many rows one kind of problem in one column is listed for before it is only counted."""

SCORE_MIN, SCORE_MAX, SCORE_STEP = 0.5, 5.0, 0.5
"""The LifeQI progress score scale (IHI assessment scale)."""

ROLES = ("staff", "service_user", "external")

FIRST_YEAR, LAST_YEAR = 1901, 2199
"""Dates outside these years are typing errors (1019 for 2019), or numbers that are not dates."""

EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#GETTING_DATA",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
"""What Excel shows in a cell whose formula failed; an export carries it as text or as an error
cell. It is never data."""

UTF8, CP1252, EXCEL = "UTF-8", "Windows-1252", "Excel"
"""How a file was read (``RawTable.encoding``)."""

TEXT, NUMBER, DATE, TIME = "s", "n", "d", "t"
"""The type of an Excel cell (``RawTable.kind``); a CSV file's cells are all text."""

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
"""Day 0 of Excel's serial dates (Excel for Windows: 1 = 1900-01-01, with its leap-year bug)."""

Kind = Literal["id", "text", "date", "role", "score"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True


SCHEMAS: Mapping[str, tuple[Column, ...]] = {
    "coaches": (
        Column("coach_id", "id"),
        Column("trained_on", "date"),
        Column("left_on", "date", required=False),
        Column("directorate", "text", required=False),
        Column("role", "role"),
    ),
    "coaching": (
        Column("coach_id", "id"),
        Column("project_id", "id"),
        Column("started_on", "date"),
        Column("ended_on", "date", required=False),
    ),
    "projects": (
        Column("project_id", "id"),
        Column("title", "text", required=False),
        Column("directorate", "text", required=False),
        Column("created_on", "date"),
        Column("closed_on", "date", required=False),
        Column("status", "text", required=False),
    ),
    "project_scores": (
        Column("project_id", "id"),
        Column("scored_on", "date"),
        Column("score", "score"),
    ),
}

ORDERED_DATES: Mapping[str, tuple[str, str]] = {
    "coaches": ("trained_on", "left_on"),
    "coaching": ("started_on", "ended_on"),
    "projects": ("created_on", "closed_on"),
}
"""Pairs of dates where the second, when given, may not be before the first."""

UNIQUE_IDS: Mapping[str, str] = {"coaches": "coach_id", "projects": "project_id"}

REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("coaching", "coach_id", "coaches"),
    ("coaching", "project_id", "projects"),
    ("project_scores", "project_id", "projects"),
)
"""(table, column, table it refers to): each value must be an id in the referred table."""


@dataclass(frozen=True)
class Datasets:
    """The validated tables: canonical columns, dates as datetime64, scores as floats.

    A table is None when no measure needs it. Every frame keeps ``_row`` for later messages.
    """

    coaches: pd.DataFrame | None = None
    coaching: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    project_scores: pd.DataFrame | None = None
    latest: pd.Timestamp | None = None
    """The latest date found in any table: it sets the last month reported."""
    series: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    """Each series measure's own file by measure id, checked (see ``series_data``)."""
    encodings: Mapping[str, str] = field(default_factory=dict)
    """How each table's file was read when that was not plain UTF-8: ``Windows-1252``."""

    def table(self, name: str) -> pd.DataFrame:
        frame: pd.DataFrame | None = getattr(self, name)
        if frame is None:
            raise LookupError(f"table {name} was not loaded")
        return frame

    def summary(self) -> str:
        parts = []
        for name in TABLES:
            frame = getattr(self, name)
            if frame is not None:
                read_as = self.encodings.get(name)
                note = f" (read as {read_as} text)" if read_as else ""
                parts.append(f"{len(frame)} {name.replace('_', ' ')}{note}")
        return ", ".join(parts)


# --- date formats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DateFormat:
    """How dates are written as text: a ``strptime`` format, the regular expression a value must
    match before it is parsed (so that nothing is guessed), and the form people read."""

    strptime: str
    pattern: str
    form: str
    custom: bool = True


ISO_DATES = DateFormat("%Y-%m-%d", r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD", custom=False)

_DIRECTIVES: Mapping[str, tuple[str, str, str]] = {
    # directive: (what it is, its pattern, how the form shows it)
    "d": ("day", r"\d{1,2}", "DD"),
    "m": ("month", r"\d{1,2}", "MM"),
    "b": ("month", r"[A-Za-z]{3}", "Mon"),
    "B": ("month", r"[A-Za-z]{3,9}", "Month"),
    "Y": ("year", r"\d{4}", "YYYY"),
    "H": ("hour", r"\d{1,2}", "hh"),
    "I": ("hour", r"\d{1,2}", "hh"),
    "M": ("minute", r"\d{1,2}", "mm"),
    "S": ("second", r"\d{1,2}", "ss"),
    "p": ("am/pm", r"(?i:am|pm)", "AM/PM"),
    "f": ("fraction", r"\d{1,6}", "ffffff"),
}
_NUMERIC = {"d", "m", "Y", "H", "I", "M", "S", "f"}


def date_format(text: str) -> DateFormat:
    """The :class:`DateFormat` of a ``date_format`` setting such as ``%d/%m/%Y``.

    Raises ValueError, saying why, for a format that could read a date two ways: one without a
    day, a month and a four-digit year, with a two-digit year, or with an unknown directive.
    Numbers written next to each other (``%d%m%Y``) must then have two digits each."""
    tokens: list[str] = []  # directives as "%x", literal text as itself
    position = 0
    while position < len(text):
        if text[position] != "%":
            tokens.append(text[position])
            position += 1
            continue
        if position + 1 == len(text):
            raise ValueError("a date_format may not end with a lone '%'")
        code = text[position + 1]
        if code == "y":
            raise ValueError("a two-digit year (%y) is ambiguous; use %Y")
        if code != "%" and code not in _DIRECTIVES:
            raise ValueError(
                f"'%{code}' is not supported; use %d, %m (or %b, %B) and %Y, and for a time of "
                "day %H, %M and %S"
            )
        tokens.append("%" if code == "%" else f"%{code}")
        position += 2
    used = [_DIRECTIVES[t[1]][0] for t in tokens if len(t) == 2]
    for part, codes in (("day", "%d"), ("month", "%m, %b or %B"), ("year", "%Y")):
        if part not in used:
            raise ValueError(f"a date_format needs a {part} ({codes}), e.g. '%d/%m/%Y'")
    repeated = sorted({part for part in used if used.count(part) > 1})
    if repeated:
        raise ValueError(f"a date_format may give the {repeated[0]} only once")
    pattern, form = [], []
    for index, token in enumerate(tokens):
        if len(token) == 1:
            pattern.append(r"\s+" if token.isspace() else re.escape(token))
            form.append(token)
            continue
        _part, regex, shown = _DIRECTIVES[token[1]]
        beside = [tokens[i] for i in (index - 1, index + 1) if 0 <= i < len(tokens)]
        if regex == r"\d{1,2}" and any(len(t) == 2 and t[1] in _NUMERIC for t in beside):
            regex = r"\d{2}"  # 1122019 could be 1 Dec or 11 Feb: digits side by side need two
        pattern.append(regex)
        form.append(shown)
    return DateFormat(text, "".join(pattern), "".join(form))


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cells:
    """One column's cells as tidy text, held as its distinct values (``values``) and, for each
    cell, which of them it holds (``codes``): a value is parsed once, however many rows hold it."""

    codes: np.ndarray[Any, np.dtype[np.intp]]
    values: np.ndarray[Any, np.dtype[np.object_]]

    def text(self) -> pd.Series:
        return pd.Series(self.values[self.codes], dtype=object, copy=False)

    def each(self, make: Callable[[str], object]) -> np.ndarray[Any, np.dtype[np.object_]]:
        """``make`` applied to each distinct value, laid out per cell."""
        done = np.empty(len(self.values), dtype=object)
        done[:] = [make(value) for value in self.values]
        laid_out: np.ndarray[Any, np.dtype[np.object_]] = done[self.codes]
        return laid_out

    def where(self, test: Callable[[str], bool]) -> pd.Series:
        """Which cells pass ``test`` (a bool per cell), testing each distinct value once."""
        passed = np.fromiter((test(v) for v in self.values), dtype=bool, count=len(self.values))
        return pd.Series(passed[self.codes], copy=False)

    def empty(self) -> pd.Series:
        return pd.Series((self.values == "")[self.codes], dtype=bool, copy=False)


@dataclass(frozen=True)
class RawTable:
    """A data file as read: row 1's headers and every later row that is not blank, with its
    spreadsheet row. Each cell is the text it shows; an Excel file also gives each cell's type
    (:data:`TEXT`, :data:`NUMBER`, :data:`DATE` or :data:`TIME`), so that a number in a date
    column is read as a serial date. ``encoding`` says how the file was read."""

    path: Path
    headers: tuple[str, ...]
    columns: tuple[np.ndarray[Any, np.dtype[np.object_]], ...]
    rows: np.ndarray[Any, np.dtype[np.int64]]
    kinds: tuple[np.ndarray[Any, np.dtype[np.object_]], ...] | None = None
    encoding: str = UTF8
    epoch: dt.datetime = WINDOWS_EPOCH
    _tidy: dict[int, Cells] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def row_numbers(self) -> pd.Series:
        return pd.Series(self.rows, copy=False)

    def cells(self, index: int) -> Cells:
        if index not in self._tidy:
            self._tidy[index] = _tidy_cells(self.columns[index])
        return self._tidy[index]

    def text(self, index: int) -> pd.Series:
        """Column ``index`` as tidy text: trimmed, non-breaking spaces made plain."""
        return self.cells(index).text()

    def kind(self, index: int) -> pd.Series | None:
        """Column ``index``'s cell types (Excel), or None when every cell is text (CSV)."""
        return None if self.kinds is None else pd.Series(self.kinds[index], dtype=object)

    def named(self, header: str) -> list[int]:
        """The columns whose header is ``header``, ignoring case and spaces."""
        key = _header_key(header)
        return [i for i, found in enumerate(self.headers) if _header_key(found) == key]

    def listed(self) -> str:
        return ", ".join(h for h in self.headers if h) or "none"


def read_table(path: Path, problems: Problems) -> RawTable | None:
    """A data file's headers and non-blank rows, or None after recording why it cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        problems.add(path, f"{_OLD_EXCEL}; save it as .xlsx (Excel Workbook) or .csv")
        return None
    if suffix in {".xlsx", ".xlsm"}:
        read = _read_excel(path, problems)
    elif suffix == ".csv":
        read = _read_csv(path, problems)
    else:
        problems.add(path, "unsupported file type (expected .csv or .xlsx)")
        return None
    if read is None:
        return None
    table = _without_blank_rows(read)
    if not any(table.headers):
        problems.add(path, "is empty; it must hold the column headers", row=1)
        return None
    return table


_OLD_EXCEL = "is an Excel 97-2003 workbook (.xls), which qi-report does not read"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_SAVE_AS_UTF8 = "save it from Excel as 'CSV UTF-8 (Comma delimited)'"


def _read_csv(path: Path, problems: Problems) -> RawTable | None:
    try:
        data = path.read_bytes()
    except OSError as err:
        problems.add(path, f"cannot be read: {err.strerror or err}")
        return None
    decoded = _decode(data, path, problems)
    if decoded is None:
        return None
    text, encoding = decoded
    if not text.strip():
        problems.add(path, "is empty; row 1 must hold the column headers")
        return None
    nul = text.find("\x00")
    if nul >= 0:
        problems.add(
            path,
            f"holds a NUL character (at character {nul}), so it is not CSV text",
            row=text.count("\n", 0, nul) + 1,
        )
        return None
    header = text.splitlines()[0]
    if "," not in header and (";" in header or "\t" in header):
        separator = "semicolons" if ";" in header else "tabs"
        problems.add(
            path,
            f"its values are separated by {separator}, not commas; save it as "
            "'CSV (Comma delimited)' or 'CSV UTF-8 (Comma delimited)'",
            row=1,
        )
        return None
    records = _records(text, path, problems)
    if records is None:
        return None
    headers, columns = records
    rows = np.arange(2, len(columns[0]) + 2 if columns else 2, dtype=np.int64)
    return RawTable(path, tuple(headers), tuple(columns), rows, encoding=encoding)


def _decode(data: bytes, path: Path, problems: Problems) -> tuple[str, str] | None:
    """The text of a CSV file: UTF-8 (strict; a BOM is fine), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problems.add(path, f"is UTF-16 text (Excel's 'Unicode Text'), not CSV; {_SAVE_AS_UTF8}")
        return None
    if data.startswith(_ZIP):
        problems.add(path, "is an Excel workbook (a zip file), not CSV text; name it .xlsx")
        return None
    if data.startswith(_OLE):
        problems.add(path, f"{_OLD_EXCEL}, not CSV text; save it as .xlsx or .csv")
        return None
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8"), UTF8
    except UnicodeDecodeError as err:
        if bom:  # the file says it is UTF-8, so it is a broken UTF-8 file: no second guess
            _bad_byte(data, bom + err.start, "is not valid UTF-8 text", path, problems)
            return None
    try:
        return data.decode("cp1252"), CP1252
    except UnicodeDecodeError as err:
        _bad_byte(data, err.start, "is neither UTF-8 nor Windows-1252 text", path, problems)
        return None


def _bad_byte(data: bytes, offset: int, what: str, path: Path, problems: Problems) -> None:
    newline = b"\n" if b"\n" in data else b"\r"
    problems.add(
        path,
        f"byte 0x{data[offset]:02X} (at offset {offset}) {what}; {_SAVE_AS_UTF8}",
        row=data.count(newline, 0, offset) + 1,
    )


def _records(
    text: str, path: Path, problems: Problems
) -> tuple[list[str], list[np.ndarray[Any, np.dtype[np.object_]]]] | None:
    """The header and the columns of CSV text: pandas' fast parser, or, when it refuses the file
    (a row with more values than headers, a quote left open), Python's, to say where and why."""
    try:
        frame = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False
        )
    except pd.errors.EmptyDataError:
        problems.add(path, "is empty; row 1 must hold the column headers")
        return None
    except ValueError:  # pandas' ParserError, or any other refusal: let Python's parser say why
        return _records_slowly(text, path, problems)
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    return [str(c[0]) for c in columns], [c[1:] for c in columns]


def _records_slowly(
    text: str, path: Path, problems: Problems
) -> tuple[list[str], list[np.ndarray[Any, np.dtype[np.object_]]]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as err:
        problems.add(path, _csv_error(str(err)), row=len(records) + 1)
        return None
    headers = records[0] if records else []
    if not any(_tidy(h) for h in headers):
        problems.add(path, "is empty; it must hold the column headers", row=1)
        return None
    width = len(headers)
    long_rows = [(row, r) for row, r in enumerate(records[1:], start=2) if len(r) > width]
    ragged = [(row, r) for row, r in long_rows if any(_tidy(v) for v in r[width:])]
    _report(
        problems,
        path,
        pd.Series([row for row, _ in ragged], dtype=np.int64),
        None,
        lambda count: (
            f"has {count} values but row 1 has {width} headers; a value that holds a comma "
            "must be in double quotes"
        ),
        pd.Series([len(r) for _, r in ragged], dtype=np.int64),
    )
    columns = [np.empty(len(records) - 1, dtype=object) for _ in range(width)]
    for position, record in enumerate(records[1:]):
        padded = record[:width] + [""] * (width - len(record))
        for column, value in zip(columns, padded, strict=True):
            column[position] = value
    return headers, columns


def _csv_error(message: str) -> str:
    if "unexpected end of data" in message:
        return 'a double quote (") opens a value on this row that is never closed'
    if "expected after" in message:
        return 'a double quote inside a quoted value must be doubled (""); text follows one'
    if "field larger than field limit" in message:
        return f"a value on this row is longer than {csv.field_size_limit()} characters"
    return f"cannot be read as CSV: {message}"


def _read_excel(path: Path, problems: Problems) -> RawTable | None:
    try:
        with path.open("rb") as file:
            start = file.read(4096)
    except OSError as err:
        problems.add(path, f"cannot be read: {err.strerror or err}")
        return None
    if not start.startswith(_ZIP):
        problems.add(path, _not_a_workbook(start))
        return None
    import openpyxl  # here, not at the top: only Excel files need it, and it is slow to import

    with warnings.catch_warnings():
        # openpyxl warns about what it tolerates (unknown styles, extensions, out-of-range date
        # serials, which it reads as #VALUE!); those are not problems for the user.
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # any failure inside a foreign file format is the file's
            problems.add(path, f"cannot be read as an Excel workbook ({_reason(err)})")
            return None
        try:
            return _first_sheet(book, path, problems)
        except Exception as err:  # as above: a damaged sheet, not a bug in qi-report
            problems.add(path, f"cannot be read as an Excel workbook ({_reason(err)})")
            return None
        finally:
            book.close()


def _not_a_workbook(start: bytes) -> str:
    if start.startswith(_OLE):
        return (
            "is not an .xlsx workbook: it is an Excel 97-2003 (.xls) file or a password-protected "
            "workbook; save it as .xlsx (Excel Workbook, no password) or .csv"
        )
    if not start.strip():
        return "is empty, not an Excel workbook"
    try:
        start.decode("utf-8")
        looks_like_text = b"\x00" not in start
    except UnicodeDecodeError:
        looks_like_text = False
    if looks_like_text:
        return "is not an Excel workbook but plain text (a CSV file named .xlsx?); name it .csv"
    return "is not an Excel .xlsx workbook (it is not a zip file)"


def _reason(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _first_sheet(book: Any, path: Path, problems: Problems) -> RawTable | None:
    sheets = book.worksheets
    if not sheets:
        problems.add(path, "has no worksheet")
        return None
    sheet = sheets[0]
    sheet.reset_dimensions()  # some writers record a wrong size; read what is there
    grid: list[list[tuple[str, str]]] = [
        [_cell(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()
    ]
    while grid and not any(text.strip() for text, _ in grid[-1]):
        grid.pop()
    if not grid:
        others = [name for name in book.sheetnames[1:]]
        also = (
            f"; qi-report reads only the first sheet (this workbook also has "
            f"{', '.join(quote(n) for n in others)})"
            if others
            else ""
        )
        problems.add(path, f"the first sheet, {quote(sheet.title)}, is empty{also}")
        return None
    header = [text for text, _ in grid[0]]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    count = len(grid) - 1
    columns = [np.empty(count, dtype=object) for _ in range(width)]
    kinds = [np.empty(count, dtype=object) for _ in range(width)]
    for position, row in enumerate(grid[1:]):
        padded = row[:width] + [("", TEXT)] * (width - len(row))
        for index, (text, kind) in enumerate(padded):
            columns[index][position] = text
            kinds[index][position] = kind
    rows = np.arange(2, count + 2, dtype=np.int64)
    epoch = getattr(book, "epoch", WINDOWS_EPOCH)
    return RawTable(path, tuple(header), tuple(columns), rows, tuple(kinds), EXCEL, epoch)


def _cell(value: object, data_type: str) -> tuple[str, str]:
    """An Excel cell as (the text it shows, its type)."""
    if value is None:
        return "", TEXT
    if data_type == "e" or isinstance(value, str):
        return str(value), TEXT
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), TEXT
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat(), DATE
        return value.isoformat(sep=" ", timespec="seconds"), DATE
    if isinstance(value, dt.date):
        return value.isoformat(), DATE
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds"), TIME
    if isinstance(value, int):
        return str(value), NUMBER
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value)), NUMBER
        return repr(value), NUMBER
    return str(value), TEXT


_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\ufeff": ""})
"""Non-breaking spaces become plain ones; zero-width spaces and stray byte-order marks go."""


def _tidy(value: str) -> str:
    if not value.isascii():
        value = value.translate(_SPACES)
    return value.strip()


def _tidy_cells(column: np.ndarray[Any, np.dtype[np.object_]]) -> Cells:
    codes, uniques = pd.factorize(column)
    values = np.empty(len(uniques), dtype=object)
    values[:] = [_tidy(str(value)) for value in uniques]
    return Cells(np.asarray(codes, dtype=np.intp), values)


def _header_key(header: str) -> str:
    return " ".join(_tidy(header).split()).casefold()


def _without_blank_rows(table: RawTable) -> RawTable:
    """``table`` without its rows of blank cells (empty lines, rows of commas, rows of spaces).
    The first column is tidied whole (it is needed anyway); later ones only where still blank."""
    headers = tuple(_tidy(h) for h in table.headers)
    if not table.columns:
        return RawTable(table.path, headers, (), table.rows[:0], None, table.encoding, table.epoch)
    first = _tidy_cells(table.columns[0])
    blank = (first.values == "")[first.codes] if len(first.codes) else np.zeros(0, dtype=bool)
    for column in table.columns[1:]:
        candidates = np.flatnonzero(blank)
        if candidates.size == 0:
            break
        blank[candidates] = [_tidy(str(value)) == "" for value in column[candidates]]
    if not blank.any():
        kept = RawTable(
            table.path, headers, table.columns, table.rows, table.kinds, table.encoding, table.epoch
        )
        kept._tidy[0] = first
        return kept
    keep = ~blank
    kinds = None if table.kinds is None else tuple(k[keep] for k in table.kinds)
    kept = RawTable(
        table.path,
        headers,
        tuple(column[keep] for column in table.columns),
        table.rows[keep],
        kinds,
        table.encoding,
        table.epoch,
    )
    kept._tidy[0] = Cells(first.codes[keep], first.values)
    return kept


def find_column(raw: RawTable, header: str, problems: Problems, named_for: str = "") -> int | None:
    """The index of the column headed ``header`` (ignoring case and spaces); None after recording
    a problem when there is none, or more than one."""
    found = raw.named(header)
    if not found:
        problems.add(
            raw.path,
            f"missing column '{header}' ({named_for}columns found: {raw.listed()})",
            row=1,
            field=header,
        )
        return None
    if len(found) > 1:
        letters = ", ".join(f"{_letter(i)} ({quote(raw.headers[i])})" for i in found)
        problems.add(
            raw.path,
            f"{len(found)} columns have this header, ignoring case and spaces: {letters}; keep one",
            row=1,
            field=header,
        )
        return None
    return found[0]


def _letter(index: int) -> str:
    """The spreadsheet letter of column ``index`` (0 = A, 26 = AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- validation -------------------------------------------------------------------------------


def load_data(
    data_dir: Path, config: SiteConfig, needed: Iterable[str], problems: Problems
) -> Datasets:
    """Read and validate the ``needed`` tables; record every problem found in any of them."""
    frames: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path] = {}
    encodings: dict[str, str] = {}
    for name in TABLES:
        if name not in needed:
            continue
        path = find_file(data_dir, name, config.source(name), problems)
        if path is None:
            continue
        raw = read_table(path, problems)
        if raw is None:
            continue
        frame = _validate_table(name, raw, config.source(name), problems)
        if frame is not None:
            frames[name] = frame
            paths[name] = path
            if raw.encoding == CP1252:
                encodings[name] = raw.encoding
    for table, column, target in REFERENCES:
        if table in frames and target in frames:
            header = config.source(table).columns.get(column, column)
            _check_reference(
                frames[table], column, header, frames[target], paths[table], paths[target], problems
            )
    return Datasets(
        coaches=frames.get("coaches"),
        coaching=frames.get("coaching"),
        projects=frames.get("projects"),
        project_scores=frames.get("project_scores"),
        latest=_latest_date(frames.values()),
        encodings=encodings,
    )


def find_file(data_dir: Path, name: str, source: DataSource, problems: Problems) -> Path | None:
    """The file for table ``name``: the configured one, else ``NAME.csv`` or ``NAME.xlsx``."""
    if source.file is not None:
        path = data_dir / source.file
        if path.is_file():
            return path
        problems.add(path, f"file not found (named for '{name}' in site.yaml)")
        return None
    for suffix in (".csv", ".xlsx"):
        path = data_dir / f"{name}{suffix}"
        if path.is_file():
            return path
    old = data_dir / f"{name}.xls"
    if old.is_file():
        problems.add(old, f"{_OLD_EXCEL}; save it as {name}.xlsx (Excel Workbook) or {name}.csv")
        return None
    problems.add(
        data_dir / f"{name}.csv",
        f"file not found (expected {name}.csv or {name}.xlsx in {display_path(data_dir)}/)",
    )
    return None


def _validate_table(
    name: str, raw: RawTable, source: DataSource, problems: Problems
) -> pd.DataFrame | None:
    """Map, check and convert one table; None when a required column is missing."""
    out = pd.DataFrame({ROW: raw.rows})
    fmt = ISO_DATES if source.date_format is None else date_format(source.date_format)
    missing = False
    for column in SCHEMAS[name]:
        header = source.columns.get(column.name, column.name)
        index = find_column(raw, header, problems)
        if index is None:
            missing = True
            continue
        out[column.name] = _convert(raw, index, column, header, fmt, name, problems)
    if missing:
        return None
    if name in ORDERED_DATES:
        _check_order(out, *ORDERED_DATES[name], source, raw.path, problems)
    if name in UNIQUE_IDS:
        _check_unique(out, UNIQUE_IDS[name], source, raw.path, problems)
    return out


def _convert(
    raw: RawTable,
    index: int,
    column: Column,
    header: str,
    fmt: DateFormat,
    table: str,
    problems: Problems,
) -> pd.Series:
    cells, rows, path = raw.cells(index), raw.row_numbers(), raw.path
    text = cells.text()
    what = {"date": "a date", "score": "a score", "role": "a role"}.get(column.kind)
    errors = excel_errors(cells, rows, header, what or f"a {column.name}", path, problems)
    empty = cells.empty()
    if column.required:
        _report(
            problems,
            path,
            rows[empty],
            header,
            lambda _v: f"empty value; a {column.name} is required",
            text[empty],
        )
    skip = empty | errors
    if column.kind in {"id", "text"}:
        return text.mask(errors, "")
    if column.kind == "role":
        bad = ~skip & ~text.isin(ROLES)
        _report(
            problems,
            path,
            rows[bad],
            header,
            lambda v: f"{quote(v)} is not a role (expected one of: {', '.join(ROLES)})",
            text[bad],
        )
        return text
    if column.kind == "date":
        found = cell_dates(cells, raw.kind(index), skip, fmt, raw.epoch)
        report_dates(found, text, rows, header, fmt, table, path, problems)
        return found.dates
    return _parse_scores(cells, skip, rows, header, path, problems)


def excel_errors(
    cells: Cells, rows: pd.Series, header: str, what: str, path: Path, problems: Problems
) -> pd.Series:
    """Which cells hold an Excel error value (``#N/A``), each reported as a problem."""
    errors = cells.where(lambda v: v[:1] == "#" and v.upper() in EXCEL_ERRORS)
    if not errors.any():
        return errors
    _report(
        problems,
        path,
        rows[errors],
        header,
        lambda v: (
            f"{quote(v)} is an Excel error value, not {what} (correct the formula that made it, "
            "or clear the cell)"
        ),
        cells.text()[errors],
    )
    return errors


OK, SHAPE, IMPOSSIBLE, YEAR, SERIAL, TIME_OF_DAY = range(6)
"""Why a date cell could not be read (``FoundDates.why``)."""


@dataclass(frozen=True)
class FoundDates:
    """A date column read: the dates (NaT where blank or wrong) and, per cell, why it is wrong
    (one of the codes above; :data:`OK` when it is right or skipped)."""

    dates: pd.Series
    why: pd.Series


def cell_dates(
    cells: Cells,
    kinds: pd.Series | None,
    skip: pd.Series,
    fmt: DateFormat,
    epoch: dt.datetime = WINDOWS_EPOCH,
) -> FoundDates:
    """The dates in a column: text in ``fmt`` (each distinct value parsed once); in an Excel
    file, date cells as they are (a time of day is dropped) and numbers as serial dates."""
    values = pd.Series(cells.values, dtype=object)
    shaped = values.str.fullmatch(fmt.pattern).astype(bool)
    parsed = pd.to_datetime(values.where(shaped), format=fmt.strptime, errors="coerce")
    in_years = parsed.dt.year.between(FIRST_YEAR, LAST_YEAR)
    why_each = np.select(
        [~shaped.to_numpy(), parsed.isna().to_numpy(), ~in_years.to_numpy()],
        [SHAPE, IMPOSSIBLE, YEAR],
        OK,
    ).astype(np.int8)
    iso_each = parsed.dt.strftime("%Y-%m-%d").where(why_each == OK).to_numpy(dtype=object)
    why = why_each[cells.codes]
    iso = iso_each[cells.codes]
    if kinds is not None:
        text, kind = cells.values[cells.codes], kinds.to_numpy()
        for position in np.flatnonzero(kind != TEXT):
            iso[position], why[position] = _excel_date(
                str(text[position]), str(kind[position]), epoch
            )
    skipped = skip.to_numpy()
    why[skipped] = OK
    iso[skipped] = None
    dates = pd.to_datetime(pd.Series(iso, dtype=object), format="%Y-%m-%d", errors="coerce")
    return FoundDates(dates, pd.Series(why, dtype=np.int8))


def _excel_date(text: str, kind: str, epoch: dt.datetime) -> tuple[str | None, int]:
    """(ISO date, why it is wrong) of an Excel cell that is not text."""
    if kind == TIME:
        return None, TIME_OF_DAY
    if kind == DATE:
        day = text[:10]
        return (day, OK) if FIRST_YEAR <= int(day[:4]) <= LAST_YEAR else (None, YEAR)
    number = float(text)
    if not math.isfinite(number):
        return None, SERIAL
    try:
        serial = (epoch + dt.timedelta(days=math.floor(number))).date()
    except OverflowError:
        return None, SERIAL
    if not FIRST_YEAR <= serial.year <= LAST_YEAR:
        return None, SERIAL
    return serial.isoformat(), OK


def report_dates(
    found: FoundDates,
    text: pd.Series,
    rows: pd.Series,
    header: str,
    fmt: DateFormat,
    table: str | None,
    path: Path,
    problems: Problems,
) -> None:
    """Each wrong date as a located problem that says what was expected. ``table`` names the
    table whose ``date_format`` would read day/month/year text (None: the setting does not
    apply to this file)."""
    setting = f" (date_format {quote(fmt.strptime)} in site.yaml)"
    messages: dict[int, Callable[[str], str]] = {
        SHAPE: lambda v: (
            f"{quote(v)} is not a date in the form {fmt.form}"
            + (setting if fmt.custom else _format_hint(v, table))
        ),
        IMPOSSIBLE: lambda v: f"{quote(v)} is not a real calendar date (expected {fmt.form})",
        YEAR: lambda v: (
            f"{quote(v)} is not in the years {FIRST_YEAR} to {LAST_YEAR} (a mistyped year?)"
        ),
        SERIAL: lambda v: (
            f"{quote(v)} is a number, not a date (read as an Excel serial date, it is not in the "
            f"years {FIRST_YEAR} to {LAST_YEAR})"
        ),
        TIME_OF_DAY: lambda v: f"{quote(v)} is a time of day, not a date",
    }
    present = set(np.unique(found.why.to_numpy()).tolist())
    for code, message in messages.items():
        if code in present:
            wrong = found.why == code
            _report(problems, path, rows[wrong], header, message, text[wrong])


_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)\d{4}"
    r"(?P<time> \d{1,2}:\d{2}(?P<seconds>:\d{2})?)?"
)
_YEAR_FIRST = re.compile(r"\d{4}(?P<sep>[/.])\d{1,2}(?P=sep)\d{1,2}")


def _format_hint(value: str, table: str | None) -> str:
    """For text such as 31/12/2019, the ``date_format`` that would read it."""
    if table is None:
        return ""
    numeric = _NUMERIC_DATE.fullmatch(value)
    if numeric is not None:
        first, second, sep = int(numeric["a"]), int(numeric["b"]), numeric["sep"]
        if first > 12 and second > 12:
            return ""
        day_first = second <= 12  # both 12 or under: a UK export is day first
        order = "day/month/year" if day_first else "month/day/year"
        fmt = sep.join(["%d", "%m", "%Y"] if day_first else ["%m", "%d", "%Y"])
        if numeric["time"]:
            fmt += " %H:%M" + (":%S" if numeric["seconds"] else "")
    else:
        year_first = _YEAR_FIRST.fullmatch(value)
        if year_first is None:
            return ""
        sep = year_first["sep"]
        order, fmt = "year/month/day", sep.join(["%Y", "%m", "%d"])
    return f" (for {order} dates set date_format: '{fmt}' for {table} in site.yaml)"


_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LABELLED_SCORE = re.compile(
    r"([0-9]+(?:\.[0-9]+)?)(?:\s*[-\u2010-\u2015:]\s*|\s+)[^\W\d_].*", re.S
)
"""A score exported with its label: "2.5 - Changes tested", "3.0 \u2013 Modest improvement" (a
hyphen, a dash or a colon, or spaces, then a word)."""


def score_value(text: str) -> float:
    """The number a score cell gives: a plain number, or the leading number of a labelled score;
    NaN when there is none."""
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    labelled = _LABELLED_SCORE.fullmatch(text)
    return float(labelled[1]) if labelled else math.nan


def _parse_scores(
    cells: Cells, skip: pd.Series, rows: pd.Series, header: str, path: Path, problems: Problems
) -> pd.Series:
    numbers = pd.Series(cells.each(score_value), dtype=float).where(~skip)
    steps = numbers / SCORE_STEP
    on_scale = (numbers >= SCORE_MIN) & (numbers <= SCORE_MAX) & np.isclose(steps.round(), steps)
    bad = ~skip & ~on_scale
    text = cells.text()
    _report(
        problems,
        path,
        rows[bad],
        header,
        lambda v: (
            f"{quote(v)} is not on the {SCORE_MIN}-{SCORE_MAX} scale in steps of {SCORE_STEP}"
        ),
        text[bad],
    )
    return (steps.round() * SCORE_STEP).where(on_scale)


def _check_order(
    frame: pd.DataFrame,
    first: str,
    second: str,
    source: DataSource,
    path: Path,
    problems: Problems,
) -> None:
    before = frame[second].notna() & frame[first].notna() & (frame[second] < frame[first])
    header = source.columns.get(second, second)
    first_header = source.columns.get(first, first)
    rows = frame.loc[before]
    _report(
        problems,
        path,
        rows[ROW],
        header,
        lambda pair: f"{quote(pair[0])} is before {first_header} {quote(pair[1])}",
        pd.Series(
            list(zip(_iso(rows[second]), _iso(rows[first]), strict=True)),
            index=rows.index,
            dtype=object,
        ),
    )


def _check_unique(
    frame: pd.DataFrame, column: str, source: DataSource, path: Path, problems: Problems
) -> None:
    ids = frame[column]
    repeated = ids.duplicated(keep="first") & (ids != "")
    first_row = frame.drop_duplicates(column).set_index(column)[ROW]
    dupes = frame.loc[repeated]
    _report(
        problems,
        path,
        dupes[ROW],
        source.columns.get(column, column),
        lambda pair: f"{quote(pair[0])} is a duplicate of row {pair[1]}",
        pd.Series(
            list(zip(dupes[column], first_row.loc[dupes[column]].to_numpy(), strict=True)),
            index=dupes.index,
            dtype=object,
        ),
    )


def _check_reference(
    frame: pd.DataFrame,
    column: str,
    header: str,
    target: pd.DataFrame,
    path: Path,
    target_path: Path,
    problems: Problems,
) -> None:
    unknown = (frame[column] != "") & ~frame[column].isin(target[column])
    _report(
        problems,
        path,
        frame.loc[unknown, ROW],
        header,
        lambda v: f"{quote(v)} is not a {column} in {display_path(target_path)}",
        frame.loc[unknown, column],
    )


def _report(
    problems: Problems,
    path: Path,
    rows: pd.Series,
    header: str | None,
    message: object,
    values: pd.Series,
) -> None:
    """List the first MAX_LISTED rows of one problem, then count the rest on the next row (so
    that the count is printed as a column and sorts after the rows listed)."""
    if rows.empty:
        return
    make = message if callable(message) else (lambda _v: str(message))
    listed = len(rows) if len(rows) <= MAX_LISTED + 1 else MAX_LISTED
    for row, value in zip(rows.iloc[:listed], values.iloc[:listed], strict=True):
        problems.add(path, make(value), row=int(row), field=header)
    if listed < len(rows):
        rest = len(rows) - listed - 1
        problems.add(
            path,
            f"{make(values.iloc[listed])} (and the same problem on {rest} more "
            f"row{'s' if rest != 1 else ''} after this one, not listed)",
            row=int(rows.iloc[listed]),
            field=header,
        )


def _iso(dates: pd.Series) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in dates]


def _latest_date(frames: Iterable[pd.DataFrame]) -> pd.Timestamp | None:
    latest: list[pd.Timestamp] = []
    for frame in frames:
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]) and frame[column].notna().any():
                latest.append(frame[column].max())
    return max(latest) if latest else None
