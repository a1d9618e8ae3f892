"""The writes a phone has already made: each client key once per job (see hk/phone_writes.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hk.extensions import db
from hk.models.types import UTCDateTime, utcnow


class ClientWrite(db.Model):
    """One write sent by a phone's outbox, applied once: a replay of the key changes nothing."""

    __tablename__ = "client_writes"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(64))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    happened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
