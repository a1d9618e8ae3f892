"""A period's complaints as the quality figures read them: which ones count, and each one's clocks.

The clocks depend on pauses and are read in Python with hk.domain.complaints, as the case screens read
them; a period's complaints are tens or hundreds. They are read as plain rows (two queries: the cases,
then their pauses), not as Complaint objects, and each one's clocks are read once, at one instant, for
every figure of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from hk.domain.complaints import (
    CaseFacts,
    CaseStatus,
    ClockState,
    Pause,
    RemedyStatus,
    paused_time,
    resolution_clock,
)
from hk.models import CasePause, Complaint, Job, Remedy
from hk.models.types import utcnow
from hk.quality.filters import QualityFilter
from hk.quality.sql import rows


@dataclass(frozen=True)
class Case:
    channel: str
    category: str
    worker_id: int | None  # the worker it is put down to: found responsible, or else the job's
    received_at: datetime
    response: timedelta | None  # from receipt to the first answer; None while unanswered
    took: timedelta | None  # to resolution (from the last reopening), paused time left out; else None
    clock: ClockState  # the resolution clock as it reads now: MET or LATE once resolved


def complaint_scope(f: QualityFilter, bounds: tuple[datetime, datetime] | None = None) -> list:
    """Complaints received in the period, about the chosen service, put down to the chosen worker
    (the worker found responsible, or else the job's worker)."""
    start, end = bounds or f.bounds()
    conditions = [Complaint.received_at >= start, Complaint.received_at < end]
    job = Job.__table__.alias("scope_job")  # a Core alias: aliased(Job) costs milliseconds each time
    if f.service_type_id:
        conditions.append(
            Complaint.job_id.in_(select(job.c.id).where(job.c.service_type_id == f.service_type_id))
        )
    if f.worker_id:
        conditions.append(
            or_(
                Complaint.responsible_worker_id == f.worker_id,
                and_(
                    Complaint.responsible_worker_id.is_(None),
                    Complaint.job_id.in_(select(job.c.id).where(job.c.worker_id == f.worker_id)),
                ),
            )
        )
    return conditions


def cases_of(
    f: QualityFilter, bounds: tuple[datetime, datetime] | None = None, now: datetime | None = None
) -> list[Case]:
    """The complaints complaint_scope counts, with their clocks as they read now, in the order made."""
    scope = complaint_scope(f, bounds)
    pauses: dict[int, list[Pause]] = {}
    for case_id, start, end, reason in rows(
        select(CasePause.complaint_id, CasePause.start, CasePause.end, CasePause.reason)
        .where(CasePause.complaint_id.in_(select(Complaint.id).where(*scope)))
        .order_by(CasePause.complaint_id, CasePause.start)
    ):
        pauses.setdefault(case_id, []).append(Pause(start, end, reason))
    found = rows(
        select(
            Complaint.id,
            Complaint.channel,
            Complaint.category,
            Complaint.status,
            Complaint.received_at,
            Complaint.first_response_at,
            Complaint.resolved_at,
            Complaint.reopened_at,
            func.coalesce(Complaint.responsible_worker_id, Job.worker_id),
        )
        .outerjoin(Job, Job.id == Complaint.job_id)
        .where(*scope)
        .order_by(Complaint.id)
    )
    now = now or utcnow()
    cases = []
    for case_id, channel, category, status, received, answered, resolved, reopened, worker in found:
        facts = CaseFacts(
            status=status,
            received_at=received,
            first_response_at=answered,
            resolved_at=resolved,
            reopened_at=reopened,
            pauses=pauses.get(case_id, []),
        )
        took = None
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and resolved is not None:
            start = reopened or received
            took = resolved - start - paused_time(facts, start, resolved)
        response = answered - received if answered else None
        clock = resolution_clock(facts, now).state
        cases.append(Case(str(channel), str(category), worker, received, response, took, clock))
    return cases


def remedies_of(f: QualityFilter) -> list[tuple[str, int, Decimal]]:
    """Remedies of the period's complaints that were not turned down: how many of each kind, and the
    money approved or paid (read through sql.rows: it may run side by side)."""
    paid = case((Remedy.status.in_([RemedyStatus.APPROVED, RemedyStatus.DONE]), Remedy.amount), else_=None)
    found = rows(
        select(Remedy.kind, func.count(Remedy.id), func.coalesce(func.sum(paid), 0))
        .join(Complaint, Complaint.id == Remedy.complaint_id)
        .where(*complaint_scope(f), Remedy.status != RemedyStatus.REJECTED)
        .group_by(Remedy.kind)
        .order_by(func.count(Remedy.id).desc(), Remedy.kind)
    )
    return [(str(kind), count, Decimal(str(amount))) for kind, count, amount in found]
