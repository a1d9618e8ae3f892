"""Photos: evidence bytes live in storage; rows say what, where, when and their hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hk.domain.workflow import PhotoKind
from hk.extensions import db
from hk.models.jobs import Incident, Job
from hk.models.people import User, enum_column
from hk.models.types import UTCDateTime, utcnow


class Photo(db.Model):
    __tablename__ = "photos"
    __table_args__ = (
        Index("ix_photos_job_stage", "job_id", "stage_code", "item_code"),
        UniqueConstraint("job_id", "client_key", name="uq_photos_job_client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    stage_code: Mapped[str | None] = mapped_column(String(64))
    item_code: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[PhotoKind] = mapped_column(enum_column(PhotoKind, "photo_kind"))
    storage_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    # A smaller copy for printed records, made at upload so rendering a record stays fast.
    print_key: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    # Sent by the browser (a per-file random key): a retried upload is recognised, not stored twice.
    # Unique within the job only, so another job's keys can neither block nor reach this one.
    client_key: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    job: Mapped[Job] = relationship()
    incident: Mapped[Incident | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


def photos_of(job: Job, stage_code: str | None = None) -> list[Photo]:
    """A job's evidence photos (not incident photos), optionally of one stage, oldest first."""
    query = select(Photo).where(Photo.job_id == job.id, Photo.incident_id.is_(None))
    if stage_code is not None:
        query = query.where(Photo.stage_code == stage_code)
    return list(db.session.scalars(query.order_by(Photo.uploaded_at, Photo.id)))
