"""Back-office changes, each logged with who, when and what changed (before → after)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from hk.auth.service import hash_password
from hk.domain import workflow
from hk.domain.clock import day_bounds, local_datetime
from hk.domain.dispatch import Booking, Repeat, assignment_problems, occurrences, window_problems
from hk.domain.pricing import line_amount
from hk.domain.workflow import Action, Refusal, WorkflowError
from hk.extensions import db
from hk.jobs.service import build_quote, facts_for
from hk.models import (
    Certificate,
    Customer,
    Job,
    JobStatus,
    Role,
    ServiceType,
    TrainingRecord,
    User,
    WorkerProfile,
    record_event,
    utcnow,
)

# Never written into the event log: door codes and key arrangements.
SECRET_FIELDS = {"access_notes", "password_hash"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def apply_changes(actor: User, obj, subject: str, action: str, values: dict) -> dict:
    """Set attributes and log each change as [before, after] (secret fields only as "changed")."""
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            changes[field] = "changed" if field in SECRET_FIELDS else [_plain(old), _plain(new)]
    if changes:
        db.session.flush()
        record_event(actor, subject, obj.id, action, changes=changes)
    return changes


# --- customers ---------------------------------------------------------------------------------


def phone_owner(phone: str, except_id: int | None = None) -> Customer | None:
    """Another active customer with the same phone number, if any (a warning, never a block)."""
    query = select(Customer).where(Customer.phone == phone, Customer.archived_at.is_(None))
    if except_id is not None:
        query = query.where(Customer.id != except_id)
    return db.session.scalar(query.limit(1))


def search_customers(text: str, archived: bool = False) -> list[Customer]:
    """Customers whose name, phone or address contains the text."""
    query = select(Customer).order_by(Customer.name)
    query = query.where(Customer.archived_at.is_not(None) if archived else Customer.archived_at.is_(None))
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(Customer.name.ilike(like), Customer.phone.ilike(like), Customer.address.ilike(like))
        )
    return list(db.session.scalars(query.limit(200)))


def save_customer(actor: User, customer: Customer | None, values: dict) -> Customer:
    """Create or update a customer."""
    if customer is None:
        customer = Customer(**values)
        db.session.add(customer)
        db.session.flush()
        record_event(
            actor,
            "customer",
            customer.id,
            "customer.create",
            changes={k: ("changed" if k in SECRET_FIELDS else _plain(v)) for k, v in values.items()},
        )
    else:
        apply_changes(actor, customer, "customer", "customer.update", values)
    db.session.commit()
    return customer


def archive_customer(actor: User, customer: Customer, archive: bool = True) -> None:
    """Archive a customer (kept with their history) or bring them back."""
    apply_changes(
        actor,
        customer,
        "customer",
        "customer.archive" if archive else "customer.restore",
        {"archived_at": utcnow() if archive else None},
    )
    db.session.commit()


# --- workers -----------------------------------------------------------------------------------


def create_worker(
    actor: User, username: str, display_name: str, phone: str | None, password: str, employee_no: str | None
) -> User:
    """A new worker account with a profile."""
    user = User(
        username=username.strip().lower(),
        display_name=display_name.strip(),
        phone=phone,
        role=Role.WORKER,
        password_hash=hash_password(password),
    )
    user.profile = WorkerProfile(employee_no=employee_no or None)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor,
        "user",
        user.id,
        "worker.create",
        changes={"username": user.username, "display_name": user.display_name},
    )
    db.session.commit()
    return user


def set_enabled(actor: User, user: User, enabled: bool) -> None:
    """Enable or disable an account; disabling ends every session of it at once."""
    if user.is_enabled == enabled:
        return
    apply_changes(
        actor, user, "user", "worker.enable" if enabled else "worker.disable", {"is_enabled": enabled}
    )
    if not enabled:
        user.session_version += 1
    db.session.commit()


def add_certificate(actor: User, worker: User, values: dict) -> Certificate:
    """Add a certificate (上岗证, 健康证, other) to a worker."""
    cert = Certificate(worker=worker, **values)
    db.session.add(cert)
    db.session.flush()
    record_event(
        actor,
        "user",
        worker.id,
        "certificate.add",
        changes={k: _plain(v) for k, v in values.items() if k != "scan_key"},
    )
    db.session.commit()
    return cert


def remove_certificate(actor: User, cert: Certificate) -> None:
    """Remove a certificate entered by mistake (the event log keeps what it was)."""
    record_event(
        actor,
        "user",
        cert.worker_id,
        "certificate.remove",
        changes={"kind": str(cert.kind), "number": cert.number, "valid_until": _plain(cert.valid_until)},
    )
    db.session.delete(cert)
    db.session.commit()


def add_training(actor: User, worker: User, values: dict) -> TrainingRecord:
    """Add a training record to a worker."""
    training = TrainingRecord(worker=worker, **values)
    db.session.add(training)
    db.session.flush()
    record_event(actor, "user", worker.id, "training.add", changes={k: _plain(v) for k, v in values.items()})
    db.session.commit()
    return training


# --- dispatch ----------------------------------------------------------------------------------


def bookings_of(
    worker_id: int, start: datetime, end: datetime, except_job: int | None = None
) -> list[Booking]:
    """A worker's other live jobs that touch a window."""
    query = select(Job).where(
        Job.worker_id == worker_id,
        Job.status.not_in([JobStatus.CANCELLED]),
        Job.scheduled_start < end,
        Job.scheduled_end > start,
    )
    if except_job is not None:
        query = query.where(Job.id != except_job)
    return [Booking(j.number, j.scheduled_start, j.scheduled_end) for j in db.session.scalars(query)]


