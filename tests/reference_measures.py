"""A plain reference implementation of the two headline measures, for tests only.

Written straight from the definitions in issue 2 and ../shared/CLARIFICATIONS.md, one loop per
month and per coach or project, with ``datetime.date`` and ``calendar.monthrange``: slow, short and
easy to check by eye. It shares no code with ``qi_report`` and reads only canonical CSV files.

For each calendar month M, F is its first day and D its last.

- active coaches: denominator = coaches with trained_on <= D and (left_on blank or left_on > D);
  numerator = those with a coaching row where started_on <= D and (ended_on blank or >= F).
- stalled projects: W = the last day of the month ``window_months`` before M. score(t) = the
  score of the latest scored_on <= t, else 0.5. Denominator = projects with created_on <= W and
  (closed_on blank or closed_on > D); numerator = those with score(D) <= max_score and
  score(D) <= score(W).

Each measure runs from the first month with a non-zero denominator to the month of the latest date
in any of the four files. value = 100 x numerator / denominator to 1 dp, halves rounded up.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

TABLES = ("coaches", "coaching", "projects", "project_scores")
DATE_COLUMNS = ("trained_on", "left_on", "started_on", "ended_on", "created_on", "closed_on",
                "scored_on")  # fmt: skip
STARTING_SCORE = 0.5

Row = tuple[str, int, int]
"""(month as YYYY-MM, numerator, denominator)"""


def read_tables(data_dir: Path) -> dict[str, list[dict[str, str]]]:
    """The four canonical CSV files as lists of rows (blank rows left out)."""
    tables = {}
    for name in TABLES:
        with (data_dir / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
        tables[name] = [row for row in rows if any(row.values())]
    return tables


def day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def first_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_before(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - count
    return index // 12, index % 12 + 1


def active_coaches(
    tables: dict[str, list[dict[str, str]]], year: int, month: int
) -> tuple[int, int]:
    f, d = first_day(year, month), last_day(year, month)
    numerator = denominator = 0
    for coach in tables["coaches"]:
        trained, left = day(coach["trained_on"]), day(coach["left_on"])
        assert trained is not None
        if not (trained <= d and (left is None or left > d)):
            continue
        denominator += 1
        for row in tables["coaching"]:
            if row["coach_id"] != coach["coach_id"]:
                continue
            started, ended = day(row["started_on"]), day(row["ended_on"])
            assert started is not None
            if started <= d and (ended is None or ended >= f):
                numerator += 1
                break
    return numerator, denominator


def score_at(scores: list[tuple[dt.date, float]], t: dt.date) -> float:
    """The score with the latest date on or before t (by date, never by file order), else 0.5."""
    latest: tuple[dt.date, float] | None = None
    for scored_on, score in scores:
        if scored_on <= t and (latest is None or scored_on >= latest[0]):
            latest = (scored_on, score)
    return latest[1] if latest is not None else STARTING_SCORE


def stalled_projects(
    tables: dict[str, list[dict[str, str]]],
    year: int,
    month: int,
    max_score: float,
    window_months: int,
) -> tuple[int, int]:
    d = last_day(year, month)
    w = last_day(*months_before(year, month, window_months))
    numerator = denominator = 0
    for project in tables["projects"]:
        created, closed = day(project["created_on"]), day(project["closed_on"])
        assert created is not None
        if not (created <= w and (closed is None or closed > d)):
            continue
        denominator += 1
        scores = []
        for row in tables["project_scores"]:
            if row["project_id"] == project["project_id"]:
                scored_on = day(row["scored_on"])
                assert scored_on is not None
                scores.append((scored_on, float(row["score"])))
        at_d, at_w = score_at(scores, d), score_at(scores, w)
        if at_d <= max_score and at_d <= at_w:
            numerator += 1
    return numerator, denominator


def reference(
    data_dir: Path, *, max_score: float = 2.5, window_months: int = 3
) -> dict[str, list[Row]]:
    """Both measures, keyed by kind (``active_coaches``, ``stalled_projects``)."""
    tables = read_tables(data_dir)
    dates = [
        day(row[column])
        for rows in tables.values()
        for row in rows
        for column in DATE_COLUMNS
        if row.get(column)
    ]
    result: dict[str, list[Row]] = {"active_coaches": [], "stalled_projects": []}
    if not dates:
        return result
    first, last = min(d for d in dates if d), max(d for d in dates if d)
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        label = f"{year:04d}-{month:02d}"
        counts = {
            "active_coaches": active_coaches(tables, year, month),
            "stalled_projects": stalled_projects(tables, year, month, max_score, window_months),
        }
        for kind, (numerator, denominator) in counts.items():
            # The report starts at the first month with a non-zero denominator.
            if result[kind] or denominator > 0:
                result[kind].append((label, numerator, denominator))
        year, month = months_before(year, month, -1)
    return result


def value(numerator: int, denominator: int) -> float | None:
    """100 x numerator / denominator to 1 dp, halves rounded up; None for a zero denominator."""
    if denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
