"""The demo's past: four months of signed jobs, ratings, complaints, follow-ups, incidents and reviews,
whole and believable, the same every time; and the after-sales desk of the last days."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from hk.demo import seed_demo
from hk.demo_history import seed_history
from hk.domain.clock import local_today
from hk.domain.complaints import ClockState, first_response_clock, resolution_clock
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import (
    Complaint,
    Customer,
    Event,
    FollowUp,
    Incident,
    Job,
    Message,
    MessageStatus,
    Rating,
    RecordStatus,
    Remedy,
    RenderStatus,
    ReviewStatus,
    ServiceRecord,
    SignOff,
    User,
    utcnow,
)
from hk.queue import huey
from hk.records.making import make_record, stuck_records
from hk.records.service import verify_chain
from tests.builders import PASSWORD


def _count(model, *where):
    return db.session.scalar(select(func.count(model.id)).where(*where))


def _hours(later, earlier):
    return (later - earlier).total_seconds() / 3600


def test_the_demo_has_four_months_of_work_whole_and_believable(app, queued, client, login):
    """Seeded once (it takes seconds), as after `flask hk seed-demo`: the records waiting for the
    queue. Each part of the past is checked in turn; the records are made last."""
    began = utcnow()
    seed_demo(PASSWORD, app.config["TIMEZONE"], history=True)
    _jobs_signed_each_with_one_current_record(app, began)
    _ratings_wander_from_week_to_week()
    _complaints_answered_and_resolved_mostly_in_time_with_remedies_and_follow_ups()
    _incidents_minor_and_one_severe_taken_in_hand()
    _the_desk_of_the_last_days(app)
    _every_back_office_page_answers_for_the_supervisor_and_the_admin(client, login)
    _the_past_emails_were_sent_then_and_the_records_are_made_in_order()


def _jobs_signed_each_with_one_current_record(seeded, began):
    tz = seeded.config["TIMEZONE"]
    today = local_today(tz)
    done = db.session.scalars(select(Job).where(Job.status == Status.COMPLETED)).all()
    assert 220 <= len(done) <= 290
    days = {local_today(tz, job.scheduled_start) for job in done}
    assert min(days) >= today - timedelta(weeks=18) and max(days) < today
    assert len({(d - min(days)).days // 7 for d in days}) >= 17  # every week has work
    by_weekday = Counter(local_today(tz, job.scheduled_start).weekday() for job in done)
    assert min(by_weekday[d] for d in range(5)) > 2 * by_weekday[6]  # Sundays are quiet
    workers = Counter(job.worker.username for job in done)
    assert set(workers) == {"worker1", "worker2", "worker3"} and min(workers.values()) >= 40
    worker3_last = max(local_today(tz, j.scheduled_start) for j in done if j.worker.username == "worker3")
    assert worker3_last < today - timedelta(days=12)  # not after the health certificate ran out
    customers = Counter(job.customer_id for job in done)
    assert len(customers) >= 30 and sum(1 for n in customers.values() if n >= 8) >= 5
    assert sum(1 for n in customers.values() if n == 1) >= 5  # one-off customers
    late = [(j.checked_in_at - j.scheduled_start).total_seconds() / 60 for j in done]
    on_time = sum(1 for minutes in late if minutes <= 15) / len(late)
    assert 0.8 <= on_time <= 0.97 and max(late) <= 40 and sum(1 for m in late if m > 15) >= 8
    # Every completed job: its checklist done, a sign-off, exactly one current record (and more
    # versions only when a supervisor corrected it).
    signed = set(db.session.scalars(select(SignOff.job_id)))
    current = Counter(
        db.session.scalars(select(ServiceRecord.job_id).where(ServiceRecord.status == RecordStatus.CURRENT))
    )
    for job in done:
        assert job.id in signed and current[job.id] == 1, job.number
        assert job.checked_in_at and job.handover_completed_at and len(job.completions) == len(job.stages)
    assert _count(ServiceRecord, ServiceRecord.status == RecordStatus.SUPERSEDED) >= 1
    # Waiting for the queue, as a record just signed does: none failed, none older than the seed (on a
    # busy machine the seed itself may take longer than the two minutes that make a record "stuck").
    assert not stuck_records(now=began)
    assert _count(ServiceRecord, ServiceRecord.render_status != RenderStatus.PENDING) == 0
    # Reviewed: most approved, a few sent back first, the last days' waiting.
    reviewed = Counter(db.session.scalars(select(ServiceRecord.review_status)))
    assert reviewed[ReviewStatus.APPROVED] >= 200 and 1 <= reviewed[ReviewStatus.PENDING] <= 20
    sent_back = set(db.session.scalars(select(Event.subject_id).where(Event.action == "record.send_back")))
    assert len(sent_back) >= 3
    assert _count(ServiceRecord, ServiceRecord.flag_incident.is_(True)) >= 5
    assert _count(ServiceRecord, ServiceRecord.flag_refused.is_(True)) == 1


def _ratings_wander_from_week_to_week():
    tz = current_app.config["TIMEZONE"]
    jobs = _count(Job, Job.status == Status.COMPLETED)
    ratings = db.session.scalars(select(Rating)).all()
    assert 0.5 <= len(ratings) / jobs <= 0.7
    satisfied = sum(1 for r in ratings if r.overall >= 4)
    assert 0.85 <= satisfied / len(ratings) <= 0.95
    assert sum(1 for r in ratings if r.recommend is not None) / len(ratings) > 0.85
    assert sum(1 for r in ratings if r.quality is not None) / len(ratings) > 0.7
    assert sum(1 for r in ratings if r.overall == 3) >= 4
    low = [r for r in ratings if r.overall <= 2]
    assert 3 <= len(low) <= 8 and all(r.complaint_id is not None for r in low)
    weeks = defaultdict(list)
    for rating in ratings:
        start = local_today(tz, rating.job.scheduled_start)
        weeks[start - timedelta(days=start.weekday())].append(rating.overall >= 4)
    shares = [sum(week) / len(week) for week in weeks.values() if len(week) >= 5]
    assert len(shares) >= 14 and len({round(s, 3) for s in shares}) >= 4  # not a flat line
    assert sum(1 for s in shares if 0.8 <= s <= 0.97) >= len(shares) // 2


def _complaints_answered_and_resolved_mostly_in_time_with_remedies_and_follow_ups():
    now = utcnow()
    cases = db.session.scalars(select(Complaint)).all()
    assert 15 <= len(cases) <= 20
    assert len({c.category for c in cases}) >= 6 and len({c.channel for c in cases}) >= 6
    answered = [_hours(c.first_response_at, c.received_at) for c in cases if c.first_response_at]
    assert sum(1 for h in answered if h <= 24) >= 0.7 * len(answered)
    assert sum(1 for h in answered if 24 < h <= 48) >= 2 and sum(1 for h in answered if h > 48) >= 1
    readings = [resolution_clock(c.facts(), now).state for c in cases if c.resolved_at]
    assert readings.count(ClockState.MET) >= 10 and readings.count(ClockState.LATE) >= 2
    kinds = Counter(r.kind for r in db.session.scalars(select(Remedy)))
    assert set(kinds) == {"reclean", "refund", "compensation", "apology"} and kinds["reclean"] >= 2
    approved = db.session.scalar(select(Event).where(Event.action == "remedy.approve"))
    assert approved is not None and approved.actor.username == "admin"
    recleans = db.session.scalars(select(Remedy).where(Remedy.kind == "reclean")).all()
    assert all(r.reclean_job.status == Status.COMPLETED and r.reclean_job.quote_total == 0 for r in recleans)
    assert any(c.reopen_count for c in cases) and any(c.pauses for c in cases)
    # Follow-ups every month, some after a complaint; and the desk's list of customers due.
    months = Counter((f.done_at.year, f.done_at.month) for f in db.session.scalars(select(FollowUp)))
    assert len(months) >= 4 and min(months.values()) >= 2
    assert _count(FollowUp, FollowUp.complaint_id.is_not(None)) >= 10
    # Each case's timeline happened when the case did, not when the seed ran.
    for case in cases:
        first = db.session.scalar(
            select(func.min(Event.at)).where(Event.subject_type == "complaint", Event.subject_id == case.id)
        )
        assert abs(_hours(first, case.received_at)) < 0.01, case.number
        assert all(reply.created_at >= case.received_at for reply in case.replies)


def _incidents_minor_and_one_severe_taken_in_hand():
    incidents = db.session.scalars(select(Incident)).all()
    assert len(incidents) >= 6
    severe = [i for i in incidents if i.severity == "severe"]
    assert len(severe) == 1 and severe[0].acknowledged_at - severe[0].reported_at < timedelta(minutes=10)
    assert severe[0].evaluation_worked and severe[0].evaluation_change and severe[0].closed_at
    assert all(i.acknowledged_at is not None for i in incidents)
    assert sum(1 for i in incidents if i.closed_at is None) == 1


def _the_past_emails_were_sent_then_and_the_records_are_made_in_order():
    """Nobody is emailed today about work of months ago; the queue makes the records, chained."""
    now = utcnow()
    messages = db.session.scalars(select(Message)).all()
    assert messages and all(m.status == MessageStatus.SENT and m.created_at < now for m in messages)
    records = _count(Message, Message.kind == "record_ready")
    assert records == _count(
        ServiceRecord, ServiceRecord.job.has(Job.customer.has(Customer.email.is_not(None)))
    )
    # The queue holds one task per record, in the order the jobs were signed; make the first dozen.
    waiting = _count(ServiceRecord)
    made = 0
    while made < 12:
        task = huey.dequeue()
        if task.name.endswith("make_record"):
            made += 1
        huey.execute(task)
    db.session.expire_all()
    assert verify_chain() == []
    done = db.session.scalars(
        select(ServiceRecord)
        .where(ServiceRecord.render_status == RenderStatus.DONE)
        .order_by(ServiceRecord.chain_seq)
    ).all()
    assert len(done) == 12 and [r.chain_seq for r in done] == list(range(1, 13))
    signed = [db.session.scalar(select(SignOff.signed_at).where(SignOff.job_id == r.job_id)) for r in done]
    assert signed == sorted(signed)
    assert _count(Message) == len(messages)  # their emails were sent when the jobs were signed
    assert waiting - 12 == _count(ServiceRecord, ServiceRecord.render_status == RenderStatus.PENDING)
    # Every kind of record the past holds can be made and chained: refused, with an incident, in
    # English, a re-clean's, both versions of the corrected one.
    unusual = db.session.scalars(
        select(ServiceRecord.id).where(
            ServiceRecord.render_status == RenderStatus.PENDING,
            ServiceRecord.flag_refused.is_(True)
            | ServiceRecord.flag_incident.is_(True)
            | (ServiceRecord.language == "en")
            | ServiceRecord.job_id.in_(select(Remedy.reclean_job_id))
            | ServiceRecord.job_id.in_(select(ServiceRecord.job_id).where(ServiceRecord.version > 1)),
        )
    ).all()
    assert len(unusual) >= 15
    assert all(make_record(record_id) for record_id in unusual)
    db.session.expire_all()
    assert verify_chain() == [] and _count(ServiceRecord, ServiceRecord.chain_seq.is_not(None)) == 12 + len(
        unusual
    )


def _snapshot(now) -> dict:
    def rows(query):
        return sorted(tuple(str(v) for v in row) for row in db.session.execute(query))

    return {
        "jobs": rows(
            select(
                Job.number, Customer.name, User.username, Job.scheduled_start, Job.checked_in_at, Job.status
            )
            .join(Customer, Job.customer_id == Customer.id)
            .join(User, Job.worker_id == User.id)
        ),
        "ratings": rows(
            select(Rating.overall, Rating.quality, Rating.recommend, Rating.comment, Rating.rated_at)
        ),
        "cases": rows(
            select(
                Complaint.channel,
                Complaint.category,
                Complaint.received_at,
                Complaint.first_response_at,
                Complaint.resolved_at,
                Complaint.status,
                Complaint.description,
            )
        ),
        "follow_ups": rows(select(FollowUp.done_at, FollowUp.score, FollowUp.notes)),
        "incidents": rows(select(Incident.type, Incident.reported_at, Incident.closed_at)),
        "reviews": rows(
            select(ServiceRecord.version, ServiceRecord.review_status, ServiceRecord.reviewed_at)
        ),
        "events": rows(select(Event.action, Event.at, Event.subject_type).where(Event.at < now)),
        "remedies": rows(select(Remedy.kind, Remedy.amount, Remedy.status, Remedy.created_at)),
    }


def test_the_same_past_every_time(app, queued):
    from tests.conftest import _clean

    tz = app.config["TIMEZONE"]
    now = utcnow().replace(microsecond=0)
    snapshots = []
    for _ in range(2):
        seed_demo(PASSWORD, tz)
        users = {u.username: u for u in db.session.scalars(select(User))}
        customers = db.session.scalars(select(Customer).order_by(Customer.id)).all()
        assert seed_history(users, customers, now=now, tz=tz)
        snapshots.append(_snapshot(now))
        huey.storage.flush_all()
        _clean(app)
    assert snapshots[0] == snapshots[1]


def _the_desk_of_the_last_days(seeded):
    now = utcnow()
    by_key = {case.client_key: case for case in db.session.scalars(select(Complaint))}
    low = db.session.scalar(select(Rating).where(Rating.comment == "油烟机内部没有清洗干净，还有油渍。"))
    survey = low.complaint
    assert first_response_clock(survey.facts(), now).state == ClockState.DUE_SOON  # due within hours
    assert first_response_clock(by_key["demo-late"].facts(), now).state == ClockState.MET
    assert resolution_clock(by_key["demo-late"].facts(), now).state == ClockState.BREACHED
    damage = by_key["demo-damage"]
    assert resolution_clock(damage.facts(), now).state == ClockState.MET and damage.status == "closed"
    assert not damage_followed_up(damage)
    assert db.session.scalar(select(FollowUp).where(FollowUp.client_key == "demo-follow-up")) is not None
    # Seeding again adds no second past.
    before = _count(Job)
    seed_demo(PASSWORD, seeded.config["TIMEZONE"], history=True)
    assert _count(Job) == before


def damage_followed_up(case: Complaint) -> bool:
    return _count(FollowUp, FollowUp.complaint_id == case.id) > 0


def _every_back_office_page_answers_for_the_supervisor_and_the_admin(client, login):
    """Every page a supervisor or an admin opens, with every id the demo has of its kind (a sample of
    the records and jobs), answers 200."""
    from tests.demo_pages import back_office_paths

    for username in ("supervisor", "admin"):
        user = login(db.session.scalar(select(User).where(User.username == username)))
        for path in back_office_paths(user.role):
            response = client.get(path)
            assert response.status_code == 200, (username, path, response.status_code)
