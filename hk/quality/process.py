"""Audits and process: records approved or sent back, flagged records, incidents, on-time starts, and
certificate compliance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hk.domain.emergency import IncidentSeverity
from hk.domain.qualification import Standing, certificate_standing
from hk.domain.quality import median_hours, per_hundred, share
from hk.extensions import db
from hk.models import Role, User
from hk.quality.counted import Counted, count
from hk.quality.filters import QualityFilter


@dataclass(frozen=True)
class ProcessFigures:
    jobs: int
    records: int  # current records of the period's jobs
    approved: int
    sent_back: int  # record versions sent back by review (a corrected one may be approved since)
    flagged: int  # current records with a flag: incident, refused signature, missing photos
    checked_in: int
    on_time: int  # checked in no later than 15 minutes after the booked start
    incidents: dict[str, int] = field(default_factory=dict)  # by severity, mildest first
    median_acknowledge_hours: float | None = None
    workers: int = 0  # enabled workers
    compliant: int = 0  # of them, every mandatory certificate valid today
    expiring: int = 0  # of them, one expiring within 30 days

    @property
    def flagged_share(self) -> float | None:
        return share(self.flagged, self.records)

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.checked_in)

    @property
    def incidents_per_hundred(self) -> float | None:
        return per_hundred(sum(self.incidents.values()), self.jobs)

    @property
    def compliance(self) -> float | None:
        return share(self.compliant, self.workers)


def process_figures(
    f: QualityFilter,
    jobs: int,
    today: date,
    counted: Counted | None = None,
    certificates: tuple[int, int, int] | None = None,
) -> ProcessFigures:
    """The period's records, on-time starts, incidents and today's certificates (`counted` covers the
    period when the caller has counted already; `certificates`, certificate_counts', when the caller
    has them: they are today's, the same for every period)."""
    counted = counted or count(f)
    period = f.bounds()
    started, records = counted.jobs.total(*period), counted.records.total(*period)
    incidents = dict.fromkeys((str(s) for s in IncidentSeverity), 0)
    acknowledged = []
    for row in counted.incidents_in(*period):
        incidents[str(row.severity)] += 1
        acknowledged.append(row.to_acknowledge)
    workers, compliant, expiring = certificates or certificate_counts(f, today)
    return ProcessFigures(
        jobs=jobs,
        records=records.records,
        approved=records.approved,
        sent_back=records.sent_back,
        flagged=records.flagged,
        checked_in=started.checked_in,
        on_time=started.on_time,
        incidents=incidents,
        median_acknowledge_hours=median_hours(acknowledged),
        workers=workers,
        compliant=compliant,
        expiring=expiring,
    )


def certificate_counts(f: QualityFilter, today: date) -> tuple[int, int, int]:
    """Enabled workers (or the chosen one): how many, how many in good standing, how many expiring."""
    query = select(User).where(User.role == Role.WORKER, User.is_enabled.is_(True))
    if f.worker_id:
        query = query.where(User.id == f.worker_id)
    standings = [
        certificate_standing(w.certificates, today)
        for w in db.session.scalars(query.options(selectinload(User.certificates)))
    ]
    good = sum(1 for s in standings if s != Standing.PROBLEM)
    return len(standings), good, sum(1 for s in standings if s == Standing.EXPIRING)
