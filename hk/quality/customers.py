"""Customers over time: retention, repeat and lost customers, and follow-up coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from hk.aftersales.followups import due_count
from hk.domain import quality as rules
from hk.domain.quality import share
from hk.domain.workflow import Status
from hk.models import Complaint, Customer, FollowUp, Job
from hk.quality.cases import complaint_scope
from hk.quality.filters import QualityFilter
from hk.quality.sql import dialect, facts, facts_done, jobs_done, rows


@dataclass(frozen=True)
class CustomerFigures:
    served: int  # customers with a job done in the period
    previous: int  # customers served in the period before
    returned: int  # of those, served again in this period
    repeat: int  # customers of this period who had been served before it
    lost: int  # customers with no job in the 90 days after a complaint, counted when the 90 days end
    followed_up: int  # customers of this period with a follow-up call in it
    due_follow_ups: int  # customers due (or overdue) their follow-up call this quarter, today

    @property
    def retention(self) -> float | None:
        return share(self.returned, self.previous)

    @property
    def follow_up_share(self) -> float | None:
        return share(self.followed_up, self.served)


def customer_figures(f: QualityFilter) -> CustomerFigures:
    return _figures(f, 1, due_count(f.tz))[0]


def customer_figures_with_previous(
    f: QualityFilter, due: int | None = None, lost: bool = True
) -> tuple[CustomerFigures, CustomerFigures]:
    """This period's customer figures and the previous period's, counted together; `due` is today's
    count of follow-ups due when the caller has it (it reads the session; the rest reads through
    sql.rows, so it may run side by side); without `lost`, the lost customers are left at 0 for the
    caller, who counts them (lost_customers) beside."""
    now, then = _figures(f, 2, due_count(f.tz) if due is None else due, lost)
    return now, then


def _figures(f: QualityFilter, periods: int, due: int, lost: bool = True) -> list[CustomerFigures]:
    """The customer figures of the filter's period and the periods before it, in one query (and one
    for each period's lost customers, when asked): for each period (and the one before the earliest)
    whether each customer had a job in it that the filter counts, and of those of a period, whether
    they had been served before it at all, and were followed up in it.

    PostgreSQL groups the jobs' facts by customer, hashing (_grouped); SQLite, which would sort them,
    looks each customer up in an index instead (_looked_up), as fast there as the grouping is here."""
    spans = [f.span]
    for _ in range(periods):
        spans.append(spans[-1].previous())
    bounds = [f.bounds(span) for span in spans]
    query = _grouped(f, bounds, periods) if dialect() == "postgresql" else _looked_up(f, bounds, periods)
    row = rows(query)[0]
    figures = []
    for n in range(periods):
        served_now, previous, returned, repeat, followed_up = row[5 * n : 5 * n + 5]
        lost_ones = lost_customers(f, bounds[n]) if lost else 0
        figures.append(CustomerFigures(served_now, previous, returned, repeat, lost_ones, followed_up, due))
    return figures


def _grouped(f: QualityFilter, bounds: list[tuple[datetime, datetime]], periods: int):
    """The jobs' facts the filter counts in the spans are grouped by customer, once (a hash of 8,000
    customers rather than 24,000 look-ups); whether a customer of a period was served before it is
    looked up (ix_quality_job_facts_customer) for that period's customers only; the periods'
    follow-ups are grouped by customer like the jobs, and joined."""
    table, earlier = facts(), facts().alias("earlier")
    start = table.c.scheduled_start
    served = [
        func.max(case((and_(start >= begin, start < end), 1), else_=0)).label(f"served_{n}")
        for n, (begin, end) in enumerate(bounds)
    ]
    customers = (
        select(table.c.customer_id.label("id"), *served)
        .where(*facts_done(table, f, (bounds[-1][0], bounds[0][1])))
        .group_by(table.c.customer_id)
        .subquery()
    )
    followed = (
        select(
            FollowUp.customer_id.label("id"),
            *[
                func.max(case((and_(FollowUp.done_at >= start, FollowUp.done_at < end), 1), else_=0)).label(
                    f"followed_{n}"
                )
                for n, (start, end) in enumerate(bounds[:periods])
            ],
        )
        .where(FollowUp.done_at >= bounds[periods - 1][0], FollowUp.done_at < bounds[0][1])
        .group_by(FollowUp.customer_id)
        .subquery()
    )
    columns = []
    for n in range(periods):
        now, before = customers.c[f"served_{n}"] == 1, customers.c[f"served_{n + 1}"] == 1
        served_earlier = (
            select(earlier.c.job_id)
            .where(earlier.c.customer_id == customers.c.id, earlier.c.scheduled_start < bounds[n][0])
            .exists()
        )
        columns += [
            func.count(case((now, 1))),
            func.count(case((before, 1))),
            func.count(case((and_(now, before), 1))),
            func.count(case((now, case((served_earlier, 1))))),  # looked up for this period's only
            func.count(case((and_(now, followed.c[f"followed_{n}"] == 1), 1))),
        ]
    return select(*columns).select_from(customers.outerjoin(followed, followed.c.id == customers.c.id))


def _looked_up(f: QualityFilter, bounds: list[tuple[datetime, datetime]], periods: int):
    """Each customer is looked up once for each span: served in it or not, an index seek
    (ix_jobs_customer_start) rather than grouping the spans' jobs. Whether a customer of a period
    was served before it at all, or followed up in it, is looked up the same way."""
    served = [_served(f, start, end).label(f"served_{n}") for n, (start, end) in enumerate(bounds)]
    # OFFSET 0 keeps the flags a subquery, so that each is looked up once a customer rather than again
    # wherever the outer query uses it (both databases would otherwise inline it).
    flags = select(Customer.id.label("id"), *served).offset(0).subquery()
    columns = []
    for n in range(periods):
        now, before = flags.c[f"served_{n}"], flags.c[f"served_{n + 1}"]
        start, end = bounds[n]
        served_earlier = (
            select(Job.id)
            .where(Job.customer_id == flags.c.id, Job.status == Status.COMPLETED, Job.scheduled_start < start)
            .exists()
        )
        followed = (
            select(FollowUp.id)
            .where(FollowUp.customer_id == flags.c.id, FollowUp.done_at >= start, FollowUp.done_at < end)
            .exists()
        )
        columns += [
            func.count(case((now, 1))),
            func.count(case((before, 1))),
            func.count(case((and_(now, before), 1))),
            func.count(case((and_(now, served_earlier), 1))),
            func.count(case((and_(now, followed), 1))),
        ]
    return select(*columns)


def _served(f: QualityFilter, start, end):
    """Whether the customer (of the enclosing query) had a job done between start and end."""
    return select(Job.id).where(Job.customer_id == Customer.id, *jobs_done(f, (start, end))).exists()


def lost_customers(f: QualityFilter, bounds: tuple[datetime, datetime]) -> int:
    """Customers whose 90 days after a complaint ended in this period without a job booked in them:
    of the complaints the filter counts (about its service, put down to its worker).

    For each complaint concerned (received 90 days before the period) the customer's first job booked
    after it is looked up (ix_jobs_customer_start); the customer is lost when there is none, or
    it came more than 90 days after.
    """
    start, end = bounds
    window = timedelta(days=rules.LOST_AFTER_DAYS)
    next_job = (
        select(func.min(Job.scheduled_start))
        .where(
            Job.customer_id == Complaint.customer_id,
            Job.status != Status.CANCELLED,
            Job.scheduled_start > Complaint.received_at,
        )
        .scalar_subquery()
    )
    complained = rows(
        select(Complaint.customer_id, Complaint.received_at, next_job).where(
            *complaint_scope(f, (start - window, end - window))
        )
    )
    return len({customer for customer, received, at in complained if at is None or at > received + window})
