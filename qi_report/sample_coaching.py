"""The synthetic sample's coaching: which coach coaches which project, from when to when.

**Coaching**: every brought project is coached by the coach who brought it, from the day they
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

from dataclasses import dataclass

import numpy as np

from qi_report.sample_coaches import Coaches
from qi_report.sample_projects import Projects
from qi_report.sample_spec import NEVER, Ints, SampleSpec, day_number


@dataclass(frozen=True)
class Coaching:
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
        coaches: Coaches,
        projects: Projects,
        end: int,
    ) -> Coaching:
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
        coaches: Coaches,
        projects: Projects,
        coached: Ints,
        end: int,
    ) -> tuple[Ints, Ints, Ints, Ints]:
        """After the conversations, some idle coaches in post take on an open project that has
        at most one coach (``coached`` counts each project's coaches so far)."""
        assert spec.conversations_on is not None
        day = day_number(spec.conversations_on)
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
