"""The event log: who did what to which object, when."""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from hk.extensions import db
from hk.models.people import User
from hk.models.types import UTCDateTime, utcnow


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_subject", "subject_type", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it arrived
    # When it happened on the phone (a write sent by its outbox, maybe later), when believable.
    happened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record_event(actor: User | None, subject_type: str, subject_id: int, action: str, **data) -> Event:
    """Add an event row to the session; the caller commits with the change it describes.

    A write sent by the phone's outbox brings the phone's time (hk/phone_writes.py): it is kept as
    ``happened_at``; a time that cannot be true is kept, raw, in the data instead.
    """
    happened_at = None
    if has_request_context():
        happened_at = g.get("hk_happened_at")
        if g.get("hk_happened_raw"):
            data["phone_time_refused"] = g.hk_happened_raw
    event = Event(
        happened_at=happened_at,
        actor_id=actor.id if actor is not None else None,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        data=data,
    )
    db.session.add(event)
    return event


def events_of(subject_type: str, subject_id: int) -> list[Event]:
    """Every event of one object, oldest first, with who did it."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
            .options(selectinload(Event.actor))
            .order_by(Event.at, Event.id)
        )
    )
