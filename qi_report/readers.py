"""Reading a CSV or Excel data file into a :class:`~qi_report.tables.RawTable` of text cells.

Each file is read as text, so that nothing is guessed. Real exports are messy, so reading is
forgiving where the meaning is certain and strict where it is not (see README, "Data"):

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
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qi_report.problems import Problems, quote
from qi_report.tables import (
    CP1252,
    DATE,
    EXCEL,
    NUMBER,
    TEXT,
    TIME,
    UTF8,
    WINDOWS_EPOCH,
    RawTable,
    report_rows,
    tidy,
    without_blank_rows,
)


def read_table(path: Path, problems: Problems) -> RawTable | None:
    """A data file's headers and non-blank rows, or None after recording why it cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        problems.add(path, f"{OLD_EXCEL}; save it as .xlsx (Excel Workbook) or .csv")
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
    table = without_blank_rows(read)
    if not any(table.headers):
        problems.add(path, "is empty; it must hold the column headers", row=1)
        return None
    return table


OLD_EXCEL = "is an Excel 97-2003 workbook (.xls), which qi-report does not read"
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
        problems.add(path, f"{OLD_EXCEL}, not CSV text; save it as .xlsx or .csv")
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
    if not any(tidy(h) for h in headers):
        problems.add(path, "is empty; it must hold the column headers", row=1)
        return None
    width = len(headers)
    long_rows = [(row, r) for row, r in enumerate(records[1:], start=2) if len(r) > width]
    ragged = [(row, r) for row, r in long_rows if any(tidy(v) for v in r[width:])]
    report_rows(
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
