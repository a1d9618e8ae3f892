"""Each quality figure counted from hand-made history: what counts, what does not, empty periods."""

from datetime import date, timedelta

from hk.domain.complaints import Category, Channel
from hk.extensions import db
from hk.models import CasePause
from hk.models.records import RecordStatus, ReviewStatus
from hk.quality.customers import customer_figures
from hk.quality.figures import figures
from hk.quality.process import process_figures
from hk.quality.trends import weekly
from hk.quality.workers import worker_rows
from tests.builders import make_customer, make_user
from tests.quality.helpers import at, complaint, days_filter, done_job, month_filter, rate, record

NOV = date(2026, 11, 10)


def test_an_empty_period_has_no_figures_rather_than_zero_percent(app):
    now = figures(month_filter(NOV))
    assert now.jobs == 0
    assert now.satisfaction.satisfaction.satisfied_share is None
    assert now.satisfaction.satisfaction.rated_share is None
    assert now.satisfaction.promoter_score is None
    assert now.complaints.per_hundred_jobs is None and now.complaints.timeliness.response_24h_share is None
    assert now.complaints.median_response_hours is None and now.complaints.remedy_cost == 0
    assert customer_figures(month_filter(NOV)).retention is None
    assert process_figures(month_filter(NOV), 0, NOV).on_time_share is None


def test_satisfaction_counts_ratings_of_the_periods_completed_jobs(app):
    worker, customer = make_user(), make_customer()
    jobs = [done_job(worker, customer, NOV + timedelta(days=n)) for n in range(4)]
    rate(jobs[0], 5, recommend=10, quality=5, punctuality=4)
    rate(jobs[1], 4, recommend=9, quality=3)
    rate(jobs[2], 3, recommend=5)
    october = done_job(worker, customer, date(2026, 10, 20))
    rate(october, 1, recommend=0)  # another month
    s = figures(month_filter(NOV)).satisfaction
    assert (s.satisfaction.rated, s.satisfaction.satisfied, s.satisfaction.records) == (3, 2, 4)
    assert s.satisfaction.satisfied_share == 2 / 3 and s.satisfaction.rated_share == 3 / 4
    assert s.satisfaction.meets(0.9) is False
    assert s.means["overall"] == 4.0 and s.means["quality"] == 4.0 and s.means["punctuality"] == 4.0
    assert s.means["attitude"] is None
    assert s.promoter_score == 100 * (2 - 1) / 3  # two promoters, one detractor, three answers


def test_a_cancelled_or_unfinished_job_is_not_a_job_done(app):
    worker, customer = make_user(), make_customer()
    done_job(worker, customer, NOV)
    unfinished = done_job(worker, customer, NOV)
    unfinished.status = "cleaning"
    db.session.commit()
    assert figures(month_filter(NOV)).jobs == 1


def test_complaint_timeliness_reads_the_clocks_with_their_pauses(app):
    worker, customer = make_user(), make_customer()
    for n in range(10):
        done_job(worker, customer, NOV + timedelta(days=n % 5))
    received = at(NOV, 10)
    complaint(customer, received, answered_after=timedelta(hours=2), resolved_after=timedelta(hours=30))
    complaint(customer, received, answered_after=timedelta(hours=30), resolved_after=timedelta(hours=100))
    paused = complaint(
        customer,
        received,
        answered_after=timedelta(hours=50),
        resolved_after=timedelta(hours=90),
        channel=Channel.EMAIL,
        category=Category.LATENESS,
    )
    db.session.add(
        CasePause(
            complaint_id=paused.id,
            start=received + timedelta(hours=10),
            end=received + timedelta(hours=40),
            reason="客户出差",
        )
    )
    complaint(customer, received, channel=Channel.EMAIL)  # not answered yet
    db.session.commit()
    c = figures(month_filter(NOV)).complaints
    assert c.cases == 4 and c.per_hundred_jobs == 40.0
    t = c.timeliness
    assert (t.answered_within_24h, t.answered_within_48h, t.resolved, t.resolved_within_72h) == (1, 2, 3, 2)
    assert c.median_response_hours == 30.0
    # resolution hours without the paused 30 h: 30, 100 and 60
    assert c.median_resolution_hours == 60.0
    assert dict(c.by_category) == {"cleaning_quality": 3, "lateness": 1}
    email = next(row for row in c.channels if row.channel == "email")
    assert (email.cases, email.in_time, email.median_resolution_hours) == (2, 1.0, 60.0)


