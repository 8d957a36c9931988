"""The parameters of a synthetic data set (:class:`SampleSpec`) and its presets.

Days are integers counted from 1970-01-01 (:data:`NEVER` is after them all); a score is held as
half-points 1..10.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Texts = npt.NDArray[np.object_]

NEVER = 1_000_000_000
"""A day number after every real date: a coach who has not left, a project not closed."""

SCORES = tuple(0.5 * h for h in range(1, 11))
"""The LifeQI progress scale, 0.5 to 5.0; internally a score is held as half-points 1..10."""

CEILING_WEIGHTS = (0.01, 0.02, 0.05, 0.13, 0.18, 0.24, 0.17, 0.10, 0.06, 0.04)
"""How often each score, 0.5 to 5.0, is the highest a project would reach."""


def day_number(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def month_end(month: str) -> int:
    return int((np.datetime64(month, "M") + 1).astype("datetime64[D]").astype(np.int64)) - 1


def probabilities(weights: tuple[float, ...]) -> Floats:
    array = np.asarray(weights, dtype=float)
    result: Floats = array / array.sum()
    return result


@dataclass(frozen=True)
class SampleSpec:
    """Every parameter of a synthetic data set. The defaults are the shipped sample."""

    seed: int = 476
    """The shipped sample's seed: with the parameters below it gives the newsletter's December
    2019 values (63% active coaches, stalled projects almost 30%) and a rise in active coaches
    after the summer 2019 conversations. Other seeds give other, equally plausible, histories."""
    coaches: int = 132
    projects: int = 360
    score_rows: int = 3_600
    """Expected number of score rows (see the module notes: the count is approximate)."""
    first_year: int = 2015
    first_course_month: int = 10
    """The month of the first course in ``first_year``; earlier courses that year are not held."""
    course_months: tuple[int, ...] = (3, 10)
    """The months of each year's courses (cohorts), e.g. a spring and an autumn course."""
    cohort_growth: float = 1.12
    """How much bigger each year's courses are than the year before's."""
    first_project_year: int = 2016
    last_month: str = "2019-12"
    """The last month of the data (YYYY-MM): no date in any table is later than its last day."""
    service_users: int = 3
    externals: int = 6
    leave_rate: float = 0.09
    """The share of staff and service-user coaches who leave the trust in a year."""
    external_leave_rate: float = 0.35
    idle_share: float = 0.25
    """The share of coaches never asked to coach, beyond a project they bring to their course
    (until some are re-engaged by the conversations)."""
    project_growth: float = 2.0
    """New projects a month at the end of the period, as a multiple of those at its start."""
    coached_share: float = 0.9
    second_coach_share: float = 0.25
    coaching_days: float = 500.0
    """The mean time a coach stays with a project that has not closed."""
    busy_factor: float = 0.05
    """How much less likely a coach who is already coaching is to be asked to coach another."""
    new_coach_boost: float = 4.0
    """How much more likely a newly trained coach is to be asked to coach a first project."""
    course_project_share: float = 0.2
    """The share of projects brought to a course by a coach in training, who coaches it."""
    progress_days: float = 90.0
    """The median time scale of a project's climb towards its ceiling."""
    ceiling_weights: tuple[float, ...] = CEILING_WEIGHTS
    """Relative weights of each project's highest score, 0.5 to 5.0."""
    setback_share: float = 0.15
    dip_share: float = 0.05
    completed_after_days: float = 120.0
    """Mean time from reaching a ceiling of 4.0 or more to closing the project."""
    abandoned_after_days: float = 200.0
    """Mean time from reaching a ceiling of 2.5 or less to closing the project."""
    left_open_share: float = 0.06
    conversations_on: str | None = "2019-07-15"
    reengaged_share: float = 0.3

    def __post_init__(self) -> None:
        if self.coaches < 1 or self.projects < 1:
            raise ValueError("a sample needs at least one coach and one project")
        if self.service_users + self.externals >= self.coaches:
            raise ValueError("service users and externals must leave some staff coaches")
        if not self.course_months or any(not 1 <= m <= 12 for m in self.course_months):
            raise ValueError("course_months must be months 1-12")
        if len(self.ceiling_weights) != len(SCORES) or min(self.ceiling_weights) < 0:
            raise ValueError(f"ceiling_weights needs {len(SCORES)} weights >= 0")
        if month_end(self.last_month) < day_number(f"{self.first_project_year}-01-01"):
            raise ValueError("last_month is before the first project year")
        if self.first_project_year < self.first_year:
            raise ValueError("first_project_year is before first_year")


SAMPLE = SampleSpec()
"""The shipped sample: one trust, 2015 to December 2019."""

MEDIUM = replace(
    SAMPLE,
    coaches=5_000,
    projects=50_000,
    score_rows=1_000_000,
    first_year=2010,
    first_course_month=1,
    course_months=tuple(range(1, 13)),
    first_project_year=2010,
    service_users=100,
    externals=250,
)
"""Benchmark scale M: a region's pooled programmes, 10 years (2010-2019)."""

LARGE = replace(
    MEDIUM,
    coaches=20_000,
    projects=200_000,
    score_rows=5_000_000,
    service_users=400,
    externals=1_000,
)
"""Benchmark scale L: as M, four times the coaches and projects, five times the score rows."""

PRESETS = {"sample": SAMPLE, "medium": MEDIUM, "large": LARGE}


def main_spec(name: str) -> SampleSpec:
    """The preset called ``name``: sample, medium or large."""
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown sample size {name!r}; expected one of: {', '.join(PRESETS)}"
        ) from None
