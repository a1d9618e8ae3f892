"""Everything the period figures count, read once for the periods and weeks of a whole page.

The dashboard shows a period beside the one before it, with weekly trends: one Stretches cut at
every period's and week's first instant covers them all, and each kind of row is read once for it —
the jobs and their ratings (tally.py), the records, the incidents, and the complaints. Each figure
then takes its stretches' share. A figure asked for alone (a test, an export) counts its own period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, not_, or_, select

from hk.aftersales.followups import due_count
from hk.domain.emergency import IncidentSeverity
from hk.models import Incident, Job, ServiceRecord
from hk.models.records import RecordStatus, ReviewStatus
from hk.quality.cases import Case, cases_of
from hk.quality.customers import CustomerFigures, customer_figures_with_previous, lost_customers
from hk.quality.filters import QualityFilter
from hk.quality.sql import Stretches, jobs_done, rows, side_by_side
from hk.quality.tally import Tally, tallied, tally, tally_whole


@dataclass(frozen=True)
class RecordCounts:
    records: int = 0  # current records (a corrected record's earlier versions are superseded)
    approved: int = 0  # current and approved
    sent_back: int = 0  # versions sent back by review (a corrected one may be approved since)
    flagged: int = 0  # current with a flag: incident, refused signature, missing photos
    with_photos: int = 0  # current and not flagged for missing photos

    @classmethod
    def summed(cls, groups) -> RecordCounts:
        return cls(*(sum(column) for column in zip(*groups, strict=True)))


@dataclass(frozen=True)
class IncidentRow:
    stretch: int
    worker_id: int | None
    severity: IncidentSeverity
    to_acknowledge: timedelta | None  # None while nobody has


@dataclass(frozen=True)
class Counted:
    stretches: Stretches
    jobs: Tally  # jobs done and their ratings, by stretch, worker and service type
    records: Tally  # RecordCounts of the jobs' records, by stretch and worker
    incidents: list[IncidentRow]  # reported on the jobs
    cases: list[Case]  # complaints received from the first cut to the last
    customers: tuple[CustomerFigures, CustomerFigures] | None = None  # the period's and the one before

    def incidents_in(self, start: datetime, end: datetime) -> list[IncidentRow]:
        within = self.stretches.within(start, end)
        return [row for row in self.incidents if row.stretch in within]

    def cases_in(self, start: datetime, end: datetime) -> list[Case]:
        return [c for c in self.cases if start <= c.received_at < end]


def count(
    f: QualityFilter,
    stretches: Stretches | None = None,
    before: tuple[datetime, datetime] | None = None,
    now: datetime | None = None,
    customers: bool = False,
) -> Counted:
    """What the filter's figures count: by stretch from the first cut to the last (by default its
    period), and the `before` span (the previous period, whose totals alone are shown); the
    complaints' clocks as they read `now` (by default now); and, when asked, the customer figures of
    the period and the one before.

    The counts are read side by side (sql.side_by_side), the longest first: the period before is
    summed by queries of its own, ungrouped, beside the period's grouped ones rather than in the same
    pass (which PostgreSQL, grouping by hashing, could do, but one after the other)."""
    stretches = stretches or Stretches(*f.bounds())
    everything = Stretches(*stretches.edges, *(before or ()))
    due = due_count(f.tz) if customers else 0
    read = side_by_side(
        lambda: tally(f, stretches),
        (lambda: tally_whole(f, before)) if before else None,
        lambda: _records(f, Stretches(*f.bounds())),
        (lambda: customer_figures_with_previous(f, due, lost=False)) if customers else None,
        lambda: cases_of(f, everything.bounds, now),
        (lambda: _records_whole(f, before)) if before else None,
        (lambda: lost_customers(f, f.bounds())) if customers else None,
        (lambda: lost_customers(f, f.previous().bounds())) if customers else None,
        lambda: _incidents(f, everything),
    )
    jobs, whole_jobs, records, customer_figures, cases, whole_records, lost_now, lost_then, incidents = read
    if before:
        jobs.whole[before], records.whole[before] = whole_jobs, whole_records
    if customer_figures is not None:
        this, previous = customer_figures
        customer_figures = (replace(this, lost=lost_now), replace(previous, lost=lost_then))
    return Counted(everything, jobs, records, incidents, cases, customer_figures)


def _record_numbers() -> list:
    """What is counted of the jobs' records: current, approved, sent back, flagged, with photos."""
    current = ServiceRecord.status == RecordStatus.CURRENT
    flagged = or_(ServiceRecord.flag_incident, ServiceRecord.flag_refused, ServiceRecord.flag_missing_photos)
    return [
        func.count(case((current, 1))),
        func.count(case((current & (ServiceRecord.review_status == ReviewStatus.APPROVED), 1))),
        func.count(case((ServiceRecord.review_status == ReviewStatus.SENT_BACK, 1))),
        func.count(case((current & flagged, 1))),
        func.count(case((current & not_(ServiceRecord.flag_missing_photos), 1))),
    ]


def _records_joined():
    return ServiceRecord.__table__.join(Job.__table__, Job.id == ServiceRecord.job_id)


def _records(f: QualityFilter, stretches: Stretches) -> Tally:
    """RecordCounts of the jobs' records: by stretch, and by worker over the period."""
    return tallied(
        f, stretches, f.bounds(), _record_numbers(), _records_joined(), RecordCounts.summed, services=False
    )


def _records_whole(f: QualityFilter, span: tuple[datetime, datetime]) -> tuple:
    """RecordCounts' numbers of the jobs done in a span, summed over the whole span, for Tally.whole."""
    query = select(*_record_numbers()).select_from(_records_joined()).where(*jobs_done(f, span))
    return tuple(rows(query)[0])


def _incidents(f: QualityFilter, stretches: Stretches) -> list[IncidentRow]:
    """The incidents of the jobs (a few a month): each one's severity and time to acknowledge.

    Every incident is read with its job when the job counts (an outer join: the incidents are few, and
    SQLite, which has no statistics, would otherwise look for incidents under each of the jobs)."""
    found = rows(
        select(
            stretches.index(Job.scheduled_start),
            Job.worker_id,
            Incident.severity,
            Incident.reported_at,
            Incident.acknowledged_at,
        )
        .select_from(Incident)
        .outerjoin(Job, and_(Job.id == Incident.job_id, *jobs_done(f, stretches.bounds)))
    )
    return [
        IncidentRow(index, worker, severity, seen - reported if seen else None)
        for index, worker, severity, reported, seen in found
        if index >= 0  # the job counts (else no job joined: scheduled_start NULL, before every cut)
    ]
