"""The programme data files: schemas, column mapping, reading CSV and Excel, and validation.

Each table is read as text, so that nothing is guessed, then every column is checked and converted
at once (vectorised). Every problem is recorded with its spreadsheet row (header = row 1) and
column; a problem that repeats on many rows is listed for the first rows and then counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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
                parts.append(f"{len(frame)} {name.replace('_', ' ')}")
        return ", ".join(parts)


def load_data(
    data_dir: Path, config: SiteConfig, needed: Iterable[str], problems: Problems
) -> Datasets:
    """Read and validate the ``needed`` tables; record every problem found in any of them."""
    frames: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path] = {}
    for name in TABLES:
        if name not in needed:
            continue
        path = find_file(data_dir, name, config.source(name), problems)
        if path is None:
            continue
        raw = read_table(path, problems)
        if raw is None:
            continue
        frame = _validate_table(name, raw, path, config.source(name), problems)
        if frame is not None:
            frames[name] = frame
            paths[name] = path
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
    problems.add(
        data_dir / f"{name}.csv",
        f"file not found (expected {name}.csv or {name}.xlsx in {display_path(data_dir)}/)",
    )
    return None


def read_table(path: Path, problems: Problems) -> pd.DataFrame | None:
    """A data file as text columns plus ``_row``; fully blank rows are dropped."""
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            frame = _read_excel(path)
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False
            )
        else:
            problems.add(path, "unsupported file type (expected .csv or .xlsx)")
            return None
    except UnicodeDecodeError as err:
        problems.add(path, f"is not UTF-8 text ({err.reason} at byte {err.start})")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as err:
        problems.add(path, f"cannot be read as a table: {str(err).strip()}")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = np.arange(2, len(frame) + 2)
    blank = (frame.drop(columns=ROW).apply(lambda col: col.str.strip()) == "").all(axis=1)
    kept: pd.DataFrame = frame.loc[~blank].reset_index(drop=True)
    return kept


def _read_excel(path: Path) -> pd.DataFrame:
    frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    text: pd.DataFrame = frame.map(_cell_text).astype(str)
    return text


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _validate_table(
    name: str, raw: pd.DataFrame, path: Path, source: DataSource, problems: Problems
) -> pd.DataFrame | None:
    """Map, check and convert one table; None when a required column is missing."""
    by_lower = {c.lower(): c for c in raw.columns if c != ROW}
    out = pd.DataFrame({ROW: raw[ROW].to_numpy()})
    missing = False
    for column in SCHEMAS[name]:
        header = source.columns.get(column.name, column.name)
        found = by_lower.get(header.strip().lower())
        if found is None:
            present = ", ".join(c for c in raw.columns if c != ROW) or "none"
            problems.add(
                path, f"missing column '{header}' (columns found: {present})", row=1, field=header
            )
            missing = True
            continue
        out[column.name] = _convert(
            raw[found].str.strip(), raw[ROW], column, header, path, problems
        )
    if missing:
        return None
    if name in ORDERED_DATES:
        _check_order(out, *ORDERED_DATES[name], source, path, problems)
    if name in UNIQUE_IDS:
        _check_unique(out, UNIQUE_IDS[name], source, path, problems)
    return out


def _convert(
    text: pd.Series, rows: pd.Series, column: Column, header: str, path: Path, problems: Problems
) -> pd.Series:
    empty = text == ""
    if column.required:
        _report(
            problems,
            path,
            rows[empty],
            header,
            lambda _v: f"empty value; a {column.name} is required",
            text[empty],
        )
    if column.kind in {"id", "text"}:
        return text
    if column.kind == "role":
        bad = ~empty & ~text.isin(ROLES)
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
        return _parse_dates(text, empty, rows, header, path, problems)
    return _parse_scores(text, empty, rows, header, path, problems)


def _parse_dates(
    text: pd.Series,
    empty: pd.Series,
    rows: pd.Series,
    header: str,
    path: Path,
    problems: Problems,
) -> pd.Series:
    shaped = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    dates = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
    bad_shape = ~empty & ~shaped
    _report(
        problems,
        path,
        rows[bad_shape],
        header,
        lambda v: f"{quote(v)} is not a date in the form YYYY-MM-DD",
        text[bad_shape],
    )
    impossible = ~empty & shaped & dates.isna()
    _report(
        problems,
        path,
        rows[impossible],
        header,
        lambda v: f"{quote(v)} is not a real calendar date (expected YYYY-MM-DD)",
        text[impossible],
    )
    return dates


def _parse_scores(
    text: pd.Series,
    empty: pd.Series,
    rows: pd.Series,
    header: str,
    path: Path,
    problems: Problems,
) -> pd.Series:
    numbers = pd.to_numeric(text.where(~empty), errors="coerce")
    on_scale = (
        (numbers >= SCORE_MIN)
        & (numbers <= SCORE_MAX)
        & np.isclose((numbers / SCORE_STEP).round(), numbers / SCORE_STEP)
    )
    bad = ~empty & ~on_scale
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
    return numbers.where(on_scale)


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
    header: str,
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
