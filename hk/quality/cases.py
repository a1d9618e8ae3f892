"""A period's complaints as the quality figures read them: which ones count, and each one's clock facts.

The clocks depend on pauses and are read in Python with hk.domain.complaints, as the case screens read
them; a period's complaints are tens or hundreds. They are read as plain rows (two queries: the cases,
then their pauses), not as Complaint objects: the figures need only what the clocks need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from hk.domain.complaints import CaseFacts, Pause
from hk.extensions import db
from hk.models import CasePause, Complaint, Job
from hk.quality.filters import QualityFilter


@dataclass(frozen=True)
class Case:
    channel: str
    category: str
    worker_id: int | None  # the worker it is put down to: found responsible, or else the job's
    facts: CaseFacts


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


def cases_of(f: QualityFilter, bounds: tuple[datetime, datetime] | None = None) -> list[Case]:
    """The complaints complaint_scope counts, with what their clocks are read from, in the order made."""
    scope = complaint_scope(f, bounds)
    pauses: dict[int, list[Pause]] = {}
    for case_id, start, end, reason in db.session.execute(
        select(CasePause.complaint_id, CasePause.start, CasePause.end, CasePause.reason)
        .where(CasePause.complaint_id.in_(select(Complaint.id).where(*scope)))
        .order_by(CasePause.complaint_id, CasePause.start)
    ):
        pauses.setdefault(case_id, []).append(Pause(start, end, reason))
    rows = db.session.execute(
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
    return [
        Case(
            str(channel),
            str(category),
            worker,
            CaseFacts(
                status=status,
                received_at=received,
                first_response_at=answered,
                resolved_at=resolved,
                reopened_at=reopened,
                pauses=pauses.get(case_id, []),
            ),
        )
        for case_id, channel, category, status, received, answered, resolved, reopened, worker in rows
    ]
