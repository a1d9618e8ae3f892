"""The customer's sign-off and the signed service record (服务记录) with its hash chain."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hk.extensions import db
from hk.models.jobs import Job
from hk.models.people import User, enum_column
from hk.models.types import UTCDateTime, utcnow


class SignOffKind(StrEnum):
    SIGNED = "signed"
    REFUSED = "refused"


class SignatureKind(StrEnum):
    """How a customer who signed did it: drew on the screen, or typed their name with a consent sentence."""

    DRAWN = "drawn"
    TYPED = "typed"


class SignOff(db.Model):
    """What the customer did with the review: signed it, or refused with a reason."""

    __tablename__ = "sign_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    kind: Mapped[SignOffKind] = mapped_column(enum_column(SignOffKind, "sign_off_kind"))
    signer_name: Mapped[str | None] = mapped_column(String(100))
    # Set when kind is SIGNED: a drawing (signature_key, a PNG in storage) or a typed name (signer_name,
    # with the typed sentence in consent_text).
    signature_kind: Mapped[SignatureKind | None] = mapped_column(enum_column(SignatureKind, "signature_kind"))
    signature_key: Mapped[str | None] = mapped_column(String(200))  # PNG in storage
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    consent_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    # SHA-256 of exactly what the customer was shown (hk.records.review.review_digest).
    shown_hash: Mapped[str] = mapped_column(String(64))
    # When the customer signed: the phone's clock for a signature made without signal (when it can be
    # believed, hk.domain.offline_sign.signed_time), else the server's.
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A signature made offline: when it reached the server, and the view the customer read, exactly
    # (hk.records.shown, canonical JSON; shown_hash is its SHA-256). Both None for one made online.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shown_json: Mapped[str | None] = mapped_column(Text)
    witnessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    job: Mapped[Job] = relationship()
    witnessed_by: Mapped[User | None] = relationship()

    @property
    def received_later(self) -> bool:
        """A signature made offline that reached the server a minute or more after it was made: the
        record then gives both times."""
        return self.received_at is not None and self.received_at - self.signed_at >= timedelta(minutes=1)


class RecordStatus(StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"


class RenderStatus(StrEnum):
    PENDING = "pending"
    FAILED = "failed"
    DONE = "done"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SENT_BACK = "sent_back"


class ServiceRecord(db.Model):
    """One version of a job's signed PDF record; a correction is a new version, the old one stays."""

    __tablename__ = "service_records"
    # A job's records, with what the quality figures count of them (review, flags) in the index itself.
    __table_args__ = (
        Index(
            "ix_service_records_job_review",
            "job_id",
            "status",
            "review_status",
            "flag_incident",
            "flag_refused",
            "flag_missing_photos",
        ),
        # At most one current record a job, whatever races: a correction supersedes the one before in
        # the same flush (SQLAlchemy updates before it inserts), and a second current one is refused.
        Index(
            "uq_service_records_one_current",
            "job_id",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)  # public, for /verify/<code>
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RecordStatus] = mapped_column(
        enum_column(RecordStatus, "record_status"), default=RecordStatus.CURRENT
    )
    render_status: Mapped[RenderStatus] = mapped_column(
        enum_column(RenderStatus, "render_status"), default=RenderStatus.PENDING
    )
    render_attempts: Mapped[int] = mapped_column(default=0)
    render_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    render_error: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int | None]
    pages: Mapped[int | None]
    # The archive's hash chain: each rendered record links to the one before it.
    chain_seq: Mapped[int | None] = mapped_column(unique=True)
    prev_chain_hash: Mapped[str | None] = mapped_column(String(64))
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    flag_incident: Mapped[bool] = mapped_column(default=False)
    flag_refused: Mapped[bool] = mapped_column(default=False)
    flag_missing_photos: Mapped[bool] = mapped_column(default=False)
    review_status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.PENDING
    )
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    job: Mapped[Job] = relationship()
    supersedes: Mapped[ServiceRecord | None] = relationship(remote_side=[id])
    reviewed_by: Mapped[User | None] = relationship()


class CustomerLink(db.Model):
    """A link given to the customer to view and download their record; it expires and can be revoked."""

    __tablename__ = "customer_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship()
