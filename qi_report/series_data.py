"""A team's own measure data (``kind: series``): its file read, checked and put in period order.

A series measure names a file in the data folder, its period column, and the columns of its
values: a ``value``; or a ``numerator`` and a ``denominator`` (a percentage); or, for a u chart,
a ``count`` and an ``exposure`` (a rate per ``multiplier`` units). ``SHAPES`` says which chart
types suit which columns. Periods are months (``YYYY-MM``) or dates (``YYYY-MM-DD``: weeks, days),
one form per file, each at most once; in an Excel file, a date cell or a serial date number is a
date. Numbers may have thousands separators (``1,234``). Every problem is located: a line of
measures.yaml, or a row (header = row 1) and column of the data file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qi_report.dates import FIRST_YEAR, ISO_DATES, LAST_YEAR, OK, cell_dates, report_dates
from qi_report.definitions import MeasureDefinition, Where
from qi_report.problems import Problems, display_path, quote
from qi_report.readers import read_table
from qi_report.tables import ROW, TEXT, RawTable, excel_errors, find_column, report_rows

PERIOD = "period"
"""The column of a loaded series that holds its periods, as written in the file."""

PROPORTION_CHARTS = ("run", "xmr", "p", "pp")
"""The charts of percentages computed from a numerator and a denominator."""

MONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class Shape:
    """One combination of value columns, the charts it suits and the column each fills in the
    loaded frame (``value``, ``numerator``, ``denominator``)."""

    fields: tuple[str, ...]
    charts: tuple[str, ...]
    stored_as: tuple[str, ...]
    described: str


SHAPES = (
    Shape(("value",), ("run", "xmr", "c"), ("value",), "a 'value' column"),
    Shape(
        ("numerator", "denominator"),
        PROPORTION_CHARTS,
        ("numerator", "denominator"),
        "'numerator' and 'denominator' columns",
    ),
    Shape(
        ("count", "exposure"),
        ("u",),
        ("numerator", "denominator"),
        "'count' and 'exposure' columns",
    ),
)
VALUE_FIELDS = ("value", "numerator", "denominator", "count", "exposure")
NON_NEGATIVE = {"numerator": "numerator", "count": "count"}
POSITIVE = ("denominator", "exposure")


def read_series(
    definition: MeasureDefinition, data_dir: Path, where: Where, problems: Problems
) -> pd.DataFrame | None:
    """The measure's file as a frame of ``period`` (text, in order), ``value``, ``numerator`` and
    ``denominator`` (floats, NaN where the shape has none) and ``_row``; None after recording
    located problems."""
    shape = _shape(definition, where, problems)
    for name in ("file", "period"):
        if getattr(definition, name) is None:
            where.add(problems, [], f"a series measure needs '{name}'")
    if shape is None or definition.file is None or definition.period is None:
        return None
    path = _path(definition.file, data_dir, where, problems)
    if path is None:
        return None
    raw = read_table(path, problems)
    if raw is None:
        return None
    found_before = len(problems)
    headers = {PERIOD: definition.period} | {f: str(getattr(definition, f)) for f in shape.fields}
    columns = _find_columns(raw, headers, definition.id, problems)
    if columns is None:
        return None
    rows = raw.row_numbers()
    out = pd.DataFrame({ROW: raw.rows})
    out[PERIOD] = _periods(raw, columns[PERIOD], rows, headers[PERIOD], problems)
    numbers = {
        name: _numbers(raw, columns[name], rows, headers[name], problems) for name in shape.fields
    }
    _check_signs(numbers, definition, rows, headers, path, problems)
    if "numerator" in numbers:
        _check_proportions(numbers, rows, headers, path, problems)
    if len(problems) > found_before:
        return None
    for column in ("value", "numerator", "denominator"):
        out[column] = np.nan
    for name, column in zip(shape.fields, shape.stored_as, strict=True):
        out[column] = numbers[name].to_numpy(dtype=float)
    ordered: pd.DataFrame = out.sort_values(PERIOD, kind="stable").reset_index(drop=True)
    return ordered


def frequency(periods: Sequence[str]) -> str:
    """What one period is: ``month`` (``YYYY-MM``, or dates all on the 1st a month or more
    apart), ``week`` (dates a whole number of weeks apart), ``day`` (mostly a day apart), or
    ``point`` (irregular dates)."""
    if not periods or len(periods[0]) == len("YYYY-MM"):
        return "month"
    days = pd.DatetimeIndex(pd.to_datetime(list(periods), format="%Y-%m-%d"))
    gaps = np.diff(days.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    if gaps.size == 0:
        return "day"
    if (days.day == 1).all() and gaps.min() >= 28:
        return "month"
    if (gaps % 7 == 0).all():
        return "week"
    if (gaps == 1).mean() >= 0.5:
        return "day"
    return "point"


def _shape(definition: MeasureDefinition, where: Where, problems: Problems) -> Shape | None:
    given = tuple(f for f in VALUE_FIELDS if getattr(definition, f) is not None)
    shape = next((s for s in SHAPES if set(s.fields) == set(given)), None)
    if shape is None:
        named = ", ".join(f"'{f}'" for f in given) or "none"
        where.add(
            problems,
            [given[0]] if given else [],
            "a series measure needs a 'value' column, or 'numerator' and 'denominator', or (for "
            f"a u chart) 'count' and 'exposure'; found: {named}",
        )
        return None
    if definition.chart not in shape.charts:
        suits = [s.described for s in SHAPES if definition.chart in s.charts]
        where.add(
            problems,
            ["chart"],
            f"a {definition.chart} chart needs {' or '.join(suits)}, but this measure gives "
            f"{shape.described}; with those, chart can be: {', '.join(shape.charts)}",
        )
        return None
    return shape


def _path(file: str, data_dir: Path, where: Where, problems: Problems) -> Path | None:
    path = data_dir / file
    if not path.resolve().is_relative_to(data_dir.resolve()):
        where.add(problems, ["file"], f"{quote(file)} is outside the data folder")
        return None
    if not path.is_file():
        where.add(problems, ["file"], f"file not found: {display_path(path)}")
        return None
    return path


def _find_columns(
    raw: RawTable, headers: dict[str, str], measure_id: str, problems: Problems
) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for name, header in headers.items():
        named_for = f"named for measure '{measure_id}' in measures.yaml; "
        column = find_column(raw, header, problems, named_for)
        if column is not None:
            found[name] = column
    return found if len(found) == len(headers) else None


def _periods(
    raw: RawTable, index: int, rows: pd.Series, header: str, problems: Problems
) -> pd.Series:
    """The periods as text: ``YYYY-MM`` or ``YYYY-MM-DD`` as written, or the date of an Excel
    date cell or serial number."""
    path, cells = raw.path, raw.cells(index)
    text = cells.text()
    errors = excel_errors(cells, rows, header, "a period", path, problems)
    empty = cells.empty()
    report_rows(
        problems, path, rows[empty], header, "empty value; a period is required", text[empty]
    )
    skip = empty | errors
    kinds = raw.kind(index)
    if kinds is not None:  # Excel: a date cell or a number is a date, whatever its format
        typed = (kinds != TEXT) & ~skip
        found = cell_dates(cells, kinds, ~typed, ISO_DATES, raw.epoch)
        report_dates(found, text, rows, header, ISO_DATES, None, path, problems)
        good = typed & (found.why == OK)
        text = text.where(~good, found.dates.dt.strftime("%Y-%m-%d"))
        skip = skip | (typed & ~good)
    month = text.str.fullmatch(MONTH_PATTERN) & ~skip
    date = text.str.fullmatch(DATE_PATTERN) & ~skip
    shapeless = ~skip & ~month & ~date
    report_rows(
        problems,
        path,
        rows[shapeless],
        header,
        lambda v: f"{quote(v)} is not a period: expected a date YYYY-MM-DD or a month YYYY-MM",
        text[shapeless],
    )
    parsed = pd.to_datetime(text.where(date), format="%Y-%m-%d", errors="coerce")
    impossible = date & parsed.isna()
    report_rows(
        problems,
        path,
        rows[impossible],
        header,
        lambda v: f"{quote(v)} is not a real calendar date (expected YYYY-MM-DD)",
        text[impossible],
    )
    valid = month | (date & parsed.notna())
    years = pd.to_numeric(text.str[:4].where(valid), errors="coerce")
    far = valid & ~years.between(FIRST_YEAR, LAST_YEAR)
    report_rows(
        problems,
        path,
        rows[far],
        header,
        lambda v: f"{quote(v)} is not in the years {FIRST_YEAR} to {LAST_YEAR} (a mistyped year?)",
        text[far],
    )
    valid &= ~far
    if valid.any():
        first = int(np.flatnonzero(valid.to_numpy())[0])
        first_is_month = bool(month.iloc[first])
        other = valid & (date if first_is_month else month)
        given, expected = ("a date", "a month") if first_is_month else ("a month", "a date")
        report_rows(
            problems,
            path,
            rows[other],
            header,
            lambda v: (
                f"{quote(v)} is {given}, but row {rows.iloc[first]} gives {expected}: use one "
                "form for every period"
            ),
            text[other],
        )
        valid &= ~other
    _check_repeats(text, valid, rows, header, path, problems)
    return text


def _check_repeats(
    text: pd.Series,
    valid: pd.Series,
    rows: pd.Series,
    header: str,
    path: Path,
    problems: Problems,
) -> None:
    periods = text[valid]
    repeated = periods.duplicated(keep="first")
    first_row = pd.Series(rows[valid].to_numpy(), index=periods.to_numpy())
    first_row = first_row[~first_row.index.duplicated(keep="first")]
    again = periods[repeated]
    report_rows(
        problems,
        path,
        rows[valid][repeated],
        header,
        lambda pair: f"{quote(pair[0])} is already on row {pair[1]}; a period may appear once",
        pd.Series(
            list(zip(again, first_row.loc[again.to_numpy()].to_numpy(), strict=True)),
            index=again.index,
            dtype=object,
        ),
    )


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def number_value(text: str) -> float:
    """The number ``text`` gives (``12``, ``0.5``, ``1,234``), or NaN."""
    if _NUMBER.fullmatch(text):
        return float(text)
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    return np.nan


def _numbers(
    raw: RawTable, index: int, rows: pd.Series, header: str, problems: Problems
) -> pd.Series:
    path, cells = raw.path, raw.cells(index)
    text = cells.text()
    errors = excel_errors(cells, rows, header, "a number", path, problems)
    empty = cells.empty()
    report_rows(
        problems, path, rows[empty], header, "empty value; a number is required", text[empty]
    )
    numbers = pd.Series(cells.each(number_value), dtype=float)
    bad = ~empty & ~errors & ~np.isfinite(numbers)
    report_rows(
        problems, path, rows[bad], header, lambda v: f"{quote(v)} is not a number", text[bad]
    )
    return numbers.where(~bad & ~errors & ~empty)


def _check_signs(
    numbers: dict[str, pd.Series],
    definition: MeasureDefinition,
    rows: pd.Series,
    headers: dict[str, str],
    path: Path,
    problems: Problems,
) -> None:
    counts = dict(NON_NEGATIVE)
    if definition.chart == "c":
        counts["value"] = "count on a c chart"
    for name, what in counts.items():
        if name in numbers:
            negative = numbers[name] < 0
            report_rows(
                problems,
                path,
                rows[negative],
                headers[name],
                lambda v, what=what: f"'{v:g}' is negative; a {what} cannot be",
                numbers[name][negative],
            )
    for name in POSITIVE:
        if name in numbers:
            not_positive = numbers[name] <= 0
            report_rows(
                problems,
                path,
                rows[not_positive],
                headers[name],
                lambda v, name=name: f"'{v:g}' is not above zero; a {name} must be",
                numbers[name][not_positive],
            )


def _check_proportions(
    numbers: dict[str, pd.Series],
    rows: pd.Series,
    headers: dict[str, str],
    path: Path,
    problems: Problems,
) -> None:
    numerator, denominator = numbers["numerator"], numbers["denominator"]
    over = numerator > denominator
    report_rows(
        problems,
        path,
        rows[over],
        headers["numerator"],
        lambda pair: (
            f"'{pair[0]:g}' is more than its denominator, {pair[1]:g} (column "
            f"'{headers['denominator']}'); a proportion cannot be above 100%"
        ),
        pd.Series(
            list(zip(numerator[over], denominator[over], strict=True)),
            index=numerator[over].index,
            dtype=object,
        ),
    )
