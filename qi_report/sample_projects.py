"""The synthetic sample's projects and their score rows.

**Projects** are created from ``first_project_year`` at a rate that grows ``project_growth``-fold
over the period; a share ``course_project_share`` are instead brought to a course by a coach in
training, created in the weeks around its end, in the coach's directorate. Each project starts
at 0.5-2.0 (mostly 0.5-1.5) and climbs towards its own ceiling (``ceiling_weights``: many stop
at 2.0-2.5, some reach 3.0 or more, a few 4.0-5.0) along a saturating curve whose time scale is
lognormal around ``progress_days``; a share ``setback_share`` fall back 0.5 or 1.0 for good at
some point, and a share ``dip_share`` of score rows dip 0.5 below the curve. A project closes
some time after reaching its ceiling (sooner when it did well: ``completed_after_days``, else
up to ``abandoned_after_days``), except a share ``left_open_share`` that nobody closes.

**Score rows**: each project has one row in its first fortnight and a Poisson number more at
random days of its open life, at a daily rate chosen so that, after rows on the same day are
merged, the expected total is ``score_rows``. Merging the first row with a later one on the
same day loses a few more, so the total comes out slightly under ``score_rows`` (by about
0.3% at MEDIUM and LARGE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qi_report.sample_coaches import DIRECTORATE_WEIGHTS, DIRECTORATES, Coaches
from qi_report.sample_spec import NEVER, Floats, Ints, SampleSpec, Texts, day_number, probabilities

PHRASES = (
    "Reducing falls on inpatient wards",
    "Reducing violence and aggression",
    "Improving physical health checks",
    "Reducing waiting times for a first appointment",
    "Improving discharge planning",
    "Reducing missed appointments",
    "Improving medicines reconciliation",
    "Involving service users in care planning",
    "Reducing restrictive practice",
    "Improving staff wellbeing",
    "Reducing time from referral to treatment",
    "Reducing pressure ulcers",
    "Involving carers in care reviews",
    "Reducing the use of agency staff",
    "Improving handover between shifts",
    "Increasing flu vaccination uptake",
    "Acting on patient experience feedback",
    "Reducing time to assessment",
    "Improving smoking cessation support",
    "Reducing duplicated paperwork",
)
"""Generic project aims; a title is one of them and a team number, e.g. "... (team 7)"."""

STARTING_SCORES = (0.5, 1.0, 1.5, 2.0)
STARTING_WEIGHTS = (0.42, 0.33, 0.19, 0.06)


@dataclass(frozen=True)
class Projects:
    """Projects in id order (by creation date) and the parameters of their score paths."""

    created: Ints
    closed: Ints
    sponsor: Ints
    """The coach in training who brought the project to their course, or -1."""
    directorate: Ints
    phrase: Ints
    start: Ints
    """The starting score in half-points (1 = 0.5)."""
    ceiling: Ints
    scale: Floats
    """The time scale (days) of the climb from start to ceiling."""
    setback_at: Ints
    """Days after creation when a lasting setback happens (NEVER for none)."""
    setback: Ints
    end: int
    """The last day of the data."""

    @property
    def count(self) -> int:
        return len(self.created)

    @property
    def open_days(self) -> Ints:
        """Days from creation to closing, or to the end of the data when still open."""
        days: Ints = np.minimum(self.closed, self.end) - self.created
        return days

    @classmethod
    def make(
        cls, spec: SampleSpec, rng: np.random.Generator, coaches: Coaches, end: int
    ) -> Projects:
        n = spec.projects
        first = day_number(f"{spec.first_project_year}-01-01")
        span = end - first + 1
        # Creation dates with a density rising linearly from 1 to project_growth (inverse CDF).
        a = (spec.project_growth - 1.0) / 2.0
        u = rng.random(n)
        x = u if abs(a) < 1e-9 else (np.sqrt(1.0 + 4.0 * a * (1.0 + a) * u) - 1.0) / (2.0 * a)
        created = first + np.floor(x * span).astype(np.int64)
        # Some projects are brought to a course by a coach in training: created in the weeks
        # around its end (or when LifeQI starts, for courses before it), coached by them.
        sponsor = rng.integers(0, coaches.count, n)
        brought_on = np.maximum(
            coaches.trained[sponsor] + rng.integers(-45, 15, n), first + rng.integers(0, 30, n)
        )
        brought = (rng.random(n) < spec.course_project_share) & (brought_on <= end)
        created = np.where(brought, brought_on, created)
        sponsor = np.where(brought, sponsor, -1)
        order = np.argsort(created, kind="stable")
        created, sponsor = created[order], sponsor[order]

        directorate = rng.choice(len(DIRECTORATES), size=n, p=probabilities(DIRECTORATE_WEIGHTS))
        home = coaches.directorate_index[np.maximum(sponsor, 0)]
        directorate = np.where((sponsor >= 0) & (home >= 0), home, directorate)
        phrase = rng.integers(0, len(PHRASES), n)
        start = 2 * rng.choice(
            np.asarray(STARTING_SCORES), size=n, p=probabilities(STARTING_WEIGHTS)
        )
        start = start.astype(np.int64)
        ceiling = np.maximum(
            rng.choice(np.arange(1, 11), size=n, p=probabilities(spec.ceiling_weights)), start
        )
        scale = spec.progress_days * np.exp(0.6 * rng.standard_normal(n))
        has_setback = rng.random(n) < spec.setback_share
        setback_at = np.where(has_setback, np.ceil(rng.exponential(365.0, n)), NEVER)
        setback = rng.choice(np.array([1, 2]), size=n, p=[0.7, 0.3])

        # Time to reach the ceiling on the curve of Scores.level, then a wait before closing.
        reach = scale * np.log(ceiling - start + 1.0)
        mean_wait = np.where(
            ceiling >= 8,
            spec.completed_after_days,
            np.where(
                ceiling >= 6,
                (spec.completed_after_days + spec.abandoned_after_days) / 2,
                spec.abandoned_after_days,
            ),
        )
        wait = rng.exponential(1.0, n) * mean_wait
        left_open = rng.random(n) < spec.left_open_share
        closed = created + 1 + np.ceil(reach + wait).astype(np.int64)
        closed = np.where(left_open | (closed > end), NEVER, closed)
        return cls(
            created,
            closed,
            sponsor,
            directorate,
            phrase,
            start,
            ceiling,
            scale,
            setback_at.astype(np.int64),
            setback,
            end,
        )

    def titles(self) -> Texts:
        """Distinct, obviously synthetic titles: a phrase and a team number counted per phrase."""
        order = np.argsort(self.phrase, kind="stable")
        sorted_phrase = self.phrase[order]
        group_start = np.searchsorted(sorted_phrase, sorted_phrase, side="left")
        number = np.empty(self.count, dtype=np.int64)
        number[order] = np.arange(self.count) - group_start + 1
        text = np.strings.add(np.asarray(PHRASES)[self.phrase], " (team ")
        text = np.strings.add(np.strings.add(text, number.astype(str)), ")")
        return text.astype(object)


@dataclass(frozen=True)
class Scores:
    """Score rows in (project, date) order: project index, days after creation, half-points."""

    project: Ints
    offset: Ints
    half_points: Ints

    @classmethod
    def make(cls, spec: SampleSpec, rng: np.random.Generator, projects: Projects) -> Scores:
        life = projects.open_days
        # Rows at a rate of `rate` a day fall on 1 - exp(-rate) of the days (rows on one day
        # are merged): choose the rate so that the expected number of rows is score_rows.
        days = float((life + 1).sum())
        wanted = min(max(spec.score_rows - projects.count, 0) / days, 0.99)
        rate = -np.log1p(-wanted)
        per_project = 1 + rng.poisson(rate * (life + 1))
        project = np.repeat(np.arange(projects.count), per_project)
        first_row = np.cumsum(per_project) - per_project
        offset = np.floor(rng.random(len(project)) * (life[project] + 1)).astype(np.int64)
        offset[first_row] = np.minimum(rng.integers(0, 15, projects.count), life)

        level = cls.level(projects, project, offset)
        dip = rng.random(len(project)) < spec.dip_share
        dip[first_row] = False
        half_points = np.clip(level - dip.astype(np.int64), 1, 10)

        # One row per project and day (two rows on one day are merged), in date order.
        key = project * (int(life.max()) + 1) + offset
        order = np.argsort(key, kind="stable")
        key = key[order]
        last_of_day = np.append(key[1:] != key[:-1], True)
        keep = order[last_of_day]
        return cls(project[keep], offset[keep], half_points[keep])

    @staticmethod
    def level(projects: Projects, project: Ints, offset: Ints) -> Ints:
        """The score on a project's curve ``offset`` days after creation: it climbs one step
        each time (steps + 1)(1 - exp(-t/scale)) passes a whole number, and stays at the
        ceiling from then on, less any lasting setback."""
        start = projects.start[project]
        steps = projects.ceiling[project] - start
        progress = 1.0 - np.exp(-offset / projects.scale[project])
        climbed = np.minimum(steps, np.floor((steps + 1) * progress).astype(np.int64))
        setback = np.where(offset >= projects.setback_at[project], projects.setback[project], 0)
        return np.asarray(start + climbed - setback, dtype=np.int64)
