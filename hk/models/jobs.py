"""Jobs (工单): a visit to a customer, with a snapshot of the checklist it follows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hk.extensions import db
from hk.models.catalog import ChecklistTemplate, ServiceType
from hk.models.customers import Customer
from hk.models.people import User, enum_column
from hk.models.types import UTCDateTime, utcnow


class JobStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    BLOCKED = "blocked"
    AWAITING_SIGNATURE = "awaiting_signature"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_worker_start", "worker_id", "scheduled_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "job_status"), default=JobStatus.SCHEDULED
    )
    notes: Mapped[str | None] = mapped_column(Text)
    template_snapshot: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: a second device saving a stale job gets StaleDataError, not a lost update.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    service_type: Mapped[ServiceType] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()
    worker: Mapped[User | None] = relationship()
