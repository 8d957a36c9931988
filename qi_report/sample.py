"""Synthetic programme data, shaped like the coaching programme in FACTS.md, made reproducibly.

``generate(spec)`` is a pure function of its :class:`SampleSpec`: every random draw comes from
``numpy.random.default_rng(spec.seed)``, spawned into one stream per table (coaches, projects,
score rows, coaching), and nothing reads the clock or any global state. The committed ``data/``
folder is ``write_sample(SAMPLE, Path("data"))``; a test regenerates it and compares the bytes.

Everything is vectorised over coaches, projects and score rows (``repeat``, ``cumsum``,
``searchsorted``, sorting); the only Python loops are over courses and, when coaches are
assigned, over calendar months. The benchmark scales ``MEDIUM`` and ``LARGE`` take
seconds.

The model is described where it is made: ``sample_coaches``, ``sample_projects`` (with their
score rows) and ``sample_coaching``. Its parameters, and the presets, are in ``sample_spec``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qi_report.config import TABLES
from qi_report.data import SCHEMAS
from qi_report.sample_coaches import DIRECTORATES, Coaches
from qi_report.sample_coaching import Coaching
from qi_report.sample_projects import Projects, Scores
from qi_report.sample_spec import NEVER, SCORES, Ints, SampleSpec, Texts, month_end

COLUMNS = {name: tuple(column.name for column in SCHEMAS[name]) for name in TABLES}


@dataclass(frozen=True)
class SampleData:
    """The four tables, canonical columns in schema order, every cell a string ready to write
    (dates ``YYYY-MM-DD``, blank where missing), rows in a fixed order."""

    coaches: pd.DataFrame
    coaching: pd.DataFrame
    projects: pd.DataFrame
    project_scores: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def equals(self, other: SampleData) -> bool:
        return all(frame.equals(other.tables()[name]) for name, frame in self.tables().items())


def write_sample(spec: SampleSpec, folder: Path) -> list[Path]:
    """Generate ``spec`` and write it as ``NAME.csv`` files (UTF-8, ``\\n`` line ends) into
    ``folder``, creating it; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in generate(spec).tables().items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(path)
    return paths


def generate(spec: SampleSpec) -> SampleData:
    """The data set described by ``spec``: the same spec always gives the same tables."""
    streams = np.random.default_rng(spec.seed).spawn(4)
    end = month_end(spec.last_month)
    coaches = Coaches.make(spec, streams[0], end)
    projects = Projects.make(spec, streams[1], coaches, end)
    scores = Scores.make(spec, streams[2], projects)
    coaching = Coaching.make(spec, streams[3], coaches, projects, end)

    dates = _Calendar(min(int(coaches.trained.min()), int(projects.created.min())), end)
    coach_ids = _ids("C", coaches.count)
    project_ids = _ids("P", projects.count)
    half_points = np.array(["", *(f"{s:.1f}" for s in SCORES)], dtype=object)
    last_row = np.flatnonzero(np.append(scores.project[1:] != scores.project[:-1], True))
    last_score = np.zeros(projects.count, dtype=np.int64)
    last_score[scores.project[last_row]] = scores.half_points[last_row]  # rows in date order
    status = np.where(
        projects.closed == NEVER, "Active", np.where(last_score >= 8, "Completed", "Closed")
    ).astype(object)
    return SampleData(
        coaches=_frame(
            "coaches",
            {
                "coach_id": coach_ids,
                "trained_on": dates.iso(coaches.trained),
                "left_on": dates.iso(coaches.left),
                "directorate": np.asarray(["", *DIRECTORATES], dtype=object)[
                    coaches.directorate_index + 1
                ],
                "role": coaches.role,
            },
        ),
        coaching=_frame(
            "coaching",
            {
                "coach_id": coach_ids[coaching.coach],
                "project_id": project_ids[coaching.project],
                "started_on": dates.iso(coaching.started),
                "ended_on": dates.iso(coaching.ended),
            },
        ),
        projects=_frame(
            "projects",
            {
                "project_id": project_ids,
                "title": projects.titles(),
                "directorate": np.asarray(DIRECTORATES, dtype=object)[projects.directorate],
                "created_on": dates.iso(projects.created),
                "closed_on": dates.iso(projects.closed),
                "status": status,
            },
        ),
        project_scores=_frame(
            "project_scores",
            {
                "project_id": project_ids[scores.project],
                "scored_on": dates.iso(projects.created[scores.project] + scores.offset),
                "score": half_points[scores.half_points],
            },
        ),
    )


class _Calendar:
    """ISO text for every day from ``first`` to ``last``, looked up by day number."""

    def __init__(self, first: int, last: int) -> None:
        days = np.arange(first, last + 1).astype("datetime64[D]")
        self.first = first
        self.text: Texts = np.append(np.datetime_as_string(days).astype(object), "")

    def iso(self, days: Ints) -> Texts:
        """The dates as YYYY-MM-DD, blank for NEVER."""
        index = np.where(days == NEVER, len(self.text) - 1, days - self.first)
        result: Texts = self.text[index]
        return result


def _frame(name: str, columns: dict[str, Any]) -> pd.DataFrame:
    assert tuple(columns) == COLUMNS[name], name
    return pd.DataFrame({key: np.asarray(value, dtype=object) for key, value in columns.items()})


def _ids(prefix: str, count: int) -> Texts:
    """Opaque ids C0001... / P00001..., zero-padded to a common width."""
    width = max(4 if prefix == "C" else 5, len(str(count)))
    numbers = np.arange(1, count + 1).astype(str)
    ids: Texts = np.strings.add(prefix, np.strings.zfill(numbers, width)).astype(object)
    return ids
