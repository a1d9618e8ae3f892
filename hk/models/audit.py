"""The event log: who did what to which object, when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from hk.extensions import db
from hk.models.people import User
from hk.models.types import UTCDateTime, utcnow


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_subject", "subject_type", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record_event(actor: User | None, subject_type: str, subject_id: int, action: str, **data) -> Event:
    """Add an event row to the session; the caller commits with the change it describes."""
    event = Event(
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
