"""What the complaint screens read: the list with its filters, the people to choose from, a customer's
recent jobs, and the case a re-clean job was booked for. Nothing here writes."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hk.aftersales.clocks import CaseClocks
from hk.domain.complaints import OPEN_STATUSES, CaseStatus, WarningLevel
from hk.extensions import db
from hk.models import Complaint, Customer, Job, Remedy, Role, User
from hk.pagination import paginate

# The list's filters, in the order the page offers them.
FILTERS = ("open", "due_soon", "overdue", "unassigned", "mine", "closed", "all")
LEVEL_OF_FILTER = {"due_soon": WarningLevel.AMBER, "overdue": WarningLevel.RED}
RECENT_JOBS = 20


def list_cases(show: str, user_id: int, clocks: list[CaseClocks], page: int | None) -> Pagination:
    """A page of cases under one filter: open ones first (oldest received first), then the rest, newest
    first. `clocks` are the open cases' clocks, read once for the warnings and for these filters."""
    is_open = Complaint.status.in_(OPEN_STATUSES)
    query = select(Complaint).options(
        selectinload(Complaint.customer), selectinload(Complaint.owner), selectinload(Complaint.pauses)
    )
    if show == "open":
        query = query.where(is_open)
    elif show in LEVEL_OF_FILTER:
        ids = [c.case.id for c in clocks if c.level == LEVEL_OF_FILTER[show]]
        query = query.where(Complaint.id.in_(ids))
    elif show == "unassigned":
        query = query.where(is_open, Complaint.owner_id.is_(None))
    elif show == "mine":
        query = query.where(is_open, Complaint.owner_id == user_id)
    elif show == "closed":
        query = query.where(Complaint.status.in_([CaseStatus.RESOLVED, CaseStatus.CLOSED]))
    open_first = sql_case((is_open, 0), else_=1)
    oldest_open = sql_case((is_open, Complaint.received_at), else_=None)
    query = query.order_by(open_first, oldest_open, Complaint.received_at.desc(), Complaint.id.desc())
    return paginate(query, page)


def staff() -> list[User]:
    """The people who may own a case: enabled supervisors and admins, by name."""
    query = (
        select(User)
        .where(User.role.in_([Role.SUPERVISOR, Role.ADMIN]), User.is_enabled.is_(True))
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(query))


def workers() -> list[User]:
    """Every worker account by name (a case may be put down to a worker who has since left)."""
    query = select(User).where(User.role == Role.WORKER).order_by(User.display_name, User.id)
    return list(db.session.scalars(query.options(selectinload(User.certificates))))


def customers() -> list[Customer]:
    """The customers a case may be opened for: every active one, by name."""
    query = select(Customer).where(Customer.archived_at.is_(None)).order_by(Customer.name, Customer.id)
    return list(db.session.scalars(query))


def recent_jobs(customer_id: int | None, limit: int = RECENT_JOBS) -> list[Job]:
    """A customer's latest jobs, newest first (what a complaint is usually about)."""
    if not customer_id:
        return []
    query = (
        select(Job)
        .where(Job.customer_id == customer_id)
        .options(selectinload(Job.service_type))
        .order_by(Job.scheduled_start.desc(), Job.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def reclean_remedy_of(job_id: int) -> Remedy | None:
    """The remedy a job was booked for as a re-clean, if it was (the job page links back to the case)."""
    query = select(Remedy).where(Remedy.reclean_job_id == job_id).options(selectinload(Remedy.complaint))
    return db.session.scalar(query.limit(1))


def cases_about_job(job_id: int) -> list[Complaint]:
    """The complaints about one job, newest first."""
    query = select(Complaint).where(Complaint.job_id == job_id).order_by(Complaint.received_at.desc())
    return list(db.session.scalars(query))
