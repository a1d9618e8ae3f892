"""The jobs' facts (quality_job_facts) never lie: after the demo company and after each kind of change
to a job, its rating or its records, the table is what computing it afresh from the sources gives,
and the dashboard's figures counted from it are those counted from the sources and by hand."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hk.aftersales.ratings import Scores, rate
from hk.demo import seed_demo
from hk.domain.clock import local_today
from hk.domain.feedback import Aspect
from hk.domain.periods import PeriodKind, Span
from hk.domain.quality import ON_TIME_GRACE_MINUTES, SATISFIED_FROM
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Job, QualityJobFacts, Rating, RecordStatus, ReviewStatus, ServiceRecord, User, utcnow
from hk.models.quality import facts_of, fresh_facts, rebuild
from hk.office import dispatch_service
from hk.quality import tally as tally_module
from hk.quality.counted import count
from hk.quality.figures import by_service, figures
from hk.quality.filters import QualityFilter
from hk.quality.process import process_figures
from hk.quality.sql import Stretches
from hk.quality.trends import trend_weeks, weekly
from hk.quality.workers import worker_rows
from hk.records.service import correct_record, review
from tests.builders import PASSWORD, make_customer, make_job, make_user, service_type
from tests.quality.helpers import done_job, record

pytestmark = pytest.mark.xdist_group("alone")  # the demo company takes seconds; threads in one test


def _table() -> set[tuple]:
    return {tuple(row) for row in db.session.execute(select(QualityJobFacts.__table__)).all()}


def _counted(f: QualityFilter):
    _, starts, end = trend_weeks(f)
    return count(f, Stretches(*f.bounds(), *starts, end), f.previous().bounds())


def _by_hand(f: QualityFilter) -> tuple:
    """The period's jobs done, check-ins, on-time starts, ratings, satisfied, and their records'
    counts, from the ORM objects in Python (no SQL of the figures')."""
    start, end = f.bounds()
    jobs = [
        job
        for job in db.session.scalars(select(Job).where(Job.status == Status.COMPLETED))
        if start <= job.scheduled_start < end
    ]
    ids = {job.id for job in jobs}
    ratings = [r for r in db.session.scalars(select(Rating)) if r.job_id in ids]
    records = [r for r in db.session.scalars(select(ServiceRecord)) if r.job_id in ids]
    current = [r for r in records if r.status == RecordStatus.CURRENT]
    late = [(j.checked_in_at - j.scheduled_start) for j in jobs if j.checked_in_at]
    return (
        len(jobs),
        len(late),
        sum(1 for minutes in late if minutes <= timedelta(minutes=ON_TIME_GRACE_MINUTES)),
        len(ratings),
        sum(1 for r in ratings if r.overall >= SATISFIED_FROM),
        len(current),
        sum(1 for r in current if r.review_status == ReviewStatus.APPROVED),
        sum(1 for r in records if r.review_status == ReviewStatus.SENT_BACK),
        sum(1 for r in current if r.flag_incident or r.flag_refused or r.flag_missing_photos),
        sum(1 for r in current if not r.flag_missing_photos),
    )


def _agree(f: QualityFilter, monkeypatch) -> None:
    """The table is the fresh computation; the figures from it are the figures from the sources."""
    db.session.expire_all()
    assert _table() == fresh_facts(db.session.connection())
    db.session.rollback()
    kept = _counted(f)
    with monkeypatch.context() as patched:  # the same counts over the sources, computed in the query
        patched.setattr(tally_module, "facts", lambda: facts_of().subquery("direct_facts"))
        direct = _counted(f)
    now, today = utcnow(), local_today(f.tz)
    for period in (f, f.previous()):
        assert figures(period, now, kept) == figures(period, now, direct)
        assert process_figures(period, 1, today, kept) == process_figures(period, 1, today, direct)
    assert weekly(f, kept) == weekly(f, direct) and by_service(f, kept) == by_service(f, direct)
    assert [vars(r) for r in worker_rows(f, today, counted=kept)] == [
        vars(r) for r in worker_rows(f, today, counted=direct)
    ]
    jobs, records = kept.jobs.total(*f.bounds()), kept.records.total(*f.bounds())
    assert (
        jobs.jobs,
        jobs.checked_in,
        jobs.on_time,
        jobs.rated,
        jobs.satisfied,
        records.records,
        records.approved,
        records.sent_back,
        records.flagged,
        records.with_photos,
    ) == _by_hand(f)


def test_the_facts_never_lie(app, queued, monkeypatch):
    tz = app.config["TIMEZONE"]
    seed_demo(PASSWORD, tz, history=True)
    today = local_today(tz)
    f = QualityFilter(Span(PeriodKind.CUSTOM, today - timedelta(days=63), today + timedelta(days=1)), tz=tz)
    assert db.session.query(QualityJobFacts).count() > 200
    _agree(f, monkeypatch)

    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    worker1, worker2 = (
        db.session.scalar(select(User).where(User.username == n)) for n in ("worker1", "worker2")
    )
    done = db.session.scalars(
        select(Job)
        .where(Job.status == Status.COMPLETED, Job.scheduled_start >= f.bounds()[0])
        .order_by(Job.id)
    ).all()
    yesterday = utcnow().replace(microsecond=0) - timedelta(days=1)

    # A job worked to its end: checked in (no row yet), then completed (a row).
    job = make_job(worker1, start=yesterday, state=Status.CHECKED_IN)
    _agree(f, monkeypatch)
    job.status = Status.COMPLETED
    db.session.commit()
    assert db.session.get(QualityJobFacts, job.id) is not None
    _agree(f, monkeypatch)
    # Its check-in time corrected (now late), its worker and its service type changed.
    job.checked_in_at = job.scheduled_start + timedelta(minutes=40)
    db.session.commit()
    assert db.session.get(QualityJobFacts, job.id).on_time == 0
    _agree(f, monkeypatch)
    job.worker_id = worker2.id
    db.session.commit()
    job.service_type = service_type("deep_cleaning")
    db.session.commit()
    _agree(f, monkeypatch)
    # Booked elsewhere in time (out of the period): the row follows.
    job.scheduled_start -= timedelta(days=90)
    db.session.commit()
    _agree(f, monkeypatch)
    job.scheduled_start += timedelta(days=90)
    db.session.commit()

    # A scheduled job reassigned and cancelled through the office's services; a completed one undone.
    later = make_job(worker1, start=utcnow() + timedelta(days=3))
    dispatch_service.assign(supervisor, later, worker2, tz)
    dispatch_service.cancel(supervisor, later, "客户取消")
    done[0].status = Status.CANCELLED
    db.session.commit()
    assert db.session.get(QualityJobFacts, done[0].id) is None
    _agree(f, monkeypatch)

    # A rating given, then changed, on the customer's phone; another rating taken away.
    rate(job, Scores(5, {Aspect.QUALITY: 4}, recommend=9))
    _agree(f, monkeypatch)
    rate(job, Scores(3, {Aspect.QUALITY: 2, Aspect.PRICE: 5}, recommend=5))
    assert db.session.get(QualityJobFacts, job.id).recommend == 5
    _agree(f, monkeypatch)
    rated = db.session.scalar(select(Rating).where(Rating.job_id.in_([j.id for j in done])))
    db.session.delete(rated)
    db.session.commit()
    _agree(f, monkeypatch)

    # A record made for the new job, reviewed (approved, then sent back), flagged when rendered.
    made = record(job)
    _agree(f, monkeypatch)
    review(made, supervisor, approve=True)
    _agree(f, monkeypatch)
    review(made, supervisor, approve=False, reason="照片不清楚")
    _agree(f, monkeypatch)
    made.flag_missing_photos, made.flag_incident = True, True
    db.session.commit()
    _agree(f, monkeypatch)
    # A demo job's record corrected: the version before superseded, a new pending one current.
    old = db.session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.job_id == done[1].id, ServiceRecord.status == RecordStatus.CURRENT
        )
    )
    review(old, supervisor, approve=True)
    correct_record(old, supervisor, "地址写错")
    _agree(f, monkeypatch)
    # A record moved to another job (the ORM's change of its job_id): both jobs' rows follow.
    made.job_id = done[2].id
    made.status = RecordStatus.SUPERSEDED
    db.session.commit()
    _agree(f, monkeypatch)

    # The rebuild gives the same table.
    before = _table()
    db.session.execute(QualityJobFacts.__table__.delete())
    assert rebuild(db.session.connection()) == len(before)
    db.session.commit()
    assert _table() == before


