"""Four months of the demo company's work, made: customers taken on, jobs booked, worked through,
signed, rated on the customer's link, reviewed by a supervisor, followed up every quarter.

Everything goes through hk's services in the order it happened (hk.demo_clock.Timeline), each at
its moment: the office books through dispatch (`add_jobs`: the window, certificate and overlap
gates), the customer signs through `finish`, rates through `ratings.rate`, supervisors review with
`records.review` and correct with `records.correct_record`, follow-ups are kept by `followups.record`.
Only a worker's taps on the phone are written as the rows and events they leave (hk.demo_jobs), since
a few hundred jobs of forty-odd ticks each would take minutes through the job screens' services.

The records of these jobs (how they are made, and why this way): each signed job gets its pending
record in the signing transaction, as always, and its task is put on the queue right after, in the
order the jobs were signed. Rendering a record costs about half a second of CPU, so making some 250
in the seed would take minutes; instead the seed stays a few seconds long and the queue worker that
`make run` starts beside the web server makes them in its first minute or two, one after the other,
linking each into the archive chain (`flask hk retry-records` makes them at once, without a worker).
A record row is therefore dated when the seed made it (hk.demo_clock), not when its job was signed:
"pending for more than two minutes after its row was made" is what hk shows as a stuck record, and
these are not stuck, only being made. Their emails were sent when the jobs were signed (queued at the
signing moment, as the queue would have after making the record then): the queue finds them queued
already and emails nobody about work of months ago.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from hk.aftersales import followups, ratings
from hk.aftersales.ratings import Scores
from hk.demo_clock import Timeline
from hk.demo_customers import AREAS, MONTHS_CUSTOMERS, SIGNERS
from hk.demo_incidents import INCIDENTS, close_incident, pick_incident_jobs, report_incident
from hk.demo_jobs import sign, work_through
from hk.demo_plan import REGULARS, Planned, plan_months
from hk.demo_ratings import plan_ratings
from hk.domain.clock import local_datetime, local_today
from hk.domain.dispatch import Repeat
from hk.domain.feedback import Aspect, FollowUpChannel, quarter_bounds, quarter_of
from hk.extensions import db
from hk.mail import notices
from hk.mail.service import queue_safely
from hk.models import Customer, Job, ServiceRecord, ServiceType, User
from hk.office import dispatch_service
from hk.office.service import save_customer
from hk.queue import enqueue, make_record
from hk.records import service as records

VALUABLES = [
    "卧室梳妆台上有首饰盒，请勿移动",
    "书房的瓷花瓶请勿擦拭",
    "客厅钢琴只擦外壳",
    "抽屉里有现金，请勿打开",
]
REMARKS = [
    "客户满意",
    "已按要求关好阳台门窗",
    "垃圾已带走",
    "钥匙已交还物业前台",
    "客户验收后签字",
    "已提醒客户地面未干，注意防滑",
    "",
]
SEND_BACK = [
    ("交接照片里看不到阳台，请保洁员说明阳台是否已清洁。", "已电话与保洁员核实，阳台已清洁，客户也已确认。"),
    ("实际用时比预约多出二十多分钟，请说明原因。", "客户临时加做冰箱内部清洁，已与客户确认，不另收费。"),
    ("签字人与客户档案姓名不一致，请核实。", "签字人为客户家属，已电话与客户本人确认。"),
]
CORRECTION = "客户档案中的门牌号有误（应为{room}室），已更正客户档案，按正确地址重新生成记录。"
FOLLOW_UP_NOTES = [
    (True, 5, "客户对保洁员很满意，希望继续由同一位阿姨服务"),
    (True, 4, "总体满意，希望厨房台面再仔细一些"),
    (True, 5, "客户表示服务准时，价格透明"),
    (True, 4, "满意；建议换季时做一次深度保洁"),
    (False, 3, "客户觉得上次时间有点赶，希望预约时长延长半小时"),
]


class Months:
    """The demo's past 17 weeks: planned at once, then made on the timeline, in order."""

    def __init__(
        self,
        users: dict[str, User],
        customers: list[Customer],
        now: datetime,
        tz: str,
        timeline: Timeline,
        fixed: list[Planned],
    ) -> None:
        # Ids, not rows: each action on the timeline reads the rows it needs.
        self.user_ids = {name: user.id for name, user in users.items()}
        self.now, self.tz, self.timeline = now, tz, timeline
        self.today = local_today(tz, now)
        count = len(customers) + len(MONTHS_CUSTOMERS)
        reserved = [(p.day, p.worker, p.start, p.service) for p in fixed]
        plan, self.calendar, self.rng = plan_months(self.today, count, reserved)
        self.plan = sorted(plan + fixed, key=lambda p: (p.day, p.start, p.worker))
        self.customer_ids: list[int | None] = [c.id for c in customers] + [None] * len(MONTHS_CUSTOMERS)
        self.languages = [lang for _signer, lang in SIGNERS]
        self.addresses: dict[int, str] = {}  # customers first entered with a mistake, and the right address

    # --- when things happen ------------------------------------------------------------------

    def start_of(self, job: Planned) -> datetime:
        return local_datetime(job.day, *job.start, self.tz)

    def signed_at(self, job: Planned) -> datetime:
        """When the customer signed: the booked start, the lateness, the work and its overrun, the review."""
        return self.start_of(job) + timedelta(minutes=job.late + job.minutes + job.over + 4)

    def later(self, when: datetime, action, *args) -> bool:
        """Put an action on the timeline when it happened before the seed's present; False when not."""
        if when >= self.now:
            return False
        self.timeline.at(when, action, *args)
        return True

    def actor(self, name: str) -> User:
        return db.session.get(User, self.user_ids[name])

    def customer(self, n: int) -> Customer:
        return db.session.get(Customer, self.customer_ids[n])

    # --- planning what the complaints (hk.demo_cases) have not --------------------------------

    def prepare(self) -> None:
        """Ratings, reviews, incidents and follow-ups for the plan, and the timeline's first entries."""
        pick_incident_jobs(self.plan, self.today)
        plan_ratings(self.plan, self.today, self.languages, self.rng)
        self._plan_reviews()
        first_booking: dict[int, datetime] = {}
        for run in self._runs():
            booked = self._booking_time(run[0])
            self.timeline.at(booked, self._book, run)
            customer = run[0].customer
            if customer >= 5 and (customer not in first_booking or booked < first_booking[customer]):
                first_booking[customer] = booked
        for customer, booked in first_booking.items():
            self.timeline.at(booked - timedelta(minutes=20), self._take_on, customer)
        for job in self.plan:
            self.later(self.signed_at(job), self._work, job)
        self._plan_follow_ups()

    def _plan_reviews(self) -> None:
        """Most records approved within a day or two; a few sent back first, and one of a one-off
        customer's corrected (their address had been typed wrong); the last days' still waiting."""
        older = [j for j in self.plan if (self.today - j.day).days > 12 and not (j.reclean_for or j.case)]
        jobs_of = defaultdict(int)
        for job in self.plan:
            jobs_of[job.customer] += 1
        for job in self.plan:
            job.review = "approve"
        once = [j for j in older if j.customer >= 5 and jobs_of[j.customer] == 1]
        if once:
            corrected = self.rng.choice(once)
            corrected.review = "correct"
            self.addresses[corrected.customer] = MONTHS_CUSTOMERS[corrected.customer - 5]["address"]
            older.remove(corrected)
        for n, job in enumerate(self.rng.sample(older, len(SEND_BACK))):
            job.review, job.extra["review_reason"] = "send_back", n

    # --- the office, the worker and the customer ------------------------------------------------

    def _take_on(self, customer: int) -> None:
        """A new customer entered by the office when they first book."""
        values = dict(MONTHS_CUSTOMERS[customer - 5])
        if customer in self.addresses:  # typed with two digits of the room swapped; corrected later
            street, room = values["address"].removesuffix("室").rsplit("号", 1)
            wrong = room[:-2] + room[-1] + room[-2]
            if wrong == room:
                wrong = room[:-1] + str((int(room[-1]) + 1) % 10)
            values["address"] = f"{street}号{wrong}室"
        self.customer_ids[customer] = save_customer(self.actor("supervisor"), None, values).id

    def _runs(self) -> list[list[Planned]]:
        """The bookings: a regular's series booked up to eight at a time while nothing changes (same
        worker, same time, every week or two); every other job on its own. Re-cleans are booked by
        their complaint."""
        runs: list[list[Planned]] = []
        series: dict[int, list[Planned]] = defaultdict(list)
        for job in self.plan:
            if job.reclean_for:
                continue
            if job.series is None:
                runs.append([job])
            else:
                series[job.series].append(job)
        for number, jobs in sorted(series.items()):
            every = REGULARS[number][5]
            run = [jobs[0]]
            for job in jobs[1:]:
                last = run[-1]
                same = (job.worker, job.start, job.minutes) == (last.worker, last.start, last.minutes)
                if same and every <= 2 and (job.day - last.day).days == 7 * every and len(run) < 8:
                    run.append(job)
                else:
                    runs.append(run)
                    run = [job]
            runs.append(run)
        return runs

    def _booking_time(self, job: Planned) -> datetime:
        days = self.rng.randint(2, 6)
        return local_datetime(
            job.day - timedelta(days=days), self.rng.randint(9, 17), self.rng.choice((0, 20, 40)), self.tz
        )

    def _book(self, run: list[Planned]) -> None:
        first = run[0]
        end_hm = divmod(first.start[0] * 60 + first.start[1] + first.minutes, 60)
        repeat = Repeat.NONE
        if len(run) > 1:
            repeat = Repeat.WEEKLY if (run[1].day - first.day).days == 7 else Repeat.BIWEEKLY
        customer = self.customer(first.customer)
        now = self.timeline.clock.now
        if customer.created_at > now:  # one of today's demo customers, entered when first booked
            customer.created_at = now - timedelta(minutes=20)
        jobs = dispatch_service.add_jobs(
            self.actor("supervisor"),
            customer,
            db.session.scalar(select(ServiceType).where(ServiceType.code == first.service)),
            first.day,
            first.start,
            end_hm,
            self.tz,
            self.actor(first.worker),
            None,
            repeat,
            len(run),
            AREAS[first.customer],
        )
        for planned, job in zip(run, jobs, strict=True):
            planned.job_id = job.id
        db.session.commit()

    def _work(self, job: Planned) -> None:
        """The worker's visit, the customer's signature, the record's task on the queue and its email."""
        row = db.session.get(Job, job.job_id)
        worker = self.actor(job.worker)
        arrived = row.scheduled_start + timedelta(minutes=job.late)
        done = arrived + timedelta(minutes=job.minutes + job.over)
        customer = row.customer
        work_through(
            row,
            worker,
            arrived,
            done,
            valuables=self.rng.choice(VALUABLES) if self.rng.random() < 0.25 else None,
            requests=customer.preferences if self.rng.random() < 0.5 else None,
            remarks=self.rng.choice(REMARKS),
        )
        if job.incident:
            report_incident(row, worker, INCIDENTS[job.incident], arrived, done, self)
        db.session.flush()
        signer, lang = SIGNERS[job.customer]
        record = sign(row, signer, lang, self.timeline.clock.now, refusal=job.extra.get("refusal"))
        self.queue_record(record)
        signed = self.timeline.clock.now
        if job.rating is not None and not job.extra.get("rated_by_case") and not job.extra.get("unrated"):
            self.later(signed + timedelta(hours=job.rating.after_hours), self.rate, job)
        if job.review:
            self._schedule_review(job, signed)

    def queue_record(self, record: ServiceRecord) -> None:
        """The record's task on the queue (made after the seed: see above) and its email, sent now."""
        enqueue(make_record, record.id)
        queue_safely(lambda: [notices.record_ready(record)], f"record {record.id}")
        db.session.commit()

    def rate(self, job: Planned) -> ratings.Rated:
        given = job.rating
        scores = Scores(
            overall=given.overall,
            aspects={Aspect(name): score for name, score in given.aspects.items()},
            recommend=given.recommend,
            comment=given.comment,
        )
        return ratings.rate(db.session.get(Job, job.job_id), scores, now=self.timeline.clock.now)

    # --- the supervisor's review ----------------------------------------------------------------

    def _schedule_review(self, job: Planned, signed: datetime) -> None:
        reviewer = "admin" if self.rng.random() < 0.15 else "supervisor"
        day = local_today(self.tz, signed) + timedelta(days=self.rng.choice((1, 1, 1, 1, 1, 2, 2, 2, 3, 4)))
        while day.weekday() >= 5:  # records are reviewed from Monday to Friday
            day += timedelta(days=1)
        when = local_datetime(day, 9, 0, self.tz) + timedelta(minutes=self.rng.randint(0, 540))
        if job.review == "approve":
            self.later(when, self._review, job, reviewer, True, "")
            return
        if job.review == "correct":
            room = self.addresses[job.customer].rsplit("号", 1)[1].removesuffix("室")
            reason, answer = CORRECTION.format(room=room), ""
        else:
            reason, answer = SEND_BACK[job.extra["review_reason"]]
        self.later(when, self._review, job, "supervisor", False, reason)
        self.later(when + timedelta(hours=20), self._after_send_back, job, answer)

    def _review(self, job: Planned, reviewer: str, approve: bool, reason: str) -> None:
        record = records.current_record(job.job_id)
        records.review(record, self.actor(reviewer), approve=approve, reason=reason)
        record.reviewed_at = self.timeline.clock.now  # review() dates it with the present moment
        db.session.commit()

    def _after_send_back(self, job: Planned, answer: str) -> None:
        if job.review == "correct":
            supervisor = self.actor("supervisor")
            customer = self.customer(job.customer)
            save_customer(supervisor, customer, {"address": self.addresses[job.customer]})
            old = records.current_record(job.job_id)
            new = records.correct_record(old, supervisor, old.review_reason or "")
            self.queue_record(new)
            self.later(
                self.timeline.clock.now + timedelta(hours=3), self._review, job, "supervisor", True, ""
            )
            return
        self._review(job, "supervisor", True, answer)

    # --- follow-ups every quarter (回访) ---------------------------------------------------------

    def _plan_follow_ups(self) -> None:
        """About half of last quarter's customers were called in it; a quarter of this one's so far."""
        served: dict[tuple[int, int], dict[int, Planned]] = defaultdict(dict)
        for job in self.plan:
            served[quarter_of(job.day)].setdefault(job.customer, job)
        this_quarter = quarter_of(self.today)
        for quarter, customers in sorted(served.items()):
            share = 0.25 if quarter == this_quarter else 0.45
            _start, end = quarter_bounds(*quarter)
            for customer, first in sorted(customers.items()):
                if customer == 1 and quarter == this_quarter:  # hk.demo_history calls Mr. Becker
                    continue
                if self.rng.random() >= share:
                    continue
                last = min(end, self.today) - timedelta(days=1)
                span = max((last - first.day).days - 3, 1)
                day = first.day + timedelta(days=3 + self.rng.randrange(span))
                when = local_datetime(day, self.rng.randint(10, 17), self.rng.choice((5, 25, 45)), self.tz)
                self.later(when, self._follow_up, customer, self.rng.choice(FOLLOW_UP_NOTES))

    def _follow_up(self, customer: int, notes: tuple[bool, int, str]) -> None:
        satisfied, score, text = notes
        now = self.timeline.clock.now
        followups.record(
            customer=self.customer(customer),
            by=self.actor("supervisor"),
            channel=FollowUpChannel.CALL if self.rng.random() < 0.8 else FollowUpChannel.MESSAGE,
            satisfied=satisfied,
            score=score,
            notes=text,
            next_step="" if satisfied else "下次预约时长按客户要求调整",
            client_key=f"demo-quarterly-{customer}-{now:%Y%m%d}",
            done_at=now,
        )

    # --- incidents, closed later ------------------------------------------------------------------

    def close_later(self, incident_id: int, when: datetime, key: str) -> None:
        when = max(when, self.timeline.clock.now + timedelta(minutes=10))
        self.later(when, close_incident, incident_id, INCIDENTS[key], self)
