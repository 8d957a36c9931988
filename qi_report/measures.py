"""The QI measures: each kind computes a month-by-month numerator and denominator.

A kind is one function registered by name with the tables it reads and the schema of its
parameters (and, for a kind that reads its own file, the function that loads it); ``measures.yaml``
chooses a kind per measure. Computing does no I/O and is vectorised
over people, projects and months (arrays of rows x months), never a Python loop per month.

Definitions (issue 2 and CLARIFICATIONS.md). For each calendar month M, D is its last day and F
its first day.

- ``active_coaches``: denominator = coaches with trained_on <= D and (left_on blank or > D);
  numerator = those with a coaching row where started_on <= D and (ended_on blank or >= F).
- ``stalled_projects``: W = the last day of the month ``window_months`` before M. A project's
  score at t is its latest score with scored_on <= t, else 0.5. Denominator = projects with
  created_on <= W and (closed_on blank or > D); numerator = those with score(D) <= max_score and
  score(D) <= score(W).
- ``series``: a team's own data file, charted as given (see :mod:`qi_report.series_data`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, PositiveInt

from qi_report.config import ReportPeriod, Strict
from qi_report.data import SCORE_MIN, Datasets
from qi_report.definitions import MeasureDefinition, NoParameters, Where
from qi_report.problems import Problems
from qi_report.series_data import PERIOD, PROPORTION_CHARTS, frequency, read_series
from qi_report.spc import CHART_TYPES

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
PERCENT = 100.0


@dataclass(frozen=True)
class MeasureSeries:
    """One measure period by period (months, or a series' own weeks or days).

    ``values`` is ``observed`` where the series gives values (a ``value`` column; numerators and
    denominators are then NaN), else ``scale`` x numerator / denominator, NaN where the
    denominator is zero: a percentage (scale 100), or a u chart's rate per ``multiplier``.
    ``frequency`` names one period: month, week, day, or point where the dates are irregular."""

    measure_id: str
    periods: tuple[str, ...]
    numerators: FloatArray
    denominators: FloatArray
    observed: FloatArray | None = None
    scale: float = PERCENT
    frequency: str = "month"

    @property
    def values(self) -> FloatArray:
        if self.observed is not None:
            return self.observed
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = np.where(
                self.denominators > 0, self.scale * self.numerators / self.denominators, np.nan
            )
        return result

    @property
    def has_counts(self) -> bool:
        """Whether values come from numerators and denominators (else they were given)."""
        return self.observed is None


Compute = Callable[[MeasureDefinition, Any, Datasets, pd.Timestamp], MeasureSeries]
Load = Callable[[MeasureDefinition, Path, Where, Problems], pd.DataFrame | None]
"""Reads and checks a kind's own data file at load time: a frame, or None after recording
located problems."""


@dataclass(frozen=True)
class MeasureKind:
    name: str
    tables: tuple[str, ...]
    parameters: type[BaseModel]
    compute: Compute
    charts: tuple[str, ...] = PROPORTION_CHARTS
    """The chart types its values can be drawn as."""
    load: Load | None = None
    report_months: bool = True
    """Whether it is reported over the programme's months (trimmed to the report period), or
    charted as its own data gives it."""


KINDS: dict[str, MeasureKind] = {}


def register(
    name: str,
    tables: tuple[str, ...],
    parameters: type[BaseModel] = NoParameters,
    *,
    charts: tuple[str, ...] = PROPORTION_CHARTS,
    load: Load | None = None,
    report_months: bool = True,
) -> Callable[[Compute], Compute]:
    """Register a measure kind under ``name``: the one place a new kind is added."""

    def add(compute: Compute) -> Compute:
        KINDS[name] = MeasureKind(name, tables, parameters, compute, charts, load, report_months)
        return compute

    return add


class StalledParameters(Strict):
    max_score: float = 2.5
    window_months: PositiveInt = 3


def compute_all(
    definitions: list[MeasureDefinition],
    parameters: Mapping[str, BaseModel],
    datasets: Datasets,
    report: ReportPeriod,
) -> list[MeasureSeries]:
    """Every measure. The programme's measures are trimmed to their report months (from the
    first non-zero denominator, or ``report.start``, to the month of the latest date in the
    programme's tables, or ``report.end``); a series is charted as its file gives it."""
    end = pd.Timestamp(report.end) if report.end else datasets.latest
    results = []
    for definition in definitions:
        kind = KINDS[definition.kind]
        if not kind.report_months:  # charted as given: the programme's last month is unused
            given = kind.compute(definition, parameters[definition.id], datasets, pd.Timestamp.max)
            results.append(given)
        elif end is None:  # the programme's tables hold no date at all
            results.append(MeasureSeries(definition.id, (), np.zeros(0), np.zeros(0)))
        else:
            series = kind.compute(definition, parameters[definition.id], datasets, end)
            results.append(_trim(series, report.start))
    return results


def _trim(series: MeasureSeries, start: str | None) -> MeasureSeries:
    if start is not None:
        first = sum(1 for period in series.periods if period < start)  # YYYY-MM sorts as text
    else:
        positive = np.flatnonzero(series.denominators > 0)
        first = int(positive[0]) if positive.size else len(series.periods)
    return replace(
        series,
        periods=series.periods[first:],
        numerators=series.numerators[first:],
        denominators=series.denominators[first:],
    )


def month_grid(first: pd.Timestamp, last: pd.Timestamp) -> pd.PeriodIndex:
    """Every calendar month from the month of ``first`` to the month of ``last``."""
    return pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")


def _month_ends(months: pd.PeriodIndex) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    return months.to_timestamp(how="start").to_numpy() + _month_lengths(months)


def _month_lengths(months: pd.PeriodIndex) -> np.ndarray[Any, np.dtype[np.timedelta64]]:
    return (months.days_in_month.to_numpy() - 1).astype("timedelta64[D]")


def _series(
    definition: MeasureDefinition,
    months: pd.PeriodIndex,
    numerator: np.ndarray[Any, Any],
    denominator: np.ndarray[Any, Any],
) -> MeasureSeries:
    return MeasureSeries(
        definition.id,
        tuple(str(p) for p in months),
        numerator.astype(float),
        denominator.astype(float),
    )


@register("active_coaches", tables=("coaches", "coaching"))
def active_coaches(
    definition: MeasureDefinition, _params: Any, datasets: Datasets, end: pd.Timestamp
) -> MeasureSeries:
    coaches = datasets.table("coaches")
    coaching = datasets.table("coaching")
    if coaches.empty:
        return _series(definition, month_grid(end, end), np.zeros(1), np.zeros(1))
    months = month_grid(coaches["trained_on"].min(), end)
    last_day = _month_ends(months)[None, :]
    first_day = months.to_timestamp(how="start").to_numpy()[None, :]

    left = coaches["left_on"].to_numpy()[:, None]
    in_post = (coaches["trained_on"].to_numpy()[:, None] <= last_day) & (
        np.isnat(left) | (left > last_day)
    )
    ended = coaching["ended_on"].to_numpy()[:, None]
    row_active = (coaching["started_on"].to_numpy()[:, None] <= last_day) & (
        np.isnat(ended) | (ended >= first_day)
    )
    coach_index = pd.Index(coaches["coach_id"]).get_indexer(coaching["coach_id"])
    known = coach_index >= 0
    coaching_now = np.zeros(in_post.shape, dtype=bool)
    np.logical_or.at(coaching_now, coach_index[known], row_active[known])
    return _series(definition, months, (in_post & coaching_now).sum(axis=0), in_post.sum(axis=0))


@register("stalled_projects", tables=("projects", "project_scores"), parameters=StalledParameters)
def stalled_projects(
    definition: MeasureDefinition,
    params: StalledParameters,
    datasets: Datasets,
    end: pd.Timestamp,
) -> MeasureSeries:
    projects = datasets.table("projects")
    scores = datasets.table("project_scores")
    window = params.window_months
    if projects.empty:
        return _series(definition, month_grid(end, end), np.zeros(1), np.zeros(1))
    months = month_grid(projects["created_on"].min(), end)
    # Month ends from `window` months before the first reported month: column m + window of
    # `at_month_end` is the score at D of month m, column m the score at its W.
    extended = pd.period_range(months[0] - window, months[-1], freq="M")
    at_month_end = _scores_at_month_ends(projects["project_id"], scores, extended)
    score_d = at_month_end.codes[:, window:]
    score_w = at_month_end.codes[:, :-window]

    last_day = _month_ends(months)[None, :]
    window_end = _month_ends(extended[:-window])[None, :]
    closed = projects["closed_on"].to_numpy()[:, None]
    open_long_enough = (projects["created_on"].to_numpy()[:, None] <= window_end) & (
        np.isnat(closed) | (closed > last_day)
    )
    low = score_d < at_month_end.codes_up_to(params.max_score)  # score(D) <= max_score
    stalled = open_long_enough & low & (score_d <= score_w)
    return _series(definition, months, stalled.sum(axis=0), open_long_enough.sum(axis=0))


@register("series", tables=(), charts=CHART_TYPES, load=read_series, report_months=False)
def series(
    definition: MeasureDefinition, _params: Any, datasets: Datasets, _end: pd.Timestamp
) -> MeasureSeries:
    """A team's own series, read and checked at load (``read_series``), in period order."""
    table = datasets.series[definition.id]
    periods = tuple(str(p) for p in table[PERIOD])
    numerators = table["numerator"].to_numpy(dtype=float)
    denominators = table["denominator"].to_numpy(dtype=float)
    if definition.value is not None:
        observed = table["value"].to_numpy(dtype=float)
        return MeasureSeries(
            definition.id,
            periods,
            numerators,
            denominators,
            observed=observed,
            frequency=frequency(periods),
        )
    scale = PERCENT if definition.numerator is not None else (definition.multiplier or 1.0)
    return MeasureSeries(
        definition.id, periods, numerators, denominators, scale=scale, frequency=frequency(periods)
    )


@dataclass(frozen=True)
class ScoreTable:
    """Each project's score at each month end, as a projects x months array of small codes.

    ``codes`` index ``levels``, the distinct scores in increasing order, so that codes compare
    exactly as the scores do; a uint8 array (one byte a cell, where float64 scores took eight)
    while there are at most 256 distinct scores."""

    codes: np.ndarray[Any, np.dtype[np.unsignedinteger[Any]]]
    levels: FloatArray

    def codes_up_to(self, score: float) -> int:
        """How many levels are at most ``score``: a code is below it when its score is <= it."""
        return int(np.searchsorted(self.levels, score, side="right"))


def _scores_at_month_ends(
    project_ids: pd.Series, scores: pd.DataFrame, months: pd.PeriodIndex
) -> ScoreTable:
    """Each project's latest score on or before each month end, by scored_on (never file
    order; of two rows on one day the later in the file), or the 0.5 starting score where it has
    none yet.

    Each score row falls in a cell (project, month), its month clipped to the first; the latest
    row of each cell (a stable sort by cell and day, skipped when the rows are in that order
    already, as exports usually are) holds from that month until the project's next scored
    month, so every project's row of the table is a run of repeated codes (``np.repeat``)."""
    count, width = len(project_ids), len(months)
    project = _positions(pd.Index(project_ids), scores["project_id"])
    day = scores["scored_on"].to_numpy().astype("datetime64[D]")
    column = day.astype("datetime64[M]").astype(np.int64) - months[0].ordinal
    kept = ~np.isnat(day) & (project >= 0) & (column < width)
    days = day[kept].astype(np.int64)
    cells = project[kept] * width + np.clip(column[kept], 0, None)
    values = scores["score"].to_numpy(dtype=float)[kept]
    if days.size:
        order_key = cells * (int(days.max() - days.min()) + 1) + (days - days.min())
        if not bool(np.all(order_key[1:] >= order_key[:-1])):
            order = np.argsort(order_key, kind="stable")
            cells, values = cells[order], values[order]
    latest = np.flatnonzero(np.diff(cells, append=-1))  # the last row of each cell
    levels: FloatArray = np.unique(np.append(pd.unique(values), SCORE_MIN))
    dtype = np.min_scalar_type(len(levels) - 1)
    # A run of the starting score at the start of every project's row, then its scored cells.
    starts = np.concatenate([np.arange(count, dtype=np.int64) * width, cells[latest]])
    codes = np.concatenate(
        [
            np.full(count, np.searchsorted(levels, SCORE_MIN), dtype=dtype),
            np.searchsorted(levels, values[latest]).astype(dtype),
        ]
    )
    order = np.argsort(starts, kind="stable")  # a row's start run before a cell in month 0
    starts, codes = starts[order], codes[order]
    runs = np.diff(np.append(starts, count * width))
    return ScoreTable(np.repeat(codes, runs).reshape(count, width), levels)


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    """``index.get_indexer(values)`` (-1 where absent), looking each run of equal consecutive
    values up once: score rows usually come grouped by project."""
    found = values.to_numpy()
    if found.size == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.append(True, found[1:] != found[:-1]))
    looked_up = index.get_indexer(pd.Index(found[first])).astype(np.int64)
    return np.repeat(looked_up, np.diff(np.append(first, found.size)))


def percent_1dp(numerator: float, denominator: float) -> str:
    """100 x numerator / denominator to one decimal place, halves rounded up (as Excel's ROUND
    and a reader with a calculator would), or '' when the denominator is zero."""
    if denominator <= 0:
        return ""
    num, den = int(numerator), int(denominator)
    tenths = (2000 * num + den) // (2 * den)
    return f"{tenths // 10}.{tenths % 10}"
