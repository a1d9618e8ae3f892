"""Everything the period figures count, read once for the periods and weeks of a whole page.

The dashboard shows a period beside the one before it, with weekly trends: one Stretches cut at
every period's and week's first instant covers them all, and each kind of row is read once for it —
the jobs and their ratings (tally.py), the records, the incidents, and the complaints. Each figure
then takes its stretches' share. A figure asked for alone (a test, an export) counts its own period.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, select

from hk.aftersales.followups import due_count_query
from hk.domain.emergency import IncidentSeverity
from hk.models import Incident, Job
from hk.quality.cases import Case, cases_of, remedies_of
from hk.quality.customers import CustomerFigures, customer_figures_with_previous, lost_customers
from hk.quality.filters import QualityFilter
from hk.quality.sql import Stretches, jobs_done, rows, side_by_side
from hk.quality.tally import Tally, tally, tally_whole


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
    # remedies_of each span counted whole (the period, the one before), when counted with the customers
    remedies: dict[tuple[datetime, datetime], list] = field(default_factory=dict)

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
    previous = f.previous()
    read = side_by_side(
        (lambda: customer_figures_with_previous(f, 0, lost=False)) if customers else None,
        lambda: tally(f, stretches),
        lambda: cases_of(f, everything.bounds, now),
        (lambda: tally_whole(f, before)) if before else None,
        (lambda: lost_customers(f, f.bounds())) if customers else None,
        (lambda: lost_customers(f, previous.bounds())) if customers else None,
        lambda: _incidents(f, everything),
        (lambda: rows(due_count_query(f.tz))[0][0]) if customers else None,
        (lambda: remedies_of(f)) if customers else None,
        (lambda: remedies_of(previous)) if customers else None,
    )
    customer_figures, (jobs, records), cases, whole, lost_now, lost_then, incidents, due, *remedies = read
    if before:
        jobs.whole[before], records.whole[before] = whole
    spent = {}
    if customer_figures is not None:
        this, then = customer_figures
        customer_figures = (
            replace(this, lost=lost_now, due_follow_ups=due),
            replace(then, lost=lost_then, due_follow_ups=due),
        )
        spent = {f.bounds(): remedies[0], previous.bounds(): remedies[1]}
    return Counted(everything, jobs, records, incidents, cases, customer_figures, spent)


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
