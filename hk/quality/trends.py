"""Weekly trends for the charts: satisfaction, complaints per 100 jobs, and complaint timeliness.

A short period is shown against the weeks before it (at least 12 weeks end with the period), so a
week's figures are never a one-point chart.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from hk.domain import quality as rules
from hk.domain.clock import day_bounds
from hk.domain.complaints import FIRST_RESPONSE, ClockState, resolution_clock
from hk.domain.periods import PeriodKind, Span
from hk.domain.quality import per_hundred, share
from hk.extensions import db
from hk.models import Complaint, Job, Rating
from hk.models.types import utcnow
from hk.quality.figures import complaint_scope
from hk.quality.filters import QualityFilter
from hk.quality.sql import jobs_done, week_of

MIN_WEEKS = 12


@dataclass(frozen=True)
class Week:
    monday: date
    jobs: int
    rated: int
    satisfied: int
    complaints: int
    answered_in_time: int  # first response within 24 h
    resolved: int
    resolved_in_time: int

    @property
    def satisfaction(self) -> float | None:
        return share(self.satisfied, self.rated)

    @property
    def complaints_per_hundred(self) -> float | None:
        return per_hundred(self.complaints, self.jobs)

    @property
    def response_share(self) -> float | None:
        return share(self.answered_in_time, self.complaints)

    @property
    def resolution_share(self) -> float | None:
        return share(self.resolved_in_time, self.resolved)


def trend_span(span: Span) -> Span:
    """The weeks a trend shows: the period's, and at least MIN_WEEKS ending with it."""
    weeks = span.weeks()
    if len(weeks) >= MIN_WEEKS:
        return span
    end_monday = weeks[-1]
    return Span(PeriodKind.CUSTOM, end_monday - timedelta(weeks=MIN_WEEKS - 1), span.end)


def weekly(f: QualityFilter) -> list[Week]:
    span = trend_span(f.span)
    mondays = span.weeks()
    bounds = (day_bounds(mondays[0], f.tz)[0], day_bounds(span.end, f.tz)[0])
    trend = QualityFilter(Span(PeriodKind.CUSTOM, mondays[0], span.end), f.service_type_id, f.worker_id, f.tz)
    week = week_of(Job.scheduled_start, mondays, f.tz)
    jobs = dict(
        db.session.execute(select(week, func.count(Job.id)).where(*jobs_done(f, bounds)).group_by(week)).all()
    )
    ratings = {
        index: (rated, satisfied)
        for index, rated, satisfied in db.session.execute(
            select(week, func.count(Rating.id), func.count(case((Rating.overall >= rules.SATISFIED_FROM, 1))))
            .join(Job, Job.id == Rating.job_id)
            .where(*jobs_done(f, bounds))
            .group_by(week)
        )
    }
    starts = [day_bounds(monday, f.tz)[0] for monday in mondays]
    cases = [[0, 0, 0, 0] for _ in mondays]  # received, answered in time, resolved, resolved in time
    now = utcnow()
    for case_ in db.session.scalars(
        select(Complaint).where(*complaint_scope(trend)).options(selectinload(Complaint.pauses))
    ):
        counts = cases[bisect.bisect_right(starts, case_.received_at) - 1]
        counts[0] += 1
        counts[1] += bool(
            case_.first_response_at and case_.first_response_at - case_.received_at <= FIRST_RESPONSE
        )
        state = resolution_clock(case_.facts(), now).state
        counts[2] += state in (ClockState.MET, ClockState.LATE)
        counts[3] += state == ClockState.MET
    return [
        Week(monday, jobs.get(i, 0), *ratings.get(i, (0, 0)), *cases[i]) for i, monday in enumerate(mondays)
    ]