def worker_problems(
    worker: User, start: datetime, end: datetime, tz: str, except_job: int | None = None
) -> list[Refusal]:
    """Why this worker cannot take a job in this window."""
    if not worker.is_enabled or worker.role != Role.WORKER:
        return [Refusal("worker_unavailable")]
    job_day = start.astimezone(ZoneInfo(tz)).date()
    return assignment_problems(
        worker.certificates, bookings_of(worker.id, start, end, except_job), start, end, job_day
    )


def next_number(day: date) -> str:
    """The next job number of a day: HK20261201-001."""
    prefix = f"HK{day:%Y%m%d}-"
    count = db.session.scalar(select(func.count(Job.id)).where(Job.number.like(f"{prefix}%")))
    return f"{prefix}{count + 1:03d}"


@dataclass
class NewJobs:
    jobs: list[Job]


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
    db.session.commit()
    return NewJobs(jobs)


def assign(actor: User, job: Job, worker: User | None, tz: str) -> None:
    """Assign or reassign a job that has not started; refused with reasons when the worker cannot take it."""
    if job.status != JobStatus.SCHEDULED:
        raise WorkflowError([Refusal("already_started")])
    if worker is not None:
        problems = worker_problems(worker, job.scheduled_start, job.scheduled_end, tz, except_job=job.id)
        if problems:
            raise WorkflowError(problems)
    apply_changes(actor, job, "job", "job.assign", {"worker_id": worker.id if worker else None})
    db.session.commit()


def cancel(actor: User, job: Job, reason: str) -> None:
    """Cancel a job with a reason."""
    new_status = workflow.decide(facts_for(job), Action.CANCEL)
    apply_changes(actor, job, "job", "job.cancel", {"status": new_status, "cancel_reason": reason.strip()})
    db.session.commit()


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


def jobs_between(start_day: date, days: int, tz: str, worker_id: int | None = None) -> list[Job]:
    """Live jobs from a day for a number of days, in time order."""
    start, _ = day_bounds(start_day, tz)
    _, end = day_bounds(start_day + timedelta(days=days - 1), tz)
    query = (
        select(Job)
        .where(Job.scheduled_start >= start, Job.scheduled_start < end, Job.status != JobStatus.CANCELLED)
        .order_by(Job.scheduled_start)
    )
    if worker_id:
        query = query.where(Job.worker_id == worker_id)
    return list(db.session.scalars(query))
