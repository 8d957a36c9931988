"""The synthetic sample's coaches, and how a coach is drawn for each coaching assignment.

**Coaches** qualify in cohorts: one course in each of ``course_months`` every year from
``first_year`` (the first course in ``first_course_month``), each year's courses
``cohort_growth`` times the size of the year before's. ``service_users`` of them (drawn from
the later half by training date) are service users and ``externals`` are external
participants, who have no directorate. Each leaves after an exponentially distributed time
(``leave_rate`` a year; ``external_leave_rate`` for externals). A share ``idle_share`` are
never asked to coach (though they coach any project they bring to their course); the others
have a gamma-distributed willingness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qi_report.sample_spec import NEVER, Floats, Ints, SampleSpec, Texts, day_number, probabilities

DIRECTORATES = (
    "Adult Mental Health",
    "Community Health",
    "CAMHS",
    "Forensic Services",
    "Older Adults",
    "Corporate",
)
DIRECTORATE_WEIGHTS = (0.30, 0.24, 0.12, 0.10, 0.14, 0.10)

NEW_COACH_DAYS = 183
"""How long after training a coach who has not coached yet counts as newly trained."""


def _year(day: int) -> int:
    return int(str(np.datetime64(day, "D"))[:4])


@dataclass(frozen=True)
class Coaches:
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
    def make(cls, spec: SampleSpec, rng: np.random.Generator, end: int) -> Coaches:
        n = spec.coaches
        months = sorted(set(spec.course_months))
        courses = [
            (year, month)
            for year in range(spec.first_year, _year(end) + 1)
            for month in months
            if (year, month) >= (spec.first_year, spec.first_course_month)
            and day_number(f"{year}-{month:02d}-01") <= end
        ]
        if not courses:
            raise ValueError("no course is held between first_year and last_month")
        course_day = np.array([day_number(f"{y}-{m:02d}-01") for y, m in courses], dtype=np.int64)
        course_day = np.minimum(course_day + rng.integers(6, 26, len(courses)), end)
        size = spec.cohort_growth ** np.array([y - spec.first_year for y, _ in courses], float)
        cohort = np.sort(rng.choice(len(courses), size=n, p=size / size.sum()))
        trained = course_day[cohort]

        role = np.full(n, "staff", dtype=object)
        pool = np.arange(n // 2, n) if n - n // 2 >= spec.service_users else np.arange(n)
        role[rng.permutation(pool)[: spec.service_users]] = "service_user"
        others = np.flatnonzero(role == "staff")
        role[rng.permutation(others)[: spec.externals]] = "external"
        directorate = rng.choice(len(DIRECTORATES), size=n, p=probabilities(DIRECTORATE_WEIGHTS))
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
