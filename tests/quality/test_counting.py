"""The dashboard counts each kind of row once for the period, the period before and the weeks: every
figure taken from that one count is the figure counted on its own."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hk.aftersales.followups import due_count, due_customers
from hk.domain.clock import local_today
from hk.domain.complaints import Channel
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import CasePause, FollowUp, Incident, IncidentSeverity, IncidentType, Job, utcnow
from hk.models.records import RecordStatus, ReviewStatus
from hk.quality.counted import count
from hk.quality.customers import customer_figures, customer_figures_with_previous, lost_customers
from hk.quality.figures import by_service, figures
from hk.quality.process import process_figures
from hk.quality.sql import Stretches, _side_connection, rows, side_by_side
from hk.quality.trends import trend_weeks, weekly
from hk.quality.workers import worker_rows
from tests.builders import make_customer, make_job, make_user
from tests.quality.helpers import TZ, at, complaint, days_filter, done_job, month_filter, rate, record

NOV = date(2026, 11, 10)


def _history():
    """Two months of jobs by two workers in two services, rated, recorded, complained about."""
    ana, bo = make_user(), make_user()
    regular, other = make_customer(), make_customer()
    for n, day in enumerate([date(2026, 10, 2), date(2026, 10, 20), date(2026, 11, 3), date(2026, 11, 17)]):
        job = done_job(ana, regular, day, late_minutes=5 * n)
        rate(job, 5 - n % 3, recommend=10 - 2 * n, quality=4, price=n % 5 + 1)
        record(job, ReviewStatus.APPROVED if n % 2 else ReviewStatus.PENDING, flag_missing_photos=n == 2)
        deep = done_job(bo, other, day + timedelta(days=1), late_minutes=20, code="deep_cleaning")
        record(deep, ReviewStatus.SENT_BACK, status=RecordStatus.SUPERSEDED)
        record(deep)
        if n % 2:
            rate(deep, 2, recommend=3)
    db.session.add(
        Incident(
            job_id=deep.id,
            client_key="i-1",
            type=IncidentType.PROPERTY_DAMAGE,
            severity=IncidentSeverity.MINOR,
            what_happened="打碎花瓶",
            reported_at=at(date(2026, 11, 18), 10),
            acknowledged_at=at(date(2026, 11, 18), 11),
        )
    )
    paused = complaint(
        other, at(NOV, 9), job=deep, answered_after=timedelta(hours=3), resolved_after=timedelta(hours=80)
    )
    db.session.add(CasePause(complaint_id=paused.id, start=at(NOV, 12), end=at(NOV, 20), reason="客户出差"))
    complaint(regular, at(date(2026, 10, 21), 9), responsible=bo, channel=Channel.EMAIL)
    db.session.add(
        FollowUp(customer_id=regular.id, channel="call", satisfied=True, done_at=at(NOV, 15), client_key="f")
    )
    db.session.commit()
    return ana, bo


def _counted(f):
    """What the dashboard counts for a filter: its period cut at the trend's weeks, and the one before."""
    _, starts, end = trend_weeks(f)
    return count(f, Stretches(*f.bounds(), *starts, end), f.previous().bounds())


def test_every_figure_from_the_one_count_is_the_figure_counted_alone(app):
    ana, _ = _history()
    for f in (month_filter(NOV), month_filter(NOV, worker_id=ana.id), days_filter(date(2026, 10, 15), NOV)):
        counted, before = _counted(f), f.previous()
        now = utcnow()
        assert figures(f, now, counted) == figures(f, now)
        assert figures(before, now, counted) == figures(before, now)
        assert process_figures(f, 1, NOV, counted) == process_figures(f, 1, NOV)
        assert process_figures(before, 1, NOV, counted) == process_figures(before, 1, NOV)
        assert weekly(f, counted) == weekly(f)
        assert by_service(f, counted) == by_service(f)
        alone = {row.worker.id: row for row in worker_rows(f, NOV)}
        for row in worker_rows(f, NOV, counted=counted):
            assert vars(row) == vars(alone[row.worker.id])


def test_the_counts_are_the_hand_counted_ones(app):
    ana, bo = _history()
    f = month_filter(NOV)
    now = figures(f, counted=_counted(f))
    assert now.jobs == 4 and now.satisfaction.satisfaction.rated == 3  # Ana's two, Bo's one in November
    assert now.satisfaction.means["price"] == (3 + 4) / 2  # the price scored on Ana's two jobs
    rows = {row.worker.id: row for row in worker_rows(f, NOV, counted=_counted(f))}
    assert (rows[bo.id].records, rows[bo.id].sent_back, rows[bo.id].incidents, rows[bo.id].complaints) == (
        2,
        2,
        1,
        1,
    )
    assert rows[ana.id].on_time == 2 and rows[ana.id].checked_in == 2  # 10 and 15 minutes late


