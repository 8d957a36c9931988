"""Synthetic programme data, shaped like the coaching programme in FACTS.md, made reproducibly.

``generate(spec)`` is a pure function of its :class:`SampleSpec`: every random draw comes from
``numpy.random.default_rng(spec.seed)``, spawned into one stream per table (coaches, projects,
score rows, coaching), and nothing reads the clock or any global state. The committed ``data/``
folder is ``write_sample(SAMPLE, Path("data"))``; a test regenerates it and compares the bytes.

Everything is vectorised over coaches, projects and score rows (``repeat``, ``cumsum``,
``searchsorted``, sorting); the only Python loops are over courses and, when coaches are
assigned, over calendar months. The benchmark scales :data:`MEDIUM` and :data:`LARGE` take
seconds.

The model (days are integers counted from 1970-01-01; a score is held as half-points 1..10):

- **Coaches** qualify in cohorts: one course in each of ``course_months`` every year from
  ``first_year`` (the first course in ``first_course_month``), each year's courses
  ``cohort_growth`` times the size of the year before's. ``service_users`` of them (drawn from
  the later half by training date) are service users and ``externals`` are external
  participants, who have no directorate. Each leaves after an exponentially distributed time
  (``leave_rate`` a year; ``external_leave_rate`` for externals). A share ``idle_share`` are
  never asked to coach (though they coach any project they bring to their course); the others
  have a gamma-distributed willingness.
- **Projects** are created from ``first_project_year`` at a rate that grows ``project_growth``-fold
  over the period; a share ``course_project_share`` are instead brought to a course by a coach in
  training, created in the weeks around its end, in the coach's directorate. Each project starts
  at 0.5-2.0 (mostly 0.5-1.5) and climbs towards its own ceiling (``ceiling_weights``: many stop
  at 2.0-2.5, some reach 3.0 or more, a few 4.0-5.0) along a saturating curve whose time scale is
  lognormal around ``progress_days``; a share ``setback_share`` fall back 0.5 or 1.0 for good at
  some point, and a share ``dip_share`` of score rows dip 0.5 below the curve. A project closes
  some time after reaching its ceiling (sooner when it did well: ``completed_after_days``, else
  up to ``abandoned_after_days``), except a share ``left_open_share`` that nobody closes.
- **Score rows**: each project has one row in its first fortnight and a Poisson number more at
  random days of its open life, at a daily rate chosen so that, after rows on the same day are
  merged, the expected total is ``score_rows``. Merging the first row with a later one on the
  same day loses a few more, so the total comes out slightly under ``score_rows`` (by about
  0.3% at MEDIUM and LARGE).
- **Coaching**: every brought project is coached by the coach who brought it, from the day they
  qualify; other projects get a coach (share ``coached_share``) soon after creation, and a share
  ``second_coach_share`` of coached projects a second coach some months later. These coaches are
  drawn month by month among those in post, by willingness, ``busy_factor`` times less often
  when they are already coaching, ``new_coach_boost`` times more often in their first six months
  when they have not coached yet. An assignment ends when the project closes, the coach leaves,
  or after an exponential time around ``coaching_days``, whichever comes first; it is ongoing
  (blank end) when none of these has happened by the end of ``last_month``. After the summer
  conversations (``conversations_on``) a share ``reengaged_share`` of the idle coaches in post
  take on an open project within the following five months.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from qi_report.config import TABLES
from qi_report.data import SCHEMAS

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Texts = npt.NDArray[np.object_]

NEVER = 1_000_000_000
"""A day number after every real date: a coach who has not left, a project not closed."""

DIRECTORATES = (
    "Adult Mental Health",
    "Community Health",
    "CAMHS",
    "Forensic Services",
    "Older Adults",
    "Corporate",
)
DIRECTORATE_WEIGHTS = (0.30, 0.24, 0.12, 0.10, 0.14, 0.10)

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

SCORES = tuple(0.5 * h for h in range(1, 11))
"""The LifeQI progress scale, 0.5 to 5.0; internally a score is held as half-points 1..10."""

CEILING_WEIGHTS = (0.01, 0.02, 0.05, 0.13, 0.18, 0.24, 0.17, 0.10, 0.06, 0.04)
"""How often each score, 0.5 to 5.0, is the highest a project would reach."""

NEW_COACH_DAYS = 183
"""How long after training a coach who has not coached yet counts as newly trained."""

COLUMNS = {name: tuple(column.name for column in SCHEMAS[name]) for name in TABLES}


def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _year(day: int) -> int:
    return int(str(np.datetime64(day, "D"))[:4])


def _month_end(month: str) -> int:
    return int((np.datetime64(month, "M") + 1).astype("datetime64[D]").astype(np.int64)) - 1


def _p(weights: tuple[float, ...]) -> Floats:
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
        if _month_end(self.last_month) < _day(f"{self.first_project_year}-01-01"):
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
    end = _month_end(spec.last_month)
    coaches = _Coaches.make(spec, streams[0], end)
    projects = _Projects.make(spec, streams[1], coaches, end)
    scores = _Scores.make(spec, streams[2], projects)
    coaching = _Coaching.make(spec, streams[3], coaches, projects, end)

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


@dataclass(frozen=True)
class _Coaches:
    """Coaches in id order (by training date): days, role, directorate, willingness to coach."""

    trained: Ints
    left: Ints
    role: Texts
    directorate_index: Ints
    """An index into DIRECTORATES, or -1 (external coaches have no directorate)."""
    willingness: Floats

    @property
    def count(self) -> int:
        return len(self.trained)

    @classmethod
    def make(cls, spec: SampleSpec, rng: np.random.Generator, end: int) -> _Coaches:
        n = spec.coaches
        months = sorted(set(spec.course_months))
        courses = [
            (year, month)
            for year in range(spec.first_year, _year(end) + 1)
            for month in months
            if (year, month) >= (spec.first_year, spec.first_course_month)
            and _day(f"{year}-{month:02d}-01") <= end
        ]
        if not courses:
            raise ValueError("no course is held between first_year and last_month")
        course_day = np.array([_day(f"{y}-{m:02d}-01") for y, m in courses], dtype=np.int64)
        course_day = np.minimum(course_day + rng.integers(6, 26, len(courses)), end)
        size = spec.cohort_growth ** np.array([y - spec.first_year for y, _ in courses], float)
        cohort = np.sort(rng.choice(len(courses), size=n, p=size / size.sum()))
        trained = course_day[cohort]

        role = np.full(n, "staff", dtype=object)
        pool = np.arange(n // 2, n) if n - n // 2 >= spec.service_users else np.arange(n)
        role[rng.permutation(pool)[: spec.service_users]] = "service_user"
        others = np.flatnonzero(role == "staff")
        role[rng.permutation(others)[: spec.externals]] = "external"
        directorate = rng.choice(len(DIRECTORATES), size=n, p=_p(DIRECTORATE_WEIGHTS))
        directorate = np.where(role == "external", -1, directorate)

        rate = np.where(role == "external", spec.external_leave_rate, spec.leave_rate)
        stay = np.ceil(rng.exponential(1.0, n) / rate * 365.25).astype(np.int64)
        left = trained + np.maximum(stay, 1)
        left = np.where(left <= end, left, NEVER)

        idle = rng.random(n) < spec.idle_share
        willingness = np.where(idle, 0.0, rng.gamma(2.0, 0.5, n))
        return cls(trained, left, role, directorate, willingness)

    def assign(
        self,
        rng: np.random.Generator,
        started: Ints,
        stop: Ints,
        fixed: Ints,
        busy_factor: float,
        new_coach_boost: float,
    ) -> Ints:
        """A coach for each assignment starting on ``started`` and lasting, whoever coaches,
        until ``stop`` at the latest: ``fixed`` where that is a coach (>= 0) still in post,
        else drawn; -1 where nobody is available.

        Month by month, in date order (a loop over months, vectorised within each), a coach is
        drawn among those trained before the month and in post to its end, with probability
        proportional to their willingness, times ``busy_factor`` if they are already coaching
        (the QI team asks free coaches first) and ``new_coach_boost`` if they were trained in the
        last six months and have not coached yet (a first project soon after the course)."""
        chosen = np.full(len(started), -1, dtype=np.int64)
        busy_until = np.zeros(self.count, dtype=np.int64)
        order = np.argsort(started, kind="stable")
        month = started[order].astype("datetime64[D]").astype("datetime64[M]")
        bounds = np.flatnonzero(month[1:] != month[:-1]) + 1
        for rows in np.split(order, bounds):
            this_month = np.datetime64(int(started[rows[0]]), "D").astype("datetime64[M]")
            first_day = int(this_month.astype("datetime64[D]").astype(np.int64))
            last_day = int((this_month + 1).astype("datetime64[D]").astype(np.int64)) - 1
            in_post = (self.trained < first_day) & (self.left > last_day)
            weights = self.willingness * in_post
            weights = weights * np.where(busy_until > first_day, busy_factor, 1.0)
            fresh = (busy_until == 0) & (self.trained >= first_day - NEW_COACH_DAYS)
            weights = weights * np.where(fresh, new_coach_boost, 1.0)
            cumulative = np.cumsum(weights)
            draw = rng.random(len(rows))
            if cumulative[-1] > 0:
                pick = np.searchsorted(cumulative, draw * cumulative[-1], side="right")
            else:
                pick = np.full(len(rows), -1, dtype=np.int64)
            own = fixed[rows]
            own_ok = (own >= 0) & (self.left[np.maximum(own, 0)] > started[rows])
            pick = np.where(own_ok, own, pick)
            chosen[rows] = pick
            pick = pick[pick >= 0]
            rows = rows[chosen[rows] >= 0]
            np.maximum.at(busy_until, pick, np.minimum(stop[rows], self.left[pick]))
        return chosen


@dataclass(frozen=True)
class _Projects:
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
        cls, spec: SampleSpec, rng: np.random.Generator, coaches: _Coaches, end: int
    ) -> _Projects:
        n = spec.projects
        first = _day(f"{spec.first_project_year}-01-01")
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

        directorate = rng.choice(len(DIRECTORATES), size=n, p=_p(DIRECTORATE_WEIGHTS))
        home = coaches.directorate_index[np.maximum(sponsor, 0)]
        directorate = np.where((sponsor >= 0) & (home >= 0), home, directorate)
        phrase = rng.integers(0, len(PHRASES), n)
        start = 2 * rng.choice(np.asarray(STARTING_SCORES), size=n, p=_p(STARTING_WEIGHTS))
        start = start.astype(np.int64)
        ceiling = np.maximum(
            rng.choice(np.arange(1, 11), size=n, p=_p(spec.ceiling_weights)), start
        )
        scale = spec.progress_days * np.exp(0.6 * rng.standard_normal(n))
        has_setback = rng.random(n) < spec.setback_share
        setback_at = np.where(has_setback, np.ceil(rng.exponential(365.0, n)), NEVER)
        setback = rng.choice(np.array([1, 2]), size=n, p=[0.7, 0.3])

        # Time to reach the ceiling on the curve of _Scores.level, then a wait before closing.
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
class _Scores:
    """Score rows in (project, date) order: project index, days after creation, half-points."""

    project: Ints
    offset: Ints
    half_points: Ints

    @classmethod
    def make(cls, spec: SampleSpec, rng: np.random.Generator, projects: _Projects) -> _Scores:
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
    def level(projects: _Projects, project: Ints, offset: Ints) -> Ints:
        """The score on a project's curve ``offset`` days after creation: it climbs one step
        each time (steps + 1)(1 - exp(-t/scale)) passes a whole number, and stays at the
        ceiling from then on, less any lasting setback."""
        start = projects.start[project]
        steps = projects.ceiling[project] - start
        progress = 1.0 - np.exp(-offset / projects.scale[project])
        climbed = np.minimum(steps, np.floor((steps + 1) * progress).astype(np.int64))
        setback = np.where(offset >= projects.setback_at[project], projects.setback[project], 0)
        return np.asarray(start + climbed - setback, dtype=np.int64)


@dataclass(frozen=True)
class _Coaching:
    """Coaching assignments: coach index, project index, start day and end day (or NEVER)."""

    coach: Ints
    project: Ints
    started: Ints
    ended: Ints

    @classmethod
    def make(
        cls,
        spec: SampleSpec,
        rng: np.random.Generator,
        coaches: _Coaches,
        projects: _Projects,
        end: int,
    ) -> _Coaching:
        n = projects.count
        first = (rng.random(n) < spec.coached_share) | (projects.sponsor >= 0)
        second = first & (rng.random(n) < spec.second_coach_share)
        project = np.concatenate([np.flatnonzero(first), np.flatnonzero(second)])
        fixed = np.concatenate([projects.sponsor[first], np.full(int(second.sum()), -1)])
        lag_mean = np.concatenate(
            [np.full(int(first.sum()), 21.0), np.full(int(second.sum()), 120.0)]
        )
        started = projects.created[project] + np.floor(
            rng.exponential(1.0, len(project)) * lag_mean
        ).astype(np.int64)
        # A coach who brought their project to the course coaches it from the day they qualify.
        own = fixed >= 0
        started[own] = np.maximum(started[own], coaches.trained[fixed[own]])
        stint = (
            started
            + 14
            + np.floor(rng.exponential(spec.coaching_days, len(project))).astype(np.int64)
        )
        ok = started < np.minimum(projects.closed[project], end + 1)
        project, started, stint, fixed = project[ok], started[ok], stint[ok], fixed[ok]
        stop = np.minimum(projects.closed[project], stint)
        coach = coaches.assign(rng, started, stop, fixed, spec.busy_factor, spec.new_coach_boost)

        if spec.conversations_on is not None:
            coached = np.bincount(project[coach >= 0], minlength=n)
            extra = cls._reengaged(spec, rng, coaches, projects, coached, end)
            coach = np.concatenate([coach, extra[0]])
            project = np.concatenate([project, extra[1]])
            started = np.concatenate([started, extra[2]])
            stop = np.concatenate([stop, extra[3]])

        ok = coach >= 0
        coach, project, started, stop = coach[ok], project[ok], started[ok], stop[ok]
        ended = np.minimum(stop, coaches.left[coach])
        ended = np.where(ended <= end, ended, NEVER)

        # One assignment per coach and project (the first), rows by coach, start, project.
        pair = coach * n + project
        _, first_of_pair = np.unique(pair, return_index=True)
        keep = np.sort(first_of_pair)
        coach, project, started, ended = coach[keep], project[keep], started[keep], ended[keep]
        order = np.lexsort((project, started, coach))
        return cls(coach[order], project[order], started[order], ended[order])

    @staticmethod
    def _reengaged(
        spec: SampleSpec,
        rng: np.random.Generator,
        coaches: _Coaches,
        projects: _Projects,
        coached: Ints,
        end: int,
    ) -> tuple[Ints, Ints, Ints, Ints]:
        """After the conversations, some idle coaches in post take on an open project that has
        at most one coach (``coached`` counts each project's coaches so far)."""
        assert spec.conversations_on is not None
        day = _day(spec.conversations_on)
        idle = np.flatnonzero(
            (coaches.willingness == 0) & (coaches.trained <= day) & (coaches.left > day)
        )
        idle = idle[rng.random(len(idle)) < spec.reengaged_share]
        started = day + rng.integers(14, 150, len(idle))
        project = np.full(len(idle), -1, dtype=np.int64)
        # An open project created at least a month before, with at most one coach: drawn at
        # random, drawn again if it does not qualify; one re-engaged coach per project.
        created_before = np.searchsorted(projects.created, started - 30, side="right")
        for _ in range(12):
            todo = np.flatnonzero((project < 0) & (created_before > 0))
            if todo.size == 0:
                break
            pick = np.floor(rng.random(todo.size) * created_before[todo]).astype(np.int64)
            ok = (projects.closed[pick] > started[todo]) & (coached[pick] < 2)
            project[todo[ok]] = pick[ok]
        first_taker = np.zeros(len(idle), dtype=bool)
        first_taker[np.unique(project, return_index=True)[1]] = True
        ok = (project >= 0) & first_taker & (started <= end) & (coaches.left[idle] > started)
        project, started = project[ok], started[ok]
        stint = (
            started
            + 14
            + np.floor(rng.exponential(spec.coaching_days, len(project))).astype(np.int64)
        )
        stop = np.minimum(projects.closed[project], stint)
        return idle[ok].astype(np.int64), project, started, stop


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
