"""Follow-ups (回访): who is due this quarter, which resolved complaints need a call, and recording one.

Every customer served in the last 12 months is followed up at least once per calendar quarter, and
every resolved complaint within a week of its resolution (hk.domain.feedback has the rules). The
lists are built in SQL so that they page like every other list; the state of each row is then
decided by the domain, so the list and the rules cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from hk.domain import feedback as rules
from hk.domain.clock import day_bounds, local_today
from hk.domain.complaints import OPEN_STATUSES, CaseStatus
from hk.domain.feedback import FollowUpChannel, FollowUpFacts, FollowUpState
from hk.domain.workflow import Refusal, Status, WorkflowError
from hk.extensions import db
from hk.models import Complaint, Customer, FollowUp, Job, Rating, User, record_event, utcnow
from hk.pagination import paginate


@dataclass(frozen=True)
class DueRow:
    customer: Customer
    state: FollowUpState
    last_served: date
    last_follow_up: date | None
    last_rating: int | None
    open_cases: int


def _local_date(value: datetime | None, tz: str) -> date | None:
    return local_today(tz, value) if value is not None else None


def _due(tz: str, today: date) -> list:
    """The conditions on Customer of being due (or overdue) the quarterly follow-up today: not archived,
    served (a job done) within ACTIVE_FOR, and no follow-up since the quarter began."""
    quarter_start, _ = rules.quarter_bounds(*rules.quarter_of(today))
    served = select(Job.id).where(
        Job.customer_id == Customer.id,
        Job.status == Status.COMPLETED,
        Job.scheduled_start >= day_bounds(today - rules.ACTIVE_FOR, tz)[0],
    )
    followed = select(FollowUp.id).where(
        FollowUp.customer_id == Customer.id, FollowUp.done_at >= day_bounds(quarter_start, tz)[0]
    )
    return [Customer.archived_at.is_(None), served.exists(), ~followed.exists()]


def due_count(tz: str, today: date | None = None) -> int:
    """How many customers are due (or overdue) their quarterly follow-up: due_customers' total."""
    return db.session.scalar(due_count_query(tz, today)) or 0


def due_count_query(tz: str, today: date | None = None):
    """due_count's query, for a caller that runs it on a connection of its own."""
    return select(func.count(Customer.id)).where(*_due(tz, today or local_today(tz)))


def due_customers(tz: str, page: int | None, today: date | None = None) -> tuple[Pagination, list[DueRow]]:
    """A page of the customers due (or overdue) for their quarterly follow-up, most overdue first."""
    today = today or local_today(tz)
    served = (
        select(
            Job.customer_id.label("customer_id"),
            func.max(Job.scheduled_start).label("last_served"),
            func.min(Job.scheduled_start).label("first_served"),
        )
        .where(Job.status == Status.COMPLETED)
        .group_by(Job.customer_id)
        .subquery()
    )
    followed = (
        select(FollowUp.customer_id.label("customer_id"), func.max(FollowUp.done_at).label("last_follow_up"))
        .group_by(FollowUp.customer_id)
        .subquery()
    )
    query = (
        select(Customer)
        .join(served, served.c.customer_id == Customer.id)
        .outerjoin(followed, followed.c.customer_id == Customer.id)
        .where(*_due(tz, today))
        .order_by(followed.c.last_follow_up.asc().nulls_first(), served.c.first_served, Customer.id)
    )
    pages = paginate(query, page)
    customer_ids = [c.id for c in pages.items]
    dates = {
        row.customer_id: row
        for row in db.session.execute(
            select(
                served.c.customer_id, served.c.last_served, served.c.first_served, followed.c.last_follow_up
            )
            .outerjoin(followed, followed.c.customer_id == served.c.customer_id)
            .where(served.c.customer_id.in_(customer_ids))
        )
    }
    ratings = _last_ratings(customer_ids)
    open_cases = _open_case_counts(customer_ids)
    result = []
    for customer in pages.items:
        row = dates[customer.id]
        facts = FollowUpFacts(
            last_served=_local_date(row.last_served, tz),
            first_served=_local_date(row.first_served, tz),
            last_follow_up=_local_date(row.last_follow_up, tz),
        )
        result.append(
            DueRow(
                customer=customer,
                state=rules.follow_up_state(facts, today),
                last_served=facts.last_served,
                last_follow_up=facts.last_follow_up,
                last_rating=ratings.get(customer.id),
                open_cases=open_cases.get(customer.id, 0),
            )
        )
    return pages, result


