"""Column types shared by the models, and the one statement both databases spell their own way."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def insert_or_not(table: Table, dialect_name: str):
    """An INSERT that can say ON CONFLICT (DO NOTHING / DO UPDATE), in this database's own words."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones, so naive values there are UTC by convention;
    naive values are refused on the way in so local times never slip through.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; hk stores timezone-aware UTC times")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
