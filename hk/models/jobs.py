"""Jobs (工单) and their evidence: quote, item checks, stage completions, handover, incidents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hk.domain.emergency import IncidentSeverity, IncidentStatus, IncidentType
from hk.domain.pricing import total
from hk.domain.workflow import Answer
from hk.domain.workflow import Status as JobStatus
from hk.extensions import db
from hk.models.catalog import ChecklistTemplate, PriceKind, PriceUnit, ServiceType, pick
from hk.models.customers import Customer
from hk.models.people import User, enum_column
from hk.models.types import UTCDateTime, utcnow

__all__ = [
    "HandoverItem",
    "Incident",
    "IncidentSeverity",
    "IncidentStatus",
    "IncidentType",
    "ItemCheck",
    "Job",
    "JobStatus",
    "QuoteLine",
    "StageCompletion",
]


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_worker_start", "worker_id", "scheduled_start"),
        # A customer's jobs by time, and whether one was done in a period (of a service, by a worker),
        # looked up in the index alone: the quality figures' customers, the follow-ups due.
        Index(
            "ix_jobs_customer_start",
            "customer_id",
            "scheduled_start",
            "status",
            "worker_id",
            "service_type_id",
        ),
        # The jobs done in a period with every column the quality figures count of them, so that they
        # are counted from the index alone (SQLite would otherwise read each row's template snapshot).
        Index(
            "ix_jobs_status_start",
            "status",
            "scheduled_start",
            "customer_id",
            "worker_id",
            "service_type_id",
            "checked_in_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "job_status"), default=JobStatus.SCHEDULED
    )
    paused_from: Mapped[JobStatus | None] = mapped_column(enum_column(JobStatus, "job_paused_from"))
    notes: Mapped[str | None] = mapped_column(Text)
    # Jobs made together as a regular booking (weekly, every two weeks, monthly) share a series key.
    series_key: Mapped[str | None] = mapped_column(String(32), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    quote_adjust_reason: Mapped[str | None] = mapped_column(Text)
    template_snapshot: Mapped[dict] = mapped_column(JSON)
    # Check-in: arrival time and, only with the person's consent, the browser's location.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Float as migrated (SQLAlchemy 2.1 would make a bare Mapped[float] a Double).
    check_in_lat: Mapped[float | None] = mapped_column(Float)
    check_in_lng: Mapped[float | None] = mapped_column(Float)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(Float)
    # The device (browser) working on the job; another device must take over explicitly.
    device_id: Mapped[str | None] = mapped_column(String(64))
    # Pre-service communication (服务前沟通).
    quote_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quote_confirmed_total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    valuables_notes: Mapped[str | None] = mapped_column(Text)
    special_requests: Mapped[str | None] = mapped_column(Text)
    # Handover (交接).
    tools_removed: Mapped[bool] = mapped_column(default=False)
    handover_remarks: Mapped[str | None] = mapped_column(Text)
    handover_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: a second device saving a stale job gets StaleDataError, not a lost update.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    service_type: Mapped[ServiceType] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()
    worker: Mapped[User | None] = relationship()
    quote_lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="job", order_by="QuoteLine.position", cascade="all, delete-orphan"
    )
    checks: Mapped[list[ItemCheck]] = relationship(back_populates="job", cascade="all, delete-orphan")
    completions: Mapped[list[StageCompletion]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="StageCompletion.completed_at"
    )
    handover_items: Mapped[list[HandoverItem]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="HandoverItem.id"
    )
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="Incident.reported_at"
    )

    @property
    def quote_total(self) -> Decimal:
        """The sum of the job's quote lines."""
        return total(line.amount for line in self.quote_lines)

    @property
    def stages(self) -> list[dict]:
        return self.template_snapshot.get("stages", [])


class QuoteLine(db.Model):
    """One line of the itemised quote, copied from a price item so later price changes never alter it."""

    __tablename__ = "quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PriceKind] = mapped_column(enum_column(PriceKind, "quote_price_kind"))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit: Mapped[PriceUnit] = mapped_column(enum_column(PriceUnit, "quote_price_unit"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    job: Mapped[Job] = relationship(back_populates="quote_lines")

    def name(self, locale: str) -> str:
        return pick(self.name_zh, self.name_en, locale)


class ItemCheck(db.Model):
    """A worker's answer to one checklist item (done / safe / not safe) and its note."""

    __tablename__ = "item_checks"
    __table_args__ = (UniqueConstraint("job_id", "stage_code", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    stage_code: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(64))
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, "item_answer"))
    note: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    job: Mapped[Job] = relationship(back_populates="checks")


class StageCompletion(db.Model):
    __tablename__ = "stage_completions"
    __table_args__ = (UniqueConstraint("job_id", "stage_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    stage_code: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    job: Mapped[Job] = relationship(back_populates="completions")


class HandoverItem(db.Model):
    """Something handed back to the customer at handover: keys, access cards, items."""

    __tablename__ = "handover_items"
    # A client key is the phone's name for one tap; it means something only within its job.
    __table_args__ = (UniqueConstraint("job_id", "client_key", name="uq_handover_items_job_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship(back_populates="handover_items")


class Incident(db.Model):
    """An incident (突发事件) reported from any step of a job."""

    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("job_id", "client_key", name="uq_incidents_job_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    client_key: Mapped[str] = mapped_column(String(64))
    type: Mapped[IncidentType] = mapped_column(enum_column(IncidentType, "incident_type"))
    severity: Mapped[IncidentSeverity] = mapped_column(enum_column(IncidentSeverity, "incident_severity"))
    what_happened: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str | None] = mapped_column(Text)
    stage_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[IncidentStatus] = mapped_column(
        enum_column(IncidentStatus, "incident_status"), default=IncidentStatus.OPEN
    )
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The response timeline: reported → acknowledged by a supervisor → resolved (closed).
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    # The after-action evaluation (required to close a severe incident).
    evaluation_worked: Mapped[str | None] = mapped_column(Text)
    evaluation_change: Mapped[str | None] = mapped_column(Text)
    # The version of the type's emergency plan the worker was shown.
    plan_version: Mapped[int | None]

    job: Mapped[Job] = relationship(back_populates="incidents")
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
