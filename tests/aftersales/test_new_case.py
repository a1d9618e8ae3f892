"""A complaint entered by staff: the customer first, then the job, channel, category, severity, the time
it was received (company time, never in the future) and the person responsible (staff only)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Complaint, Event, utcnow
from tests.aftersales.helpers import Desk, key_of
from tests.builders import make_customer, make_job, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(dt: datetime) -> str:
    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def _form(desk, customer, **overrides):
    page = desk.get(f"/complaints/new?customer={customer.id}").get_data(as_text=True)
    data = {
        "customer": customer.id,
        "job": 0,
        "channel": "phone",
        "category": "cleaning_quality",
        "severity": "medium",
        "description": "卫生间玻璃有水印",
        "received_at": _local(utcnow() - timedelta(hours=2)),
        "client_key": key_of(page),
        "owner": re.search(
            r'<select id="owner" name="owner">.*?<option selected value="(\d+)"', page, re.S
        ).group(1),
    }
    data.update(overrides)
    return data


def _count():
    return db.session.scalar(select(func.count(Complaint.id)))


def test_choose_the_customer_by_phone_then_fill_in_the_case(client, login):
    me = login("supervisor")
    customer = make_customer(name="孙女士", phone="13912345678")
    make_customer(name="别的客户", phone="13800000000")
    desk = Desk(client)
    picker = desk.get("/complaints/new?q=1391234").get_data(as_text=True)
    assert "孙女士" in picker and "别的客户" not in picker
    assert f"/complaints/new?customer={customer.id}" in picker
    form = desk.get(f"/complaints/new?customer={customer.id}").get_data(as_text=True)
    assert "孙女士" in form and 'type="datetime-local"' in form
    assert f'<option selected value="{me.id}">' in form  # the person responsible: me, by default
    now_local = datetime.now(UTC).astimezone(SHANGHAI)
    assert f'value="{now_local:%Y-%m-%dT}' in form  # received: now, in the company's zone
    received = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
    response = desk.post(
        "/complaints/new", _form(desk, customer, received_at=_local(received), severity="high")
    )
    assert response.status_code == 303
    case = db.session.scalar(select(Complaint))
    assert response.headers["Location"] == f"/complaints/{case.id}"
    assert case.received_at == received and case.owner_id == me.id and case.created_by_id == me.id
    assert (case.channel, case.severity, case.customer_id) == ("phone", "high", customer.id)
    page = desk.page(case.id)
    assert case.number in page and "卫生间玻璃有水印" in page and "还剩 21 小时" in page


def test_the_job_list_is_the_customers_recent_jobs_and_a_record_page_prefills_it(client, login):
    login("supervisor")
    worker = make_user("worker")
    job = make_job(worker, state="awaiting_signature", photos=False)
    other = make_job(worker)
    desk = Desk(client)
    form = desk.get(f"/complaints/new?customer={job.customer_id}&job={job.id}").get_data(as_text=True)
    chosen = form.split(f'<option selected value="{job.id}">')[1].split("</option>")[0]
    assert job.number in chosen and other.number not in form
    response = desk.post("/complaints/new", _form(desk, job.customer, job=job.id))
    case = db.session.scalar(select(Complaint))
    assert response.status_code == 303 and case.job_id == job.id


def test_a_time_received_in_the_future_is_refused_in_the_persons_language(client, login):
    login("supervisor")
    customer = make_customer()
    desk = Desk(client)
    later = _local(utcnow() + timedelta(hours=2))
    response = desk.post("/complaints/new", _form(desk, customer, received_at=later))
    assert response.status_code == 409
    assert "受理时间不能晚于现在。" in response.get_data(as_text=True)
    assert "卫生间玻璃有水印" in response.get_data(as_text=True)  # what was typed is kept
    login(make_user("supervisor", locale="en"))
    desk = Desk(client)
    response = desk.post("/complaints/new", _form(desk, customer, received_at=later))
    assert response.status_code == 409
    assert "The time received cannot be in the future." in response.get_data(as_text=True)
    assert _count() == 0


@pytest.mark.parametrize("who", ["worker", "disabled", "missing"])
def test_the_person_responsible_must_be_staff(client, login, who):
    login("supervisor")
    owner_id = {
        "worker": lambda: make_user("worker").id,
        "disabled": lambda: make_user("supervisor", enabled=False).id,
        "missing": lambda: 999999,
    }[who]()
    customer = make_customer()
    desk = Desk(client)
    response = desk.post("/complaints/new", _form(desk, customer, owner=owner_id))
    assert response.status_code == 409
    assert "负责人必须是督导或管理员。" in response.get_data(as_text=True)
    assert _count() == 0 and db.session.scalar(select(func.count(Event.id))) == 0


def test_a_job_of_another_customer_is_refused(client, login):
    login("supervisor")
    job = make_job(make_user("worker"))
    customer = make_customer()
    desk = Desk(client)
    response = desk.post("/complaints/new", _form(desk, customer, job=job.id))
    assert response.status_code == 409 and "该工单不属于这位客户。" in response.get_data(as_text=True)
    assert _count() == 0


def test_missing_fields_are_named(client, login):
    login("supervisor")
    customer = make_customer()
    desk = Desk(client)
    response = desk.post("/complaints/new", _form(desk, customer, description="", received_at=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请描述投诉内容。" in body and "请填写收到投诉的时间。" in body
    assert desk.post("/complaints/new", {"customer": "x"}).status_code == 404
    assert _count() == 0


def test_a_double_tap_opens_one_case(client, login):
    login("supervisor")
    customer = make_customer()
    desk = Desk(client)
    data = _form(desk, customer)
    first, second = desk.post("/complaints/new", data), desk.post("/complaints/new", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count() == 1
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "complaint.open")) == 1


def test_the_customer_page_and_a_records_page_offer_a_new_complaint(client, login):
    login("supervisor")
    customer = make_customer()
    page = client.get(f"/office/customers/{customer.id}").get_data(as_text=True)
    assert f"/complaints/new?customer={customer.id}" in page
    job = make_job(make_user("worker"), customer=customer, state="cleaning", photos=False)
    page = client.get(f"/jobs/{job.id}/record").get_data(as_text=True)
    assert f"/complaints/new?customer={customer.id}&amp;job={job.id}" in page
