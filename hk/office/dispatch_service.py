"""Dispatch (派单): new jobs and regular series, assignment, cancelling and the quote; each change logged
with who, when and what changed, and committed. The rules themselves are in hk.domain.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from zoneinfo import ZoneInfo

from hk.database import lock_for_write
from hk.domain import workflow
from hk.domain.clock import local_datetime
from hk.domain.dispatch import Repeat, assignment_problems, occurrences, window_problems
from hk.domain.pricing import line_amount
from hk.domain.workflow import Action, Refusal, WorkflowError
from hk.extensions import db
from hk.jobs.service import build_quote, facts_for
from hk.models import Customer, Job, JobStatus, Role, ServiceType, User, record_event
from hk.office import queries
from hk.office.service import apply_changes


def _refusal_rolls_back(change: Callable) -> Callable:
    """A refused change ends its transaction at once (nothing was written) and raises WorkflowError."""

    @wraps(change)
    def wrapper(*args, **kwargs):
        try:
            return change(*args, **kwargs)
        except WorkflowError:
            db.session.rollback()
            raise

    return wrapper


def worker_problems(
    worker: User, start: datetime, end: datetime, tz: str, except_job: int | None = None
) -> list[Refusal]:
    """Why this worker cannot take a job in this window.

    The worker's row is locked first (PostgreSQL; SQLite's writes already take turns), so two
    bookings for one worker at the same instant are checked one after the other: the second sees the
    first's job and is refused, rather than both passing and the worker being booked twice."""
    lock_for_write(User, worker.id)
    if not worker.is_enabled or worker.role != Role.WORKER:
        return [Refusal("worker_unavailable")]
    job_day = start.astimezone(ZoneInfo(tz)).date()
    return assignment_problems(
        worker.certificates, queries.bookings_of(worker.id, start, end, except_job), start, end, job_day
    )


def next_number(day: date) -> str:
    """The next job number of a day: HK20261201-001."""
    prefix = f"HK{day:%Y%m%d}-"
    return f"{prefix}{queries.jobs_count_with_prefix(prefix) + 1:03d}"


@dataclass
class NewJobs:
    jobs: list[Job]


@_refusal_rolls_back
def create_jobs(
    actor: User,
    customer: Customer,
    service_type: ServiceType,
    first_day: date,
    start_hm: tuple,
    end_hm: tuple,
    tz: str,
    worker: User | None,
    notes: str | None,
    repeat: Repeat,
    count: int,
    area_m2: Decimal | None,
) -> NewJobs:
    """Create one job or a regular series; nothing is created if any occurrence is refused."""
    jobs = add_jobs(
        actor, customer, service_type, first_day, start_hm, end_hm, tz, worker, notes, repeat, count, area_m2
    )
    db.session.commit()
    return NewJobs(jobs)


def add_jobs(
    actor: User,
    customer: Customer,
    service_type: ServiceType,
    first_day: date,
    start_hm: tuple,
    end_hm: tuple,
    tz: str,
    worker: User | None,
    notes: str | None,
    repeat: Repeat,
    count: int,
    area_m2: Decimal | None,
) -> list[Job]:
    """The jobs of create_jobs, through the same gates (window, certificates, overlaps), added to the
    session and logged but not committed: a caller that books a job as part of its own change (a
    complaint's re-clean) commits both together. WorkflowError before anything is added."""
    template = service_type.current_template
    days = occurrences(first_day, repeat, count)
    planned = []
    for day in days:
        start = local_datetime(day, *start_hm, tz)
        end = local_datetime(day, *end_hm, tz)
        problems = window_problems(start, end)
        if worker is not None and not problems:
            problems = worker_problems(worker, start, end, tz)
            for other_start, other_end in planned:  # the series itself must not overlap
                if other_start < end and start < other_end:
                    problems.append(
                        Refusal("overlap", {"number": "—", "start": other_start, "end": other_end})
                    )
        if problems:
            raise WorkflowError([Refusal(p.code, {**p.params, "day": day}) for p in problems])
        planned.append((start, end))
    series = secrets.token_hex(8) if len(days) > 1 else None
    jobs = []
    for day, (start, end) in zip(days, planned, strict=True):
        job = Job(
            number=next_number(day),
            customer=customer,
            service_type=service_type,
            template=template,
            worker=worker,
            scheduled_start=start,
            scheduled_end=end,
            notes=notes or None,
            template_snapshot=template.snapshot(),
            series_key=series,
        )
        build_quote(job, area_m2)
        db.session.add(job)
        db.session.flush()
        record_event(
            actor,
            "job",
            job.id,
            "job.create",
            changes={
                "customer": customer.name,
                "service_type": service_type.code,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "worker": worker.username if worker else None,
                "series": series,
            },
        )
        jobs.append(job)
    return jobs


@_refusal_rolls_back
def assign(actor: User, job: Job, worker: User | None, tz: str) -> None:
    """Assign or reassign a job that has not started; refused with reasons when the worker cannot take it."""
    workflow.check_assign(JobStatus(job.status))
    if worker is not None:
        problems = worker_problems(worker, job.scheduled_start, job.scheduled_end, tz, except_job=job.id)
        if problems:
            raise WorkflowError(problems)
    apply_changes(actor, job, "job", "job.assign", {"worker_id": worker.id if worker else None})
    db.session.commit()


@_refusal_rolls_back
def cancel(actor: User, job: Job, reason: str) -> None:
    """Cancel a job with a reason."""
    new_status = workflow.decide(facts_for(job), Action.CANCEL)
    apply_changes(actor, job, "job", "job.cancel", {"status": new_status, "cancel_reason": reason.strip()})
    db.session.commit()


@_refusal_rolls_back
def adjust_quote(
    actor: User, job: Job, quantities: dict[int, Decimal], prices: dict[int, Decimal], reason: str
) -> None:
    """Change quote quantities or prices before the customer confirms it, with a reason."""
    if job.quote_confirmed_at is not None:
        raise WorkflowError([Refusal("quote_confirmed")])
    changes = {}
    for line in job.quote_lines:
        qty = quantities.get(line.id, line.quantity)
        price = prices.get(line.id, line.unit_price)
        if (qty, price) != (line.quantity, line.unit_price):
            changes[line.code] = [[str(line.quantity), str(line.unit_price)], [str(qty), str(price)]]
            line.quantity, line.unit_price, line.amount = qty, price, line_amount(qty, price)
    if changes:
        job.quote_adjust_reason = reason.strip()
        record_event(actor, "job", job.id, "quote.adjust", changes=changes, reason=job.quote_adjust_reason)
        db.session.commit()
