"""When something happened on the phone: the phone's clock, believed only within bounds.

A write made without signal reaches the server later; the phone says when it was made
(milliseconds since the epoch, its own clock). That time is kept beside the arrival, unless it
cannot be true: after the arrival (a clock running fast, kept as the arrival would lie the other
way, so it is dropped), or before the job's day minus a margin (a clock never set).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# How long before the job's booked start a phone time may still be believed: a job is opened,
# its pre-service facts taken, the evening before at the earliest.
EARLIEST_BEFORE_START = timedelta(days=1)
# A phone clock a little ahead of the server's is still the same instant.
SKEW = timedelta(minutes=2)


def parse_phone_ms(raw: str | None) -> datetime | None:
    """The header's milliseconds since the epoch as a UTC time, or None when not a number."""
    try:
        return datetime.fromtimestamp(int((raw or "").strip()) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def believable(happened: datetime | None, arrived: datetime, job_start: datetime) -> datetime | None:
    """The phone's time when it may be true, clamped to the arrival within the clocks' skew; else None."""
    if happened is None or happened < job_start - EARLIEST_BEFORE_START or happened > arrived + SKEW:
        return None
    return min(happened, arrived)
