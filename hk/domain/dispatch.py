"""Dispatch rules (派单): who may take a job when, and how regular jobs repeat."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from hk.domain.qualification import CertificateLike, qualification_problems
from hk.domain.workflow import Refusal

MAX_OCCURRENCES = 60


@dataclass(frozen=True)
class Booking:
    """An existing job of a worker: its number and window."""

    number: str
    start: datetime
    end: datetime


def window_problems(start: datetime | None, end: datetime | None) -> list[Refusal]:
    """A job's window must have a start before its end, within one day."""
    if start is None or end is None:
        return [Refusal("window_missing")]
    if end <= start:
        return [Refusal("end_before_start")]
    if end - start > timedelta(hours=14):
        return [Refusal("window_too_long")]
    return []


def assignment_problems(
    certificates: Iterable[CertificateLike],
    bookings: Iterable[Booking],
    start: datetime,
    end: datetime,
    job_day: date,
) -> list[Refusal]:
    """Why a worker may not take a job: certificates not valid on its day, or an overlapping job."""
    problems: list[Refusal] = []
    missing = qualification_problems(certificates, job_day)
    if missing:
        problems.append(Refusal("not_qualified", {"problems": missing}))
    for booking in bookings:
        if booking.start < end and start < booking.end:
            problems.append(
                Refusal("overlap", {"number": booking.number, "start": booking.start, "end": booking.end})
            )
    return problems


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


def occurrences(first: date, repeat: Repeat, count: int) -> list[date]:
    """The days of a regular job: weekly, every two weeks, or monthly on the same day (or the last)."""
    count = max(1, min(count, MAX_OCCURRENCES))
    if repeat == Repeat.NONE:
        return [first]
    if repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY):
        step = timedelta(weeks=1 if repeat == Repeat.WEEKLY else 2)
        return [first + step * n for n in range(count)]
    days = []
    for n in range(count):
        month_index = first.month - 1 + n
        year, month = first.year + month_index // 12, month_index % 12 + 1
        days.append(date(year, month, min(first.day, calendar.monthrange(year, month)[1])))
    return days
