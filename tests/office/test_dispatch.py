"""The back office: dispatch with its rules (hours, certificates, double booking, series, quotes)."""

from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from hk.domain.clock import local_today
from hk.extensions import db
from hk.models import Event, Job
from tests.builders import PASSWORD, make_customer, make_job, make_user, service_type
from tests.conftest import post_form
from tests.office.helpers import TZ, tomorrow


def _job_form(customer, worker=None, day=None, start="09:00", end="12:00", **extra):
    st = service_type("daily_cleaning")
    data = {
        "customer": customer.id,
        "service_type": st.id,
        "day": str(day or tomorrow()),
        "start": start,
        "end": end,
        "worker": worker.id if worker else 0,
        "repeat": "none",
        "count": "1",
        "area_m2": "90",
    }
    data.update(extra)
    return data


def test_create_a_job_for_tomorrow_with_a_quote_and_assign_it(client, office):
    customer, worker = make_customer(), make_user("worker")
    response = office("/office/jobs/new", _job_form(customer, worker))
    assert response.status_code == 303
    job = db.session.scalar(select(Job))
    assert job.worker_id == worker.id and job.template_snapshot["version"] == 1
    assert sum(line.amount for line in job.quote_lines) > 0
    assert job.number.startswith(f"HK{tomorrow():%Y%m%d}-")


def test_an_end_before_the_start_is_refused(client, office):
    response = office("/office/jobs/new", _job_form(make_customer(), start="12:00", end="09:00"))
    assert response.status_code == 422 and "结束时间必须晚于开始时间" in response.get_data(as_text=True)
    assert not db.session.scalar(select(func.count(Job.id)))


def test_an_uncertified_worker_is_refused_with_the_reason(client, office):
    worker = make_user("worker", certified=False)
    response = office("/office/jobs/new", _job_form(make_customer(), worker))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "不能接这个工单" in body and "缺少健康证" in body
    assert not db.session.scalar(select(func.count(Job.id)))


def test_a_certificate_expiring_before_the_jobs_day_is_refused(client, office):
    worker = make_user("worker")
    health = next(c for c in worker.certificates if c.kind == "health")
    health.valid_until = local_today(TZ)
    db.session.commit()
    response = office("/office/jobs/new", _job_form(make_customer(), worker, day=tomorrow()))
    assert response.status_code == 422 and "健康证已于" in response.get_data(as_text=True)


def test_a_double_booked_worker_is_refused_and_reassignment_works(client, office):
    worker, other = make_user("worker"), make_user("worker")
    office("/office/jobs/new", _job_form(make_customer(), worker, start="09:00", end="12:00"))
    response = office("/office/jobs/new", _job_form(make_customer(), worker, start="11:00", end="13:00"))
    assert response.status_code == 422 and "已有工单" in response.get_data(as_text=True)
    office("/office/jobs/new", _job_form(make_customer(), None, start="11:00", end="13:00"))
    second = db.session.scalars(select(Job).order_by(Job.id)).all()[-1]
    refused = office(f"/office/jobs/{second.id}/assign", {"worker": worker.id})
    assert refused.status_code == 409 and "已有工单" in refused.get_data(as_text=True)
    assert office(f"/office/jobs/{second.id}/assign", {"worker": other.id}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Job, second.id).worker_id == other.id


def test_cancel_needs_a_reason(client, office):
    job = make_job(make_user("worker"))
    assert office(f"/office/jobs/{job.id}/cancel", {"reason": ""}).status_code == 422
    assert office(f"/office/jobs/{job.id}/cancel", {"reason": "客户改期"}).status_code == 303
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "cancelled" and job.cancel_reason == "客户改期"


def test_a_weekly_series_is_created_and_each_week_checked(client, office):
    worker = make_user("worker")
    response = office("/office/jobs/new", _job_form(make_customer(), worker, repeat="weekly", count="4"))
    assert response.status_code == 303
    jobs = db.session.scalars(select(Job).order_by(Job.scheduled_start)).all()
    assert len(jobs) == 4 and len({j.series_key for j in jobs}) == 1
    assert [(b.scheduled_start - a.scheduled_start).days for a, b in pairwise(jobs)] == [
        7,
        7,
        7,
    ]
    week = client.get(f"/office/schedule?view=week&day={tomorrow()}").get_data(as_text=True)
    assert worker.display_name in week


def _quote_fields(lines, changed=None) -> dict:
    """The quote form as the browser sends it; changed maps a line to its (quantity, price)."""
    data = {}
    for n, line in enumerate(lines):
        qty, price = (changed or {}).get(line.id, (str(line.quantity), str(line.unit_price)))
        data.update(
            {f"lines-{n}-line_id": line.id, f"lines-{n}-quantity": qty, f"lines-{n}-unit_price": price}
        )
    return data


@pytest.mark.parametrize("value", ["-5", "abc", "1.234", "NaN", ""])
def test_a_negative_or_non_numeric_quote_price_is_refused(client, office, value):
    job = make_job(make_user("worker"))
    line = job.quote_lines[0]
    response = office(
        f"/office/jobs/{job.id}/quote",
        {**_quote_fields(job.quote_lines, {line.id: ("2", value)}), "reason": "客户要求"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "价格必须是不小于0的数字" in body
    assert f"报价项“{line.name_zh}”" in body  # the line is named
    db.session.expire_all()
    assert db.session.get(type(line), line.id).unit_price == line.unit_price


def test_a_quote_adjustment_needs_a_reason_and_is_logged(client, office):
    job = make_job(make_user("worker"))
    line = job.quote_lines[0]
    data = _quote_fields(job.quote_lines, {line.id: ("4", "55.00")})
    assert office(f"/office/jobs/{job.id}/quote", data).status_code == 422
    assert office(f"/office/jobs/{job.id}/quote", {**data, "reason": "面积比预计大"}).status_code == 303
    db.session.expire_all()
    line = db.session.get(type(line), line.id)
    assert (line.quantity, line.unit_price, line.amount) == (
        Decimal("4"),
        Decimal("55.00"),
        Decimal("220.00"),
    )
    assert (
        db.session.scalar(select(Event).where(Event.action == "quote.adjust")).data["reason"]
        == "面积比预计大"
    )


def test_the_assigned_worker_sees_the_new_job(app, client, office):
    worker = make_user("worker")
    today = local_today(TZ)
    office(
        "/office/jobs/new",
        _job_form(make_customer(name="新派客户"), worker, day=today, start="20:00", end="22:00"),
    )
    phone = app.test_client()
    post_form(phone, "/login", {"username": worker.username, "password": PASSWORD})
    assert "新派客户" in phone.get("/today").get_data(as_text=True)
