"""Customers over time: retention, repeat and lost customers, and follow-up coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import distinct, func, select

from hk.aftersales.followups import due_customers
from hk.domain import quality as rules
from hk.domain.quality import share
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Complaint, FollowUp, Job
from hk.quality.filters import QualityFilter
from hk.quality.sql import jobs_done


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
    start, end = f.bounds()
    this = select(Job.customer_id).where(*jobs_done(f)).distinct()
    before = select(Job.customer_id).where(*jobs_done(f, f.bounds(f.span.previous()))).distinct()
    served = db.session.scalar(select(func.count()).select_from(this.subquery())) or 0
    previous = db.session.scalar(select(func.count()).select_from(before.subquery())) or 0
    returned = db.session.scalar(
        select(func.count()).select_from(before.where(Job.customer_id.in_(this)).subquery())
    )
    earlier = select(Job.customer_id).where(Job.status == Status.COMPLETED, Job.scheduled_start < start)
    repeat = db.session.scalar(
        select(func.count()).select_from(this.where(Job.customer_id.in_(earlier)).subquery())
    )
    followed = db.session.scalar(
        select(func.count(distinct(FollowUp.customer_id))).where(
            FollowUp.done_at >= start, FollowUp.done_at < end, FollowUp.customer_id.in_(this)
        )
    )
    due = due_customers(f.tz, page=1)[0].total or 0
    return CustomerFigures(served, previous, returned or 0, repeat or 0, _lost(f), followed or 0, due)


def _lost(f: QualityFilter) -> int:
    """Customers whose 90 days after a complaint ended in this period without a job booked in them.

    The complaints concerned are few (those received 90 days before the period), so their customers'
    later jobs are read and compared here.
    """
    start, end = f.bounds()
    window = timedelta(days=rules.LOST_AFTER_DAYS)
    complained = db.session.execute(
        select(Complaint.customer_id, Complaint.received_at).where(
            Complaint.received_at >= start - window, Complaint.received_at < end - window
        )
    ).all()
    if not complained:
        return 0
    customers = {customer for customer, _ in complained}
    later_jobs: dict[int, list] = {}
    for customer, at in db.session.execute(
        select(Job.customer_id, Job.scheduled_start).where(
            Job.customer_id.in_(customers),
            Job.status != Status.CANCELLED,
            Job.scheduled_start >= min(at for _, at in complained),
        )
    ):
        later_jobs.setdefault(customer, []).append(at)
    lost = set()
    for customer, received in complained:
        if not any(received < at <= received + window for at in later_jobs.get(customer, [])):
            lost.add(customer)
    return len(lost)
