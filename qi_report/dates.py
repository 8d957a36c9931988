"""Dates in data files: ``date_format`` settings, text dates, Excel date cells and serials.

A text date must match its format's pattern before it is parsed, so that nothing is guessed; in
an Excel file, a date cell is a date whatever ``date_format`` says (a time of day in it is
ignored), and a number in a date column is an Excel serial date (43830 = 2019-12-31). A wrong date
is a located problem that says what was expected, with the ``date_format`` that would read it
where one would.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qi_report.problems import Problems, quote
from qi_report.tables import DATE, TEXT, TIME, WINDOWS_EPOCH, Cells, report_rows

FIRST_YEAR, LAST_YEAR = 1901, 2199
"""Dates outside these years are typing errors (1019 for 2019), or numbers that are not dates."""


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
            report_rows(problems, path, rows[wrong], header, message, text[wrong])


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
