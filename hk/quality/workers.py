"""Each worker's figures for a period (量化考核): jobs done, on-time starts, ratings, complaints put down
to them, records sent back, incidents, photo completeness and certificate standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hk.domain.qualification import Standing, certificate_standing
from hk.domain.quality import share
from hk.extensions import db
from hk.models import Role, User
from hk.quality.counted import Counted, count
from hk.quality.filters import QualityFilter

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


def worker_rows(
    f: QualityFilter, today: date, sort: str = "jobs", counted: Counted | None = None
) -> list[WorkerRow]:
    """One row per worker who is enabled or worked in the period (or just the chosen worker);
    `counted` covers the period when the caller has counted already."""
    counted = counted or count(f)
    period = f.bounds()
    jobs = counted.jobs.by_worker(*period)
    query = select(User).where(
        User.role == Role.WORKER, User.is_enabled.is_(True) | User.id.in_([w for w in jobs if w is not None])
    )
    if f.worker_id:
        query = query.where(User.id == f.worker_id)
    people = db.session.scalars(query.options(selectinload(User.certificates)))
    rows = {w.id: WorkerRow(w, certificate_standing(w.certificates, today)) for w in people}
    for worker, counts in jobs.items():
        if worker in rows:
            row = rows[worker]
            row.jobs, row.checked_in, row.on_time = counts.jobs, counts.checked_in, counts.on_time
            row.rated, row.mean_rating = counts.rated, counts.mean("overall")
    for worker, records in counted.records.by_worker(*period).items():
        if worker in rows:
            row = rows[worker]
            row.records, row.with_photos, row.sent_back = (
                records.records,
                records.with_photos,
                records.sent_back,
            )
    for incident in counted.incidents_in(*period):
        if incident.worker_id in rows:
            rows[incident.worker_id].incidents += 1
    for case_ in counted.cases_in(*period):
        if case_.worker_id in rows:
            rows[case_.worker_id].complaints += 1
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
