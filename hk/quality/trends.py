"""Weekly trends for the charts: satisfaction, complaints per 100 jobs, and complaint timeliness.

A short period is shown against the weeks before it (at least 12 weeks end with the period), so a
week's figures are never a one-point chart.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hk.domain.clock import day_bounds
from hk.domain.complaints import FIRST_RESPONSE, ClockState
from hk.domain.periods import PeriodKind, Span
from hk.domain.quality import per_hundred, share
from hk.quality.counted import Counted, count
from hk.quality.filters import QualityFilter
from hk.quality.sql import Stretches

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


def trend_weeks(f: QualityFilter) -> tuple[list[date], list[datetime], datetime]:
    """The trend's Mondays, their first instants (UTC) and the trend's end: the period's end."""
    span = trend_span(f.span)
    mondays = span.weeks()
    return mondays, [day_bounds(monday, f.tz)[0] for monday in mondays], day_bounds(span.end, f.tz)[0]


def weekly(f: QualityFilter, counted: Counted | None = None) -> list[Week]:
    """Each week's figures (`counted` is cut at every week when the caller has counted already)."""
    mondays, starts, end = trend_weeks(f)
    trend = QualityFilter(
        Span(PeriodKind.CUSTOM, mondays[0], f.span.end), f.service_type_id, f.worker_id, f.tz
    )
    counted = counted or count(trend, Stretches(*starts, end))
    done = counted.jobs.by_week(starts, end)
    weeks = [[0, 0, 0, 0] for _ in mondays]  # received, answered in time, resolved, resolved in time
    for case_ in counted.cases_in(starts[0], end):
        week = weeks[bisect.bisect_right(starts, case_.received_at) - 1]
        week[0] += 1
        week[1] += case_.response is not None and case_.response <= FIRST_RESPONSE
        week[2] += case_.clock in (ClockState.MET, ClockState.LATE)
        week[3] += case_.clock == ClockState.MET
    return [
        Week(monday, c.jobs, c.rated, c.satisfied, *weeks[i])
        for i, (monday, c) in enumerate(zip(mondays, done, strict=True))
    ]
