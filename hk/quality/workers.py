"""Each worker's figures for a period (量化考核): jobs done, on-time starts, ratings, complaints put down
to them, records sent back, incidents, photo completeness and certificate standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, not_, select
from sqlalchemy.orm import selectinload

from hk.domain.qualification import Standing, certificate_standing
from hk.domain.quality import share
from hk.extensions import db
from hk.models import Complaint, Incident, Job, Rating, Role, ServiceRecord, User
from hk.models.records import RecordStatus, ReviewStatus
from hk.quality.figures import complaint_scope
from hk.quality.filters import QualityFilter
from hk.quality.sql import jobs_done, started_on_time

SORTS = ("name", "jobs", "on_time", "rating", "complaints", "sent_back", "incidents", "photos")


@dataclass
class WorkerRow:
    worker: User
    standing: Standing
    jobs: int = 0
    checked_in: int = 0
    on_time: int = 0
    rated: int = 0
    mean_rating: float | None = None
    complaints: int = 0
    sent_back: int = 0
    incidents: int = 0
    records: int = 0
    with_photos: int = 0  # current records not flagged for missing photos

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.checked_in)

    @property
    def photo_share(self) -> float | None:
        return share(self.with_photos, self.records)


def worker_rows(f: QualityFilter, today: date, sort: str = "jobs") -> list[WorkerRow]:
    """One row per worker who is enabled or worked in the period (or just the chosen worker)."""
    scope = jobs_done(f)
    worked = select(Job.worker_id).where(*scope)
    query = select(User).where(User.role == Role.WORKER, User.is_enabled.is_(True) | User.id.in_(worked))
    if f.worker_id:
        query = query.where(User.id == f.worker_id)
    people = db.session.scalars(query.options(selectinload(User.certificates)))
    rows = {w.id: WorkerRow(w, certificate_standing(w.certificates, today)) for w in people}

    for worker, jobs, checked_in, on_time in db.session.execute(
        select(
            Job.worker_id,
            func.count(Job.id),
            func.count(Job.checked_in_at),
            func.count(case((started_on_time(Job.checked_in_at, Job.scheduled_start), 1))),
        )
        .where(*scope)
        .group_by(Job.worker_id)
    ):
        if worker in rows:
            rows[worker].jobs, rows[worker].checked_in, rows[worker].on_time = jobs, checked_in, on_time
    for worker, rated, mean in db.session.execute(
        select(Job.worker_id, func.count(Rating.id), func.avg(Rating.overall))
        .join(Job, Job.id == Rating.job_id)
        .where(*scope)
        .group_by(Job.worker_id)
    ):
        if worker in rows:
            rows[worker].rated, rows[worker].mean_rating = rated, float(mean) if mean is not None else None
    current = ServiceRecord.status == RecordStatus.CURRENT
    for worker, records, with_photos, sent_back in db.session.execute(
        select(
            Job.worker_id,
            func.count(case((current, 1))),
            func.count(case((current & not_(ServiceRecord.flag_missing_photos), 1))),
            func.count(case((ServiceRecord.review_status == ReviewStatus.SENT_BACK, 1))),
        )
        .join(Job, Job.id == ServiceRecord.job_id)
        .where(*scope)
        .group_by(Job.worker_id)
    ):
        if worker in rows:
            row = rows[worker]
            row.records, row.with_photos, row.sent_back = records, with_photos, sent_back
    for worker, incidents in db.session.execute(
        select(Job.worker_id, func.count(Incident.id))
        .join(Job, Job.id == Incident.job_id)
        .where(*scope)
        .group_by(Job.worker_id)
    ):
        if worker in rows:
            rows[worker].incidents = incidents
    attributed = func.coalesce(Complaint.responsible_worker_id, Job.worker_id)
    for worker, complaints in db.session.execute(
        select(attributed, func.count(Complaint.id))
        .outerjoin(Job, Job.id == Complaint.job_id)
        .where(*complaint_scope(f))
        .group_by(attributed)
    ):
        if worker in rows:
            rows[worker].complaints = complaints
    return sort_rows(list(rows.values()), sort)


def sort_rows(rows: list[WorkerRow], sort: str) -> list[WorkerRow]:
    """Best first for the good figures (jobs, on time, rating, photos), most first for the others;
    people without a figure last; then by name."""
    if sort not in SORTS or sort == "name":
        return sorted(rows, key=lambda r: (r.worker.display_name, r.worker.id))
    value = {
        "jobs": lambda r: r.jobs,
        "on_time": lambda r: r.on_time_share,
        "rating": lambda r: r.mean_rating,
        "complaints": lambda r: r.complaints,
        "sent_back": lambda r: r.sent_back,
        "incidents": lambda r: r.incidents,
        "photos": lambda r: r.photo_share,
    }[sort]
    return sorted(
        rows, key=lambda r: (value(r) is None, -(value(r) or 0), r.worker.display_name, r.worker.id)
    )
