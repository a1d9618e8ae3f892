"""Customers (客户档案)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hk.extensions import db
from hk.models.types import UTCDateTime, utcnow


class Customer(db.Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str] = mapped_column(String(300))
    # Optional: where the record link and replies to their complaints are emailed.
    email: Mapped[str | None] = mapped_column(String(254))
    # Door codes and key arrangements: shown to the assigned worker, kept out of lists and logs.
    access_notes: Mapped[str | None] = mapped_column(Text)
    preferences: Mapped[str | None] = mapped_column(Text)
    has_pets: Mapped[bool] = mapped_column(default=False)
    has_children: Mapped[bool] = mapped_column(default=False)
    has_elderly: Mapped[bool] = mapped_column(default=False)
    household_notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
