"""After the job: complaints (投诉) with replies, pauses, remedies and photos; ratings; follow-ups (回访).

The rules are in hk/domain/complaints.py and hk/domain/feedback.py; these rows keep what happened.
Every row a person's tap creates carries a client key unique within its case (or customer), so a
double tap or a retried request on one bar of signal makes one row.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hk.domain.complaints import (
    CaseFacts,
    CaseStatus,
    Category,
    Channel,
    Pause,
    RemedyKind,
    RemedyStatus,
    Severity,
)
from hk.domain.feedback import FollowUpChannel
from hk.extensions import db
from hk.models.customers import Customer
from hk.models.jobs import Job
from hk.models.people import User, enum_column
from hk.models.records import ServiceRecord
from hk.models.types import UTCDateTime, utcnow


def case_number(case_id: int) -> str:
    """The case number people quote on the phone, from the case's id (TS000042)."""
    return f"TS{case_id:06d}"


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("customer_id", "client_key", name="uq_complaints_customer_client_key"),
        Index("ix_complaints_status_received", "status", "received_at"),
        Index("ix_complaints_received_at", "received_at"),  # a period's complaints
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "complaint_channel"))
    category: Mapped[Category] = mapped_column(enum_column(Category, "complaint_category"))
    severity: Mapped[Severity] = mapped_column(
        enum_column(Severity, "complaint_severity"), default=Severity.MEDIUM
    )
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "complaint_status"), default=CaseStatus.NEW
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_customer: Mapped[bool] = mapped_column(default=False)
    reopen_count: Mapped[int] = mapped_column(default=0)
    # Attribution after investigation: feeds each worker's figures.
    root_cause: Mapped[str | None] = mapped_column(Text)
    responsible_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the customer
    client_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    job: Mapped[Job | None] = relationship()
    record: Mapped[ServiceRecord | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    responsible_worker: Mapped[User | None] = relationship(foreign_keys=[responsible_worker_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    pauses: Mapped[list[CasePause]] = relationship(
        back_populates="complaint", order_by="CasePause.start", cascade="all, delete-orphan"
    )
    replies: Mapped[list[CaseReply]] = relationship(
        back_populates="complaint", order_by="CaseReply.created_at", cascade="all, delete-orphan"
    )
    remedies: Mapped[list[Remedy]] = relationship(
        back_populates="complaint", order_by="Remedy.created_at", cascade="all, delete-orphan"
    )
    photos: Mapped[list[CasePhoto]] = relationship(
        back_populates="complaint", order_by="CasePhoto.uploaded_at", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        """The case number people quote on the phone."""
        return case_number(self.id)

    def facts(self) -> CaseFacts:
        return CaseFacts(
            status=self.status,
            received_at=self.received_at,
            first_response_at=self.first_response_at,
            resolved_at=self.resolved_at,
            reopened_at=self.reopened_at,
            pauses=[Pause(p.start, p.end, p.reason) for p in self.pauses],
            root_cause=self.root_cause or "",
        )


class CasePause(db.Model):
    """A time the resolution clock waited on the customer (unreachable, no access to the home)."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    complaint: Mapped[Complaint] = relationship(back_populates="pauses")
    by: Mapped[User | None] = relationship()


class CaseReply(db.Model):
    """A message on a case: to or from the customer (shown on their link), or an internal note."""

    __tablename__ = "case_replies"
    __table_args__ = (UniqueConstraint("complaint_id", "client_key", name="uq_case_replies_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the customer
    internal: Mapped[bool] = mapped_column(default=False)  # never shown to the customer
    body: Mapped[str] = mapped_column(Text)
    client_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship()

    @property
    def from_customer(self) -> bool:
        return self.author_id is None


class Remedy(db.Model):
    """Putting it right: a re-clean (a new free job), a refund, compensation, or an apology."""

    __tablename__ = "remedies"
    __table_args__ = (UniqueConstraint("complaint_id", "client_key", name="uq_remedies_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[RemedyKind] = mapped_column(enum_column(RemedyKind, "remedy_kind"))
    status: Mapped[RemedyStatus] = mapped_column(enum_column(RemedyStatus, "remedy_status"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    description: Mapped[str] = mapped_column(Text, default="")
    reclean_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="remedies")
    reclean_job: Mapped[Job | None] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class CasePhoto(db.Model):
    """A photo the customer sent with their complaint (checked and re-encoded like every photo)."""

    __tablename__ = "case_photos"
    __table_args__ = (UniqueConstraint("complaint_id", "client_key", name="uq_case_photos_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    client_key: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="photos")


class Rating(db.Model):
    """The customer's rating of one job, given on their own phone through the record link."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    overall: Mapped[int]
    quality: Mapped[int | None]
    punctuality: Mapped[int | None]
    attitude: Mapped[int | None]
    price: Mapped[int | None]
    recommend: Mapped[int | None]  # 0–10
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))  # opened by a low rating

    job: Mapped[Job] = relationship()
    customer: Mapped[Customer] = relationship()
    complaint: Mapped[Complaint | None] = relationship()


class FollowUp(db.Model):
    """A follow-up call, visit or message (回访): every quarter, and after each resolved complaint."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("customer_id", "client_key", name="uq_follow_ups_client_key"),
        # A customer's follow-ups, and whether one was done in a period (also serves the customer's page).
        Index("ix_follow_ups_customer_done", "customer_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    channel: Mapped[FollowUpChannel] = mapped_column(enum_column(FollowUpChannel, "follow_up_channel"))
    satisfied: Mapped[bool]
    score: Mapped[int | None]  # 1–5
    notes: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    client_key: Mapped[str] = mapped_column(String(64))

    customer: Mapped[Customer] = relationship()
    complaint: Mapped[Complaint | None] = relationship()
    by: Mapped[User | None] = relationship()