def _last_ratings(customer_ids: list[int]) -> dict[int, int]:
    if not customer_ids:
        return {}
    rows = db.session.execute(
        select(Rating.customer_id, Rating.overall)
        .where(Rating.customer_id.in_(customer_ids))
        .order_by(Rating.rated_at)
    )
    return dict(rows.all())  # the newest wins


def _open_case_counts(customer_ids: list[int]) -> dict[int, int]:
    if not customer_ids:
        return {}
    rows = db.session.execute(
        select(Complaint.customer_id, func.count(Complaint.id))
        .where(Complaint.customer_id.in_(customer_ids), Complaint.status.in_(list(OPEN_STATUSES)))
        .group_by(Complaint.customer_id)
    )
    return dict(rows.all())


def cases_to_follow_up() -> list[tuple[Complaint, datetime]]:
    """Resolved complaints with no follow-up yet, and when each is due (a week after resolution)."""
    done = select(FollowUp.id).where(FollowUp.complaint_id == Complaint.id).exists()
    cases = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.status.in_([CaseStatus.RESOLVED, CaseStatus.CLOSED]),
            Complaint.resolved_at.is_not(None),
            ~done,
        )
        .order_by(Complaint.resolved_at)
    )
    return [(case, rules.case_follow_up_due(case.resolved_at)) for case in cases]


def record(
    *,
    customer: Customer,
    by: User,
    channel: FollowUpChannel,
    satisfied: bool,
    score: int | None,
    notes: str,
    next_step: str,
    client_key: str,
    complaint: Complaint | None = None,
    done_at: datetime | None = None,
) -> FollowUp:
    """Keep one follow-up (the same client key again returns the first); logged on the customer."""
    existing = db.session.scalar(
        select(FollowUp).where(FollowUp.customer_id == customer.id, FollowUp.client_key == client_key)
    )
    if existing is not None:
        return existing
    if score is not None and not 1 <= score <= 5:
        raise WorkflowError([Refusal("rating_out_of_range")])
    if complaint is not None and complaint.customer_id != customer.id:
        raise WorkflowError([Refusal("case_wrong_job")])
    follow_up = FollowUp(
        customer=customer,
        complaint=complaint,
        channel=channel,
        satisfied=satisfied,
        score=score,
        notes=notes.strip(),
        next_step=next_step.strip(),
        done_at=done_at or utcnow(),
        by=by,
        client_key=client_key,
    )
    db.session.add(follow_up)
    db.session.flush()
    record_event(
        by,
        "customer",
        customer.id,
        "follow_up.record",
        follow_up=follow_up.id,
        channel=channel,
        satisfied=satisfied,
        complaint=complaint.id if complaint else None,
    )
    db.session.commit()
    return follow_up


def history(customer: Customer, limit: int = 20) -> dict:
    """A customer's after-sales history for their page: ratings, complaints and follow-ups, newest first."""
    ratings = db.session.scalars(
        select(Rating).where(Rating.customer_id == customer.id).order_by(Rating.rated_at.desc()).limit(limit)
    ).all()
    cases = db.session.scalars(
        select(Complaint)
        .where(Complaint.customer_id == customer.id)
        .order_by(Complaint.received_at.desc())
        .limit(limit)
    ).all()
    follow_ups = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.customer_id == customer.id)
        .order_by(FollowUp.done_at.desc())
        .limit(limit)
    ).all()
    counts = db.session.execute(
        select(
            select(func.count(Rating.id)).where(Rating.customer_id == customer.id).scalar_subquery(),
            select(func.count(Complaint.id)).where(Complaint.customer_id == customer.id).scalar_subquery(),
            select(func.count(FollowUp.id)).where(FollowUp.customer_id == customer.id).scalar_subquery(),
        )
    ).one()
    return {
        "ratings": ratings,
        "cases": cases,
        "follow_ups": follow_ups,
        "history_counts": {"ratings": counts[0], "cases": counts[1], "follow_ups": counts[2]},
    }
