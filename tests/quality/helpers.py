"""Hand-made history for the quality figures: jobs done, ratings, complaints and records, written
straight to the tables the figures count (the screens that make them are tested elsewhere)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from hk.domain.clock import local_datetime
from hk.domain.complaints import CaseStatus, Category, Channel, Severity
from hk.domain.periods import PeriodKind, Span, month_of
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Complaint, Rating, ServiceRecord
from hk.models.records import RecordStatus, ReviewStatus
from hk.quality.filters import QualityFilter
from tests.builders import make_job

TZ = "Asia/Shanghai"
_keys = itertools.count(1)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return local_datetime(day, hour, minute, TZ)


def done_job(worker, customer, day: date, late_minutes: int | None = 0, code: str = "daily_cleaning"):
    """A completed job booked at 9:00 on a day, checked in `late_minutes` after (None: never)."""
    job = make_job(worker, customer, start=at(day), code=code)
    job.status = Status.COMPLETED
    job.checked_in_at = (
        None if late_minutes is None else job.scheduled_start + timedelta(minutes=late_minutes)
    )
    db.session.commit()
    return job


def rate(job, overall: int, recommend: int | None = None, **aspects) -> Rating:
    rating = Rating(
        job_id=job.id,
        customer_id=job.customer_id,
        worker_id=job.worker_id,
        overall=overall,
        recommend=recommend,
        **aspects,
    )
    db.session.add(rating)
    db.session.commit()
    return rating


def complaint(
    customer,
    received: datetime,
    job=None,
    answered_after: timedelta | None = None,
    resolved_after: timedelta | None = None,
    channel=Channel.PHONE,
    category=Category.CLEANING_QUALITY,
    responsible=None,
) -> Complaint:
    case = Complaint(
        customer_id=customer.id,
        job_id=job.id if job else None,
        channel=channel,
        category=category,
        severity=Severity.MEDIUM,
        status=CaseStatus.RESOLVED if resolved_after is not None else CaseStatus.RESPONDED,
        description="窗户没擦干净",
        received_at=received,
        first_response_at=received + answered_after if answered_after is not None else None,
        resolved_at=received + resolved_after if resolved_after is not None else None,
        responsible_worker_id=responsible.id if responsible else None,
        client_key=f"q-{next(_keys)}",
    )
    db.session.add(case)
    db.session.commit()
    return case


def record(job, review=ReviewStatus.PENDING, status=RecordStatus.CURRENT, **flags) -> ServiceRecord:
    row = ServiceRecord(
        job_id=job.id, code=f"Q{next(_keys):07d}", status=status, review_status=review, **flags
    )
    db.session.add(row)
    db.session.commit()
    return row


def month_filter(day: date, **kw) -> QualityFilter:
    return QualityFilter(month_of(day), tz=TZ, **kw)


def days_filter(first: date, last: date, **kw) -> QualityFilter:
    return QualityFilter(Span(PeriodKind.CUSTOM, first, last + timedelta(days=1)), tz=TZ, **kw)