def test_complaints_follow_the_worker_responsible_or_else_the_jobs_worker(app):
    ana, bo, customer = make_user(), make_user(), make_customer()
    anas = done_job(ana, customer, NOV)
    complaint(customer, at(NOV, 12), job=anas)
    complaint(customer, at(NOV, 12), job=anas, responsible=bo)  # found to be Bo's doing
    assert figures(month_filter(NOV, worker_id=ana.id)).complaints.cases == 1
    assert figures(month_filter(NOV, worker_id=bo.id)).complaints.cases == 1
    rows = {row.worker.id: row for row in worker_rows(month_filter(NOV), NOV)}
    assert rows[ana.id].complaints == 1 and rows[bo.id].complaints == 1


def test_retention_repeat_and_lost_customers(app):
    worker = make_user()
    kept, gone, new, unhappy = (make_customer() for _ in range(4))
    done_job(worker, kept, date(2026, 10, 5))
    done_job(worker, gone, date(2026, 10, 6))
    done_job(worker, kept, NOV)
    done_job(worker, new, NOV)
    # a complaint 90 days before November's days, and no job since: lost in November
    complaint(unhappy, at(date(2026, 8, 10), 10))
    figures_now = customer_figures(month_filter(NOV))
    assert (figures_now.served, figures_now.previous, figures_now.returned) == (2, 2, 1)
    assert figures_now.retention == 0.5
    assert figures_now.repeat == 1  # "kept" was served before November
    assert figures_now.lost == 1


def test_on_time_starts_records_and_flags(app):
    worker, customer = make_user(), make_customer()
    on_time = done_job(worker, customer, NOV, late_minutes=15)
    late = done_job(worker, customer, NOV, late_minutes=16)
    done_job(worker, customer, NOV, late_minutes=None)  # never checked in: not counted either way
    record(on_time, ReviewStatus.APPROVED)
    record(late, ReviewStatus.SENT_BACK, status=RecordStatus.SUPERSEDED)
    record(late, ReviewStatus.PENDING, flag_missing_photos=True)
    p = process_figures(month_filter(NOV), 3, NOV)
    assert (p.checked_in, p.on_time, p.on_time_share) == (2, 1, 0.5)
    assert (p.records, p.approved, p.sent_back, p.flagged) == (2, 1, 1, 1)
    assert p.flagged_share == 0.5
    rows = {row.worker.id: row for row in worker_rows(month_filter(NOV), NOV)}
    assert rows[worker.id].photo_share == 0.5 and rows[worker.id].sent_back == 1


def test_filters_by_service_and_worker_and_weekly_trend(app):
    ana, bo, customer = make_user(), make_user(), make_customer()
    rate(done_job(ana, customer, date(2026, 11, 2)), 5)  # Monday of week 45
    rate(done_job(bo, customer, date(2026, 11, 3), code="deep_cleaning"), 2)
    rate(done_job(ana, customer, date(2026, 11, 16)), 3)
    assert figures(month_filter(NOV, worker_id=ana.id)).jobs == 2
    deep = figures(
        month_filter(NOV, service_type_id=done_job(bo, customer, NOV, code="deep_cleaning").service_type_id)
    )
    assert deep.jobs == 2 and deep.satisfaction.satisfaction.satisfied == 0
    weeks = {w.monday: w for w in weekly(days_filter(date(2026, 11, 2), date(2026, 11, 22)))}
    assert weeks[date(2026, 11, 2)].rated == 2 and weeks[date(2026, 11, 2)].satisfaction == 0.5
    assert weeks[date(2026, 11, 16)].satisfied == 0
    assert len(weeks) == 12  # a short period is shown against the weeks before it
