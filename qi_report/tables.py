"""A data file as read: a table of text cells with each row's spreadsheet number.

A :class:`RawTable` holds row 1's headers and every later row that is not blank, each cell as the
text it shows (and, from an Excel file, its type). Values are trimmed of spaces (non-breaking ones
too); blank rows are skipped, and row numbers stay those of the spreadsheet. A column is found by
its header, ignoring case and spaces. Every problem is recorded with its spreadsheet row (header =
row 1) and column; a problem that repeats on many rows is listed for the first rows and then
counted (:func:`report_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qi_report.problems import Problems, quote

ROW = "_row"
"""The column that carries each record's spreadsheet row number (header = row 1)."""

MAX_LISTED = 20
"""How many rows one kind of problem in one column is listed for before it is only counted."""

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


_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\ufeff": ""})
"""Non-breaking spaces become plain ones; zero-width spaces and stray byte-order marks go."""


def tidy(value: str) -> str:
    if not value.isascii():
        value = value.translate(_SPACES)
    return value.strip()


def _tidy_cells(column: np.ndarray[Any, np.dtype[np.object_]]) -> Cells:
    codes, uniques = pd.factorize(column)
    values = np.empty(len(uniques), dtype=object)
    values[:] = [tidy(str(value)) for value in uniques]
    return Cells(np.asarray(codes, dtype=np.intp), values)


def _header_key(header: str) -> str:
    return " ".join(tidy(header).split()).casefold()


def without_blank_rows(table: RawTable) -> RawTable:
    """``table`` without its rows of blank cells (empty lines, rows of commas, rows of spaces).
    The first column is tidied whole (it is needed anyway); later ones only where still blank."""
    headers = tuple(tidy(h) for h in table.headers)
    if not table.columns:
        return RawTable(table.path, headers, (), table.rows[:0], None, table.encoding, table.epoch)
    first = _tidy_cells(table.columns[0])
    blank = (first.values == "")[first.codes] if len(first.codes) else np.zeros(0, dtype=bool)
    for column in table.columns[1:]:
        candidates = np.flatnonzero(blank)
        if candidates.size == 0:
            break
        blank[candidates] = [tidy(str(value)) == "" for value in column[candidates]]
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


def excel_errors(
    cells: Cells, rows: pd.Series, header: str, what: str, path: Path, problems: Problems
) -> pd.Series:
    """Which cells hold an Excel error value (``#N/A``), each reported as a problem."""
    errors = cells.where(lambda v: v[:1] == "#" and v.upper() in EXCEL_ERRORS)
    if not errors.any():
        return errors
    report_rows(
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


def report_rows(
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
