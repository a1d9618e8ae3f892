"""Email messages to customers and staff: the outbox, one row per message (sent once)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hk.extensions import db
from hk.models.people import enum_column
from hk.models.types import UTCDateTime, utcnow


class MessageStatus(StrEnum):
    PENDING = "pending"  # waiting for the queue (a first try, or a retry after a failure)
    SENDING = "sending"  # claimed by one queue worker, which is handing it to the mail server now
    SENT = "sent"  # accepted by the mail server, or written to instance/outbox
    FAILED = "failed"  # given up: an administrator sees why and may send it again


class RecipientKind(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"


class Message(db.Model):
    """One email. Its text is fixed when it is queued, in the recipient's language, so what is
    shown in the outbox is exactly what is (or was) sent, however often it is tried."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_due_at", "status", "due_at"),
        Index("ix_messages_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is about, e.g. "record_ready", and a key that names this one message
    # ("record_ready:<record id>"): the same message is never queued twice.
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_kind: Mapped[RecipientKind] = mapped_column(enum_column(RecipientKind, "recipient_kind"))
    recipient_id: Mapped[int | None]
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The Message-ID header, fixed at queueing: every try sends the same message.
    message_id: Mapped[str] = mapped_column(String(200))
    # The object the message is about (a job, a case), for links from the outbox.
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, "message_status"), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # When the sweep sends a pending message the queue has not: a while after it was queued, or
    # when the back-off after a failed try is over.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The try under way: a random token (only its holder may record the outcome) and when it began.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    outbox_file: Mapped[str | None] = mapped_column(String(200))  # the .eml under instance/outbox
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