def test_a_change_rolled_back_leaves_the_facts_alone(app):
    job = done_job(make_user(), make_customer(), date(2026, 11, 2))
    facts = _table()
    job.checked_in_at = None
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert _table() == facts == fresh_facts(db.session.connection())


def test_a_savepoint_rolled_back_keeps_what_was_noted_before_it(app):
    """A change flushed, then a savepoint undone (making a record queues its email so): the change's
    job is still refreshed at the commit."""
    job = done_job(make_user(), make_customer(), date(2026, 11, 2))
    job.checked_in_at = None
    db.session.flush()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        raise RuntimeError("the email could not be queued")
    db.session.commit()
    assert db.session.get(QualityJobFacts, job.id).checked_in == 0
    assert _table() == fresh_facts(db.session.connection())


def test_two_transactions_changing_one_job_at_once_leave_it_true(app):
    """A rating and a review of the same job committed at the same instant, five times over: the row
    has both each time (on PostgreSQL each change is written before either refreshes the row: without
    the job's row lock in refresh, the one committed last writes a row without the other's change)."""
    job = done_job(make_user(), make_customer(), date(2026, 11, 2))
    made = record(job)
    rate_it = Rating(job_id=job.id, customer_id=job.customer_id, overall=2)
    db.session.add(rate_it)
    db.session.commit()
    ids = (rate_it.id, made.id, job.id)
    db.session.remove()
    postgres = db.engine.dialect.name == "postgresql"
    for overall, review_status in [(5, ReviewStatus.APPROVED), (1, ReviewStatus.PENDING)] * 2 + [
        (4, "approved")
    ]:
        together = threading.Barrier(2, timeout=10)
        errors = []

        def change(what: str, overall=overall, review_status=review_status, together=together, errors=errors):
            try:
                with app.app_context():
                    if what == "rating":
                        db.session.get(Rating, ids[0]).overall = overall
                    else:
                        db.session.get(ServiceRecord, ids[1]).review_status = ReviewStatus(review_status)
                    if postgres:
                        db.session.flush()
                    together.wait()  # SQLite has one writer: the other's flush waits for this commit
                    db.session.commit()
                    db.session.remove()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=change, args=(what,)) for what in ("rating", "review")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        row = db.session.get(QualityJobFacts, ids[2])
        approved = 1 if review_status == ReviewStatus.APPROVED else 0
        assert (row.overall, row.approved) == (overall, approved)
        assert _table() == fresh_facts(db.session.connection())
        db.session.remove()
