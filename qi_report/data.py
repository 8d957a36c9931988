"""The programme data tables: schemas, column mapping, validation and cross-file checks.

Each file is read as text (see ``readers``), so that nothing is guessed, then every column is
checked and converted at once (vectorised, and once per distinct value where a value needs
parsing). Every problem is recorded with its spreadsheet row (header = row 1) and column; a
problem that repeats on many rows is listed for the first rows and then counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from qi_report.config import TABLES, DataSource, SiteConfig
from qi_report.dates import ISO_DATES, DateFormat, cell_dates, date_format, report_dates
from qi_report.problems import Problems, display_path, quote
from qi_report.readers import OLD_EXCEL, read_table
from qi_report.tables import CP1252, ROW, Cells, RawTable, excel_errors, find_column, report_rows

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
        problems.add(old, f"{OLD_EXCEL}; save it as {name}.xlsx (Excel Workbook) or {name}.csv")
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
        report_rows(
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
        report_rows(
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
    report_rows(
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
    report_rows(
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
    report_rows(
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
    report_rows(
        problems,
        path,
        frame.loc[unknown, ROW],
        header,
        lambda v: f"{quote(v)} is not a {column} in {display_path(target_path)}",
        frame.loc[unknown, column],
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