def test_this_and_the_previous_periods_customers_counted_together(app):
    _history()
    f = month_filter(NOV)
    assert customer_figures_with_previous(f) == (customer_figures(f), customer_figures(f.previous()))
    now, then = customer_figures_with_previous(f)
    assert (now.served, now.previous, now.returned, now.repeat, now.followed_up) == (2, 2, 2, 2, 1)
    assert (then.served, then.previous, then.returned, then.repeat) == (2, 0, 0, 0)


def test_the_dashboard_count_carries_both_periods_customers(app):
    _history()
    f = month_filter(NOV)
    _, starts, end = trend_weeks(f)
    counted = count(f, Stretches(*f.bounds(), *starts, end), f.previous().bounds(), customers=True)
    assert counted.customers == (customer_figures(f), customer_figures(f.previous()))
    assert _counted(f).customers is None  # only when asked


def test_counts_side_by_side_each_read_on_a_connection_of_its_own(app):
    """Each count runs in a thread of its own on a connection of its own, sees what was committed, and
    the results come back in the order asked; the request's session is not theirs to use."""
    _history()
    jobs = select(func.count(Job.id))
    together = threading.Barrier(2, timeout=10)  # both counts are running at once

    def counted():
        together.wait()
        return threading.get_ident(), id(_side_connection.get()), rows(jobs)[0][0]

    found = side_by_side(counted, counted)
    (thread_a, conn_a, jobs_a), (thread_b, conn_b, jobs_b) = found
    assert jobs_a == jobs_b == db.session.scalar(jobs) == 8
    assert threading.get_ident() not in (thread_a, thread_b) and conn_a != conn_b
    with pytest.raises(RuntimeError, match="application context"):
        side_by_side(lambda: db.session.scalar(jobs), lambda: None)


def test_a_count_not_asked_for_is_none_and_takes_no_thread(app):
    _history()
    here = threading.get_ident()
    found = side_by_side(None, lambda: threading.get_ident(), None, lambda: threading.get_ident())
    assert found[0] is None and found[2] is None
    assert here not in found[1::2]
    assert side_by_side(None, lambda: threading.get_ident()) == [None, here]  # one count: no thread


def test_a_count_that_fails_side_by_side_fails_the_page(app):
    def broken():
        raise ValueError("broken count")

    with pytest.raises(ValueError, match="broken count"):
        side_by_side(lambda: rows(select(func.count(Job.id))), broken)


def test_a_customer_is_lost_without_a_job_booked_within_90_days_of_a_complaint(app):
    worker = make_user()
    back_in_time, too_late, cancelled, never = (make_customer() for _ in range(4))
    received = at(date(2026, 8, 10), 10)
    for customer in (back_in_time, too_late, cancelled, never):
        complaint(customer, received)
    make_job(worker, back_in_time, start=received + timedelta(days=90))  # the 90th day: not lost
    make_job(worker, too_late, start=received + timedelta(days=90, minutes=1))
    make_job(worker, cancelled, start=received + timedelta(days=3)).status = Status.CANCELLED
    db.session.commit()
    november = month_filter(date(2026, 11, 1))
    assert lost_customers(november, november.bounds()) == 3


def test_lost_customers_follow_the_worker_and_service_filters(app):
    """A customer lost after a complaint about one worker's deep cleaning is that worker's and that
    service's lost customer, not everyone's."""
    ana, bo = make_user(), make_user()
    customer = make_customer()
    received = at(date(2026, 8, 10), 10)
    job = done_job(ana, customer, date(2026, 8, 8), code="deep_cleaning")
    complaint(customer, received, job=job)
    for kw, lost in (
        ({}, 1),
        ({"worker_id": ana.id}, 1),
        ({"worker_id": bo.id}, 0),
        ({"service_type_id": job.service_type_id}, 1),
        ({"service_type_id": job.service_type_id + 1000}, 0),
    ):
        f = month_filter(date(2026, 11, 1), **kw)
        assert lost_customers(f, f.bounds()) == lost, kw


def test_the_follow_ups_due_are_counted_as_the_list_pages_them(app):
    worker = make_user()
    today = local_today(TZ)
    for days_ago, followed in ((10, False), (20, True), (400, False), (30, False)):
        customer = make_customer()
        make_job(worker, customer, start=utcnow() - timedelta(days=days_ago // 2)).status = Status.CANCELLED
        job = make_job(worker, customer, start=utcnow() - timedelta(days=days_ago))
        job.status = Status.COMPLETED
        if followed:
            db.session.add(FollowUp(customer_id=customer.id, channel="call", satisfied=True, client_key="f"))
    db.session.commit()
    assert due_count(TZ, today) == due_customers(TZ, page=1, today=today)[0].total == 2


def test_stretches_cut_time_at_every_instant_and_each_week_is_its_stretches(app):
    start = at(NOV, 0)
    cuts = Stretches(start + timedelta(days=7), start, start + timedelta(days=3), start + timedelta(days=14))
    assert cuts.bounds == (start, start + timedelta(days=14))
    assert list(cuts.within(start, start + timedelta(days=7))) == [0, 1]
    assert cuts.weeks([start, start + timedelta(days=7)], start + timedelta(days=14)) == {0: 0, 1: 0, 2: 1}
