"""Follow-ups (回访): who is due this quarter, resolved complaints to call, recording one once."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hk.aftersales import cases
from hk.domain.complaints import CaseAction, Category, Channel
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Event, FollowUp, Rating, utcnow
from tests.builders import make_customer, make_job, make_user
from tests.conftest import csrf_token
from tests.test_concurrency import _at_once, _client_for, _twin


def _served(customer, days_ago: int):
    """A job done for the customer some days ago (completed directly: walking it is tested elsewhere)."""
    job = make_job(make_user("worker"), customer=customer, start=utcnow() - timedelta(days=days_ago))
    job.status = Status.COMPLETED
    db.session.commit()
    return job


@pytest.fixture
def office(client, login):
    supervisor = login("supervisor")
    token = csrf_token(client, "/office/follow-ups")

    def post(path, data=None):
        return client.post(path, data={"csrf_token": token, **(data or {})})

    post.user = supervisor
    return post


def _record(office, customer, key="f-1", case=None, **data):
    form = {"channel": "call", "satisfied": "yes", "score": "5", "notes": "很满意", "client_key": key, **data}
    query = f"?case={case.id}" if case else ""
    return office(f"/office/customers/{customer.id}/follow-ups/new{query}", form)


def test_the_quarter_list_shows_who_is_due_and_not_who_is_done_or_gone(client, office):
    due = make_customer(name="王阿姨")
    _served(due, 10)
    done = make_customer(name="李先生")
    _served(done, 20)
    gone = make_customer(name="赵女士")
    _served(gone, 400)
    assert _record(office, done).status_code == 303
    page = client.get("/office/follow-ups").get_data(as_text=True)
    assert "王阿姨" in page and "李先生" not in page and "赵女士" not in page
    assert f'href="/office/customers/{due.id}/follow-ups/new"' in page


def test_a_customer_missed_last_quarter_is_overdue_and_first(client, office):
    recent = make_customer(name="新客户")
    _served(recent, 1)
    old = make_customer(name="老客户")
    _served(old, 200)
    _served(old, 2)
    page = client.get("/office/follow-ups").get_data(as_text=True)
    assert page.index("老客户") < page.index("新客户")
    assert "逾期" in page[page.index("老客户") : page.index("新客户")]


def test_recording_a_follow_up_once_even_on_a_double_tap(client, office):
    customer = make_customer()
    _served(customer, 5)
    first = _record(office, customer)
    again = _record(office, customer)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1
    shown = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "很满意" in shown and f"/office/jobs/new?customer={customer.id}" in shown  # book a job in one step
    events = db.session.scalar(select(func.count(Event.id)).where(Event.action == "follow_up.record"))
    assert events == 1


def test_refusals_keep_what_was_typed(client, office):
    customer = make_customer()
    missing = _record(office, customer, satisfied="", notes="电话没人接后回拨")
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "请说明客户是否满意" in body and "电话没人接后回拨" in body
    tampered = _record(office, customer, score="9", key="f-2")
    assert tampered.status_code == 422
    assert db.session.scalar(select(func.count(FollowUp.id))) == 0


def test_a_resolved_complaint_waits_for_its_follow_up_until_one_is_recorded(client, office):
    customer = make_customer(name="周女士")
    case = cases.open_case(
        customer=customer,
        job=None,
        channel=Channel.PHONE,
        category=Category.ATTITUDE,
        description="态度不好",
        client_key="c1",
        actor=office.user,
    )
    cases.reply(case, office.user, "抱歉", "r1")
    cases.act(case, CaseAction.RESOLVE, office.user, root_cause="沟通", now=utcnow() - timedelta(days=9))
    page = client.get("/office/follow-ups").get_data(as_text=True)
    listed = page[page.index('data-testid="case-follow-ups"') :]
    assert case.number in listed and "逾期" in listed[: listed.index("</ul>")]
    assert _record(office, customer, case=case).status_code == 303
    page = client.get("/office/follow-ups").get_data(as_text=True)
    assert case.number not in page
    assert db.session.scalar(select(FollowUp.complaint_id)) == case.id
    other = make_customer()
    assert _record(office, other, key="x", case=case).status_code == 404  # another customer's case


def test_the_customer_page_shows_ratings_complaints_and_follow_ups(client, office):
    customer = make_customer()
    job = _served(customer, 3)
    db.session.add(Rating(job_id=job.id, customer_id=customer.id, overall=2, comment="窗户没擦"))
    db.session.commit()
    _record(office, customer, satisfied="no", notes="还是觉得窗户不干净")
    page = client.get(f"/office/customers/{customer.id}").get_data(as_text=True)
    history = page[page.index('data-testid="aftersales-history"') :]
    assert "窗户没擦" in history and "还是觉得窗户不干净" in history and "不满意" in history


@pytest.mark.usefixtures("app")
def test_two_identical_follow_ups_at_the_same_instant_make_one(app):
    supervisor = make_user("supervisor")
    customer = make_customer()
    client = _client_for(app, supervisor)
    token = csrf_token(client, "/office/follow-ups")
    form = {"csrf_token": token, "channel": "visit", "satisfied": "yes", "client_key": "same-tap"}
    path = f"/office/customers/{customer.id}/follow-ups/new"
    twin = _twin(app, client)
    answers = _at_once([lambda: client.post(path, data=form), lambda: twin.post(path, data=form)])
    assert [a.status_code for a in answers] == [303, 303]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(FollowUp.id))) == 1


def test_an_unhappy_follow_up_opens_a_complaint_in_one_step(client, office):
    customer = make_customer()
    _served(customer, 5)
    response = _record(office, customer, satisfied="no", notes="窗户没擦干净")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/complaints/new\?[^"]+)" data-testid="open-complaint"', page).group(1)
    form = client.get(html.unescape(link)).get_data(as_text=True)
    assert '<option selected value="follow_up">' in form and "窗户没擦干净" in form
