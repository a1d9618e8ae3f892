"""Company-local days and times; storage is always UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_today(tz: str, now: datetime | None = None) -> date:
    """Today's date in the company's zone."""
    now = now or datetime.now(UTC)
    return now.astimezone(ZoneInfo(tz)).date()


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_datetime(day: date, hour: int, minute: int, tz: str) -> datetime:
    """A local wall-clock time on a day, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)
