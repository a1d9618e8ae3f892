"""The demo company's past, made once: four months of work and what came after it.

`seed_history` tells the past in order on a timeline (hk.demo_clock), through hk's own services:
about 250 jobs over the last 17 weeks, booked, worked through, signed, rated and reviewed
(hk.demo_months), their incidents (hk.demo_incidents), fifteen complaints with their remedies and
follow-ups (hk.demo_cases), and, nearer today, an after-sales desk with something on it: a low
rating's complaint whose first answer is due within hours, a lateness complaint past its 72 hours, a
damage complaint resolved and closed, waiting for its follow-up call, and customers due their
follow-up this quarter. The records of the signed jobs are made by the queue after the seed
(hk.demo_months says why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from hk.aftersales import cases, followups
from hk.demo_cases import Cases
from hk.demo_clock import HistoryClock, Timeline
from hk.demo_months import Months
from hk.demo_plan import Planned, PlannedRating
from hk.domain.clock import local_today
from hk.domain.complaints import CaseAction, Category, Channel, Severity
from hk.domain.feedback import FollowUpChannel
from hk.extensions import db
from hk.models import Complaint, Customer, Event, Job, User, record_event, utcnow

HISTORY_MARK = "demo.history"

# The five jobs the recent after-sales are about: days ago, worker, customer, service, minutes late.
PAST_JOBS = [
    (40, "worker1", 0, "daily_cleaning", -3),
    (20, "worker2", 1, "deep_cleaning", 22),
    (15, "worker1", 1, "daily_cleaning", -6),
    (9, "worker2", 0, "daily_cleaning", 40),
    (3, "worker1", 2, "kitchen_appliance_cleaning", -2),
]
_MINUTES = {"daily_cleaning": 180, "deep_cleaning": 300, "kitchen_appliance_cleaning": 150}


def _past_five(now: datetime, tz: str) -> list[Planned]:
    today = local_today(tz, now)
    jobs = []
    for n, (days_ago, worker, customer, service, late) in enumerate(PAST_JOBS):
        job = Planned(today - timedelta(days=days_ago), (9, 30), _MINUTES[service], worker, customer, service)
        job.late, job.over = late, 5
        job.extra.update(past=n, unrated=n >= 2)
        jobs.append(job)
    first, becker, wu = jobs[0], jobs[1], jobs[4]
    # Mr. Wu's low rating comes three days after his job (hk.demo_history._Recent), counted in its week.
    wu.rating = PlannedRating(2, {"quality": 2}, 3, "油烟机内部没有清洗干净，还有油渍。", 0)
    wu.extra["rated_by_case"] = True
    first.rating = PlannedRating(5, {"quality": 5, "attitude": 5}, 9, "阿姨很细心，厨房擦得很亮", 5)
    becker.rating = PlannedRating(4, {"punctuality": 3}, 8, "Good work, a little late.", 24)
    for job in (first, becker, wu):
        job.rating.aspects = {
            a: job.rating.aspects.get(a) for a in ("quality", "punctuality", "attitude", "price")
        }
    return jobs


class _Recent:
    """The after-sales desk of the last days, on the five past jobs."""

    def __init__(self, months: Months, past: list[Planned], now: datetime) -> None:
        self.months, self.now = months, now
        self.first, self.becker, self.becker_again, self.zhou_late, self.wu = past

    def schedule(self) -> None:
        later, now = self.months.later, self.now
        later(now - timedelta(hours=21), self._low_rating)
        later(now - timedelta(hours=80), self._lateness)
        later(now - timedelta(days=11), self._damage)
        later(now - timedelta(days=2), self._becker_called)

    def _job(self, planned: Planned) -> Job:
        return db.session.get(Job, planned.job_id)

    def _low_rating(self) -> None:
        """A low rating three days after the job, 21 hours ago: its first answer is due in 3 hours."""
        case = self.months.rate(self.wu).opened
        cases.assign(case, self.months.actor("supervisor"), self.months.actor("admin"))

    def _lateness(self) -> None:
        """Lateness by phone, 80 hours ago: answered in time, but not resolved within 72 hours."""
        supervisor, received = self.months.actor("supervisor"), self.months.timeline.clock.now
        job = self._job(self.zhou_late)
        late = cases.open_case(
            customer=job.customer,
            job=job,
            channel=Channel.PHONE,
            category=Category.LATENESS,
            severity=Severity.LOW,
            description="服务人员迟到四十分钟，没有提前打电话。",
            client_key="demo-late",
            actor=supervisor,
            received_at=received,
            owner=supervisor,
            now=received,
        )
        self.months.later(received + timedelta(hours=5), self._late_reply, late.id)
        self.months.later(received + timedelta(hours=6), self._late_investigate, late.id)

    def _late_reply(self, case_id: int) -> None:
        text = "非常抱歉，我们正在核实当天的排班情况，会尽快给您答复。"
        case, supervisor = db.session.get(Complaint, case_id), self.months.actor("supervisor")
        cases.reply(case, supervisor, text, "demo-r1", now=self.months.timeline.clock.now)

    def _late_investigate(self, case_id: int) -> None:
        case, supervisor = db.session.get(Complaint, case_id), self.months.actor("supervisor")
        cases.act(case, CaseAction.INVESTIGATE, supervisor, now=self.months.timeline.clock.now)

    def _damage(self) -> None:
        """Damage by email, 11 days ago, resolved two days later and closed a week after: its
        follow-up call is overdue."""
        months, received = self.months, self.months.timeline.clock.now
        job = self._job(self.becker)
        damage = cases.open_case(
            customer=job.customer,
            job=job,
            channel=Channel.EMAIL,
            category=Category.DAMAGE_OR_LOSS,
            severity=Severity.HIGH,
            description="A glass vase in the study was chipped.",
            client_key="demo-damage",
            actor=months.actor("supervisor"),
            received_at=received,
            owner=months.actor("admin"),
            now=received,
        )
        months.later(received + timedelta(hours=3), self._damage_reply, damage.id)
        months.later(self.now - timedelta(days=9), self._damage_resolved, damage.id)
        months.later(self.now - timedelta(days=2) + timedelta(minutes=4), self._week_passed)

    def _damage_reply(self, case_id: int) -> None:
        text = "We are very sorry. We will replace the vase this week."
        case, admin = db.session.get(Complaint, case_id), self.months.actor("admin")
        cases.reply(case, admin, text, "demo-r2", now=self.months.timeline.clock.now)

    def _damage_resolved(self, case_id: int) -> None:
        case, admin = db.session.get(Complaint, case_id), self.months.actor("admin")
        cases.act(
            case,
            CaseAction.RESOLVE,
            admin,
            root_cause="搬动书桌时未先移开桌面摆件",
            responsible_worker=self._job(self.becker).worker,
            now=self.months.timeline.clock.now,
        )

    def _week_passed(self) -> None:
        """The queue's sweep closes a resolved case the customer has not confirmed within a week."""
        cases.close_resolved(now=self.months.timeline.clock.now)

    def _becker_called(self) -> None:
        """One follow-up this quarter already, so the list shows both kinds of customer."""
        followups.record(
            customer=self._job(self.becker_again).customer,
            by=self.months.actor("supervisor"),
            channel=FollowUpChannel.CALL,
            satisfied=True,
            score=4,
            notes="Happy with the regular cleaning.",
            next_step="",
            client_key="demo-follow-up",
            done_at=self.months.timeline.clock.now,
        )


def seed_history(
    users: dict[str, User], customers: list[Customer], now: datetime | None = None, tz: str | None = None
) -> bool:
    """The demo's past, once per demo database; False when it is already there."""
    if db.session.scalar(select(func.count(Event.id)).where(Event.action == HISTORY_MARK)):
        return False
    now = now or utcnow()
    tz = tz or current_app.config["TIMEZONE"]
    with HistoryClock() as clock:
        timeline = Timeline(clock)
        past = _past_five(now, tz)
        months = Months(users, customers, now, tz, timeline, past)
        complaints = Cases(months)
        complaints.attach()
        months.prepare()
        complaints.schedule()
        _Recent(months, past, now).schedule()
        timeline.run()
        clock.close()
    record_event(None, "system", 0, HISTORY_MARK)
    db.session.commit()
    return True
