"""What the back office reads: searches, histories, lists and the schedule. Nothing here writes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from hk.domain.clock import day_bounds
from hk.domain.dispatch import Booking
from hk.domain.emergency import IncidentType
from hk.domain.qualification import EXPIRY_WARNING_DAYS, certificate_status
from hk.extensions import db
from hk.models import (
    Certificate,
    Customer,
    EmergencyPlan,
    Event,
    Job,
    JobStatus,
    Message,
    MessageStatus,
    RecordStatus,
    Role,
    ServiceRecord,
    ServiceType,
    User,
    WorkerProfile,
)
from hk.pagination import paginate

# --- customers ---------------------------------------------------------------------------------


def phone_owner(phone: str, except_id: int | None = None) -> Customer | None:
    """Another active customer with the same phone number, if any (a warning, never a block)."""
    query = select(Customer).where(Customer.phone == phone, Customer.archived_at.is_(None))
    if except_id is not None:
        query = query.where(Customer.id != except_id)
    return db.session.scalar(query.limit(1))


def search_customers(text: str, archived: bool, page: int | None) -> Pagination:
    """A page of the customers whose name, phone or address contains the text."""
    query = select(Customer).order_by(Customer.name, Customer.id)
    query = query.where(Customer.archived_at.is_not(None) if archived else Customer.archived_at.is_(None))
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(Customer.name.ilike(like), Customer.phone.ilike(like), Customer.address.ilike(like))
        )
    return paginate(query, page)


def active_customers() -> list[Customer]:
    """Every customer not archived, by name (the new job's choices)."""
    query = select(Customer).where(Customer.archived_at.is_(None)).order_by(Customer.name)
    return list(db.session.scalars(query))


def customer_jobs(customer: Customer, page: int | None) -> tuple[Pagination, dict[int, ServiceRecord]]:
    """A page of a customer's jobs, newest first, with the current record of each job that has one."""
    query = (
        select(Job)
        .where(Job.customer_id == customer.id)
        .options(selectinload(Job.service_type), selectinload(Job.worker))
        .order_by(Job.scheduled_start.desc(), Job.id.desc())
    )
    jobs = paginate(query, page)
    records = {
        r.job_id: r
        for r in db.session.scalars(
            select(ServiceRecord).where(
                ServiceRecord.job_id.in_([j.id for j in jobs.items]),
                ServiceRecord.status == RecordStatus.CURRENT,
            )
        )
    }
    return jobs, records


def events_of(subject: str, subject_id: int, page: int | None) -> Pagination:
    """A page of what was changed on one thing, newest first."""
    query = (
        select(Event)
        .where(Event.subject_type == subject, Event.subject_id == subject_id)
        .options(selectinload(Event.actor))
        .order_by(Event.at.desc(), Event.id.desc())
    )
    return paginate(query, page)


# --- workers -----------------------------------------------------------------------------------


def workers(enabled_only: bool = False) -> list[User]:
    """Worker accounts by name."""
    query = select(User).where(User.role == Role.WORKER).order_by(User.display_name, User.id)
    if enabled_only:
        query = query.where(User.is_enabled.is_(True))
    return list(db.session.scalars(query.options(selectinload(User.certificates))))


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == username.strip().lower())) is not None


def employee_no_taken(employee_no: str) -> bool:
    return (
        db.session.scalar(select(WorkerProfile.user_id).where(WorkerProfile.employee_no == employee_no))
        is not None
    )


# Administrators first, then supervisors, then cleaners.
_ROLE_ORDER = case({Role.ADMIN.value: 0, Role.SUPERVISOR.value: 1}, value=User.role, else_=2)


def staff(role: Role | None, page: int | None) -> Pagination:
    """A page of every login account (or those of one role): administrators first, then by name."""
    query = select(User).order_by(_ROLE_ORDER, User.display_name, User.id)
    if role is not None:
        query = query.where(User.role == role)
    return paginate(query, page)


def open_jobs_of(worker_id: int) -> int:
    """How many jobs not yet finished (completed or cancelled) are assigned to a worker."""
    return db.session.scalar(
        select(func.count(Job.id)).where(
            Job.worker_id == worker_id, Job.status.not_in([JobStatus.COMPLETED, JobStatus.CANCELLED])
        )
    )


def certificate_states(worker: User, today: date) -> list[tuple[Certificate, str]]:
    """Each certificate of a worker with its state today."""
    return [(c, certificate_status(c.valid_from, c.valid_until, today).value) for c in worker.certificates]


def certificates_needing_attention(people: list[User], today: date) -> list[tuple[Certificate, str]]:
    """Certificates of enabled workers that have expired or expire soon, soonest first."""
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    found = [
        (c, certificate_status(c.valid_from, c.valid_until, today).value)
        for w in people
        if w.is_enabled
        for c in w.certificates
        if c.valid_until < horizon
    ]
    return sorted(found, key=lambda x: x[0].valid_until)


# --- dispatch ----------------------------------------------------------------------------------


def active_service_types() -> list[ServiceType]:
    query = select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.id)
    return list(db.session.scalars(query))


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


def jobs_count_with_prefix(prefix: str) -> int:
    return db.session.scalar(select(func.count(Job.id)).where(Job.number.like(f"{prefix}%")))


def jobs_between(start_day: date, days: int, tz: str, worker_id: int | None = None) -> list[Job]:
    """Live jobs from a day for a number of days, in time order."""
    start, _ = day_bounds(start_day, tz)
    _, end = day_bounds(start_day + timedelta(days=days - 1), tz)
    query = (
        select(Job)
        .where(Job.scheduled_start >= start, Job.scheduled_start < end, Job.status != JobStatus.CANCELLED)
        .options(selectinload(Job.customer))
        .order_by(Job.scheduled_start)
    )
    if worker_id:
        query = query.where(Job.worker_id == worker_id)
    return list(db.session.scalars(query))


def schedule_grid(jobs: list[Job], tz: str) -> dict[tuple[int | None, date], list[Job]]:
    """Jobs by (worker, local day)."""
    zone = ZoneInfo(tz)
    grid: dict[tuple[int | None, date], list[Job]] = {}
    for job in jobs:
        grid.setdefault((job.worker_id, job.scheduled_start.astimezone(zone).date()), []).append(job)
    return grid


# --- catalogue ---------------------------------------------------------------------------------


def service_types() -> list[ServiceType]:
    return list(db.session.scalars(select(ServiceType).order_by(ServiceType.id)))


def emergency_plans() -> list[EmergencyPlan]:
    """Every emergency plan, in the order of the incident types."""
    order = {kind.value: n for n, kind in enumerate(IncidentType)}
    plans = db.session.scalars(select(EmergencyPlan)).all()
    return sorted(plans, key=lambda plan: order[plan.incident_type.value])


# --- outbox ------------------------------------------------------------------------------------


def outbox(status: MessageStatus | None, page: int | None) -> Pagination:
    """A page of the email messages, newest first, of one status or all."""
    query = select(Message).order_by(Message.id.desc())
    if status is not None:
        query = query.where(Message.status == status)
    return paginate(query, page)


def outbox_counts() -> dict[str, int]:
    """How many messages have each status."""
    rows = db.session.execute(select(Message.status, func.count(Message.id)).group_by(Message.status))
    counts = {status.value: 0 for status in MessageStatus}
    counts.update({MessageStatus(status).value: n for status, n in rows})
    return counts
