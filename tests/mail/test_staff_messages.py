"""Work email to staff, through a real SMTP server, each in the person's language: a complaint that
becomes theirs, the customer's message on it, 4 hours left to answer (once per case), a breached
clock to every enabled admin (once per clock and reopening, even when the sweep runs twice or twice at
the same instant), and a severe incident to the supervisors and admins. No address: nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hk.aftersales import cases, notify
from hk.domain.complaints import CaseAction
from hk.extensions import db
from hk.mail import staff_notices
from hk.models import Event, Incident, Message, MessageStatus, utcnow
from tests.aftersales.helpers import make_case
from tests.builders import make_customer, make_user
from tests.public.helpers import CustomerPhone, linked_job
from tests.supervise.test_severe_alert import _report
from tests.test_concurrency import _at_once

pytestmark = pytest.mark.xdist_group("alone")  # a mail server in a thread


def _staff(role, email=None, locale=None, enabled=True):
    user = make_user(role, locale=locale, enabled=enabled)
    user.email = email
    db.session.commit()
    return user


def _messages(**where) -> list[Message]:
    db.session.rollback()
    return list(db.session.scalars(select(Message).filter_by(**where).order_by(Message.id)))


def _to(inbox) -> list[str]:
    return [email["To"] for email in inbox.received]


# --- the owner --------------------------------------------------------------------------------


def test_the_owner_is_told_at_opening_and_on_each_assignment_in_their_language(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    wang = _staff("admin", "wang.min@example.com", locale="en")
    case = make_case(wang, owner=li, hours_ago=2)
    [email] = inbox.received
    assert email["To"] == "li.juan@example.com" and email["Subject"] == f"投诉 {case.number} 已指派给您"
    body = email.get_content()
    assert body.startswith(f"{li.display_name}，您好：") and "请在" in body and "前答复客户" in body
    assert f"http://127.0.0.1:5000/complaints/{case.id}" in body and "客户：" in body
    assert email["Content-Language"] == "zh-CN"

    assert cases.assign(case, wang, li) is True
    assert cases.assign(case, wang, li) is False  # a repeat tap: nothing more
    english = inbox.received[1]
    assert english["To"] == "wang.min@example.com"
    assert english["Subject"] == f"Complaint {case.number} is now yours"
    assert english.get_content().startswith("Hello ") and "Answer the customer by" in english.get_content()
    cases.assign(case, li, wang)  # back to Li: a new assignment, a new message
    assert _to(inbox) == ["li.juan@example.com", "wang.min@example.com", "li.juan@example.com"]
    keys = [m.dedupe_key for m in _messages(kind="case_assigned")]
    assignments = db.session.scalars(
        select(Event.id).where(Event.action == "complaint.assign").order_by(Event.id)
    ).all()
    assert keys == [f"case_assigned:{a}" for a in assignments]


def test_nobody_is_emailed_about_a_case_they_took_themselves_or_without_an_address(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    make_case(li, owner=li)  # named themselves
    nameless = _staff("supervisor")  # no address
    case = make_case(li, owner=nameless)
    assert cases.assign(case, li, li) is True  # Li took it themselves
    assert inbox.received == [] and _messages() == []
    assert case.owner_id == li.id


def test_the_owner_reads_what_the_customer_wrote_and_the_reason_for_a_reopening(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    customer = make_customer(name="周女士")  # no address: the customer gets nothing
    job, path = linked_job(customer=customer)
    phone = CustomerPhone(app, path)
    assert phone.report(description="镜子有水印").status_code == 303
    case = db.session.scalar(select(cases.Complaint).where(cases.Complaint.job_id == job.id))
    assert phone.post(f"/cases/{case.id}/reply", {"body": "还有厨房", "client_key": "m0"}).status_code == 303
    assert inbox.received == []  # nobody owns it yet: nobody is told
    cases.assign(case, li, _staff("admin"))
    written = {"body": "下午三点后\n方便接电话", "client_key": "m1"}
    assert phone.post(f"/cases/{case.id}/reply", written).status_code == 303
    assert phone.post(f"/cases/{case.id}/reply", written).status_code == 303  # a double tap
    assert _to(inbox) == ["li.juan@example.com", "li.juan@example.com"]  # assigned, then the message
    wrote = inbox.received[1]
    assert wrote["Subject"] == f"投诉 {case.number}：客户留言"
    assert "周女士 在投诉" in wrote.get_content() and "  下午三点后\n  方便接电话" in wrote.get_content()
    cases.reply(case, li, "好的", "r1")
    cases.act(case, CaseAction.RESOLVE, li, root_cause="沟通不足")
    reopen = {"reason": "镜子又有水印", "client_key": "o1"}
    assert phone.post(f"/cases/{case.id}/reopen", reopen).status_code == 303
    assert len(inbox.received) == 3 and "镜子又有水印" in inbox.received[2].get_content()


# --- the clocks -------------------------------------------------------------------------------


def test_four_hours_left_tells_the_owner_once(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    _staff("admin", "wang.min@example.com")
    due_soon = make_case(li, owner=li, hours_ago=21)
    make_case(li, owner=li, hours_ago=10)  # 14 hours left: nothing yet
    now = utcnow()
    assert len(notify.warn_about_clocks(now)) == 1
    assert notify.warn_about_clocks(now) == []  # the sweep again
    assert notify.warn_about_clocks(now + timedelta(hours=2)) == []  # still due soon: told already
    [email] = inbox.received
    assert email["To"] == "li.juan@example.com"
    assert email["Subject"] == f"投诉 {due_soon.number}：首次响应仅剩不到 4 小时"
    assert f"/complaints/{due_soon.id}" in email.get_content()
    cases.assign(due_soon, _staff("supervisor", "other@example.com"), li)
    assert notify.warn_about_clocks(now + timedelta(hours=1)) == []  # once per case, whoever owns it
    assert [m.dedupe_key for m in _messages(kind="case_warn_first")] == [
        f"case_warn_first:{due_soon.id}:{li.id}"
    ]


def test_four_hours_left_on_a_case_nobody_owns_tells_everyone_who_may_take_it(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    wang = _staff("admin", "wang.min@example.com", locale="en")
    _staff("supervisor", "gone@example.com", enabled=False)
    _staff("supervisor")  # no address
    worker = make_user("worker")
    worker.email = "worker@example.com"
    db.session.commit()
    case = make_case(li, hours_ago=22)
    notify.warn_about_clocks(utcnow())
    assert sorted(_to(inbox)) == ["li.juan@example.com", "wang.min@example.com"]
    english = next(e for e in inbox.received if e["To"] == wang.email)
    assert english["Subject"] == f"Complaint {case.number}: less than 4 hours left to answer"
    assert "Nobody is responsible for it yet." in english.get_content()


def test_an_unanswered_case_past_48_hours_tells_every_enabled_admin_once(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    _staff("admin", "wang.min@example.com")
    _staff("admin", "boss@example.com", locale="en")
    _staff("admin", "former@example.com", enabled=False)
    case = make_case(li, owner=li, hours_ago=49)
    now = utcnow()
    notify.warn_about_clocks(now)
    notify.warn_about_clocks(now + timedelta(minutes=5))
    assert sorted(_to(inbox)) == ["boss@example.com", "wang.min@example.com"]  # not the owner: admins
    subjects = {e["To"]: e["Subject"] for e in inbox.received}
    assert subjects["wang.min@example.com"] == f"投诉 {case.number}：超过 48 小时未答复"
    assert subjects["boss@example.com"] == f"Complaint {case.number}: no answer after 48 hours"
    chinese = next(e for e in inbox.received if e["To"] == "wang.min@example.com").get_content()
    assert f"负责人：{li.display_name}" in chinese and "已超过 48 小时未答复客户" in chinese


def test_a_resolution_breach_is_told_once_per_reopening(app, inbox):
    li = _staff("supervisor")
    wang = _staff("admin", "wang.min@example.com")
    case = make_case(li, owner=li, hours_ago=80)
    received = case.received_at
    cases.reply(case, li, "收到", "r1", now=received + timedelta(hours=1))
    now = utcnow()
    notify.warn_about_clocks(now)
    notify.warn_about_clocks(now)
    [email] = inbox.received
    assert email["Subject"] == f"投诉 {case.number}：超过 72 小时未办结"
    cases.act(case, CaseAction.RESOLVE, li, root_cause="沟通不足", now=now)
    notify.warn_about_clocks(now + timedelta(minutes=5))
    assert len(inbox.received) == 1  # resolved: no clock running
    cases.act(case, CaseAction.REOPEN, wang, reason="客户说还没好", now=now + timedelta(hours=1))
    notify.warn_about_clocks(now + timedelta(hours=70))
    assert len(inbox.received) == 1  # 72 hours from the reopening are not over yet
    notify.warn_about_clocks(now + timedelta(hours=74))
    notify.warn_about_clocks(now + timedelta(hours=75))
    assert len(inbox.received) == 2
    assert [m.dedupe_key for m in _messages(kind="case_breach_resolution")] == [
        f"case_breach_resolution:{case.id}:0:{wang.id}",
        f"case_breach_resolution:{case.id}:1:{wang.id}",
    ]


def test_a_paused_case_is_not_breached(app, inbox):
    li = _staff("supervisor")
    _staff("admin", "wang.min@example.com")
    case = make_case(li, owner=li, hours_ago=80)
    cases.reply(case, li, "收到", "r1", now=case.received_at + timedelta(hours=1))
    cases.act(case, CaseAction.PAUSE, li, reason="客户出差", now=case.received_at + timedelta(hours=2))
    notify.warn_about_clocks(utcnow())
    assert inbox.received == []


def test_two_sweeps_at_the_same_instant_send_each_message_once(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    _staff("admin", "wang.min@example.com")
    _staff("admin", "boss@example.com")
    make_case(li, owner=li, hours_ago=21)  # 4 hours left: Li
    make_case(li, owner=li, hours_ago=50)  # no answer after 48 hours: both admins
    now = utcnow()

    def sweep():
        with app.app_context():
            return notify.warn_about_clocks(now)

    results = _at_once([sweep, sweep, sweep])
    assert sorted(len(ids) for ids in results)[-1] >= 1 and sum(len(ids) for ids in results) == 3
    assert sorted(_to(inbox)) == ["boss@example.com", "li.juan@example.com", "wang.min@example.com"]
    assert len(_messages()) == 3
    assert {m.status for m in _messages()} == {MessageStatus.SENT}


def test_the_queue_runs_the_clock_sweep_every_five_minutes(app, inbox):
    from datetime import datetime

    from hk.queue import sweep_case_clocks

    li = _staff("supervisor", "li.juan@example.com")
    make_case(li, owner=li, hours_ago=21)
    sweep_case_clocks.call_local()
    sweep_case_clocks.call_local()
    assert _to(inbox) == ["li.juan@example.com"]
    assert sweep_case_clocks.s().validate_datetime(datetime(2025, 5, 1, 9, 5))
    assert not sweep_case_clocks.s().validate_datetime(datetime(2025, 5, 1, 9, 7))


# --- severe incidents -------------------------------------------------------------------------


def test_a_severe_incident_emails_the_supervisors_and_admins_once_each(app, inbox):
    li = _staff("supervisor", "li.juan@example.com")
    wang = _staff("admin", "wang.min@example.com", locale="en")
    _staff("supervisor")  # no address
    _staff("admin", "former@example.com", enabled=False)
    incident, phone = _report(app, kind="fire", what="厨房冒烟，已关燃气")
    job = phone.job()
    job.customer.access_notes = "门禁密码 4321#"
    db.session.commit()
    data = {"client_key": "k-fire-severe", "type": "fire", "severity": "severe", "what_happened": "厨房冒烟"}
    assert phone.post("/incidents", data).status_code == 303  # the same report again
    assert sorted(_to(inbox)) == ["li.juan@example.com", "wang.min@example.com"]
    chinese = next(e for e in inbox.received if e["To"] == li.email)
    assert chinese["Subject"] == f"严重突发事件：火灾或冒烟，工单 {job.number}"
    body = chinese.get_content()
    assert "厨房冒烟，已关燃气" in body and f"/jobs/{job.id}/incidents/{incident.id}" in body
    assert "4321" not in body and job.customer.address not in body
    english = next(e for e in inbox.received if e["To"] == wang.email)
    assert english["Subject"] == f"Severe incident: Fire or smoke, job {job.number}"
    assert [m.dedupe_key for m in _messages(kind="incident_alert")] == [
        f"incident_alert:{incident.id}:{li.id}",
        f"incident_alert:{incident.id}:{wang.id}",
    ]


def test_a_moderate_incident_emails_nobody(app, inbox):
    _staff("supervisor", "li.juan@example.com")
    _report(app, severity="moderate")
    assert inbox.received == []


def test_a_mail_problem_never_costs_the_incident(app, inbox, monkeypatch):
    _staff("supervisor", "li.juan@example.com")

    def broken(incident, user):
        raise RuntimeError("a bug in the message")

    monkeypatch.setattr(staff_notices, "severe_incident", broken)
    incident, phone = _report(app)
    assert incident is not None and phone.job().status == "paused"
    alerts = db.session.scalars(select(Event).where(Event.action == "incident.alert")).all()
    assert len(alerts) == 1 and _messages() == [] and inbox.received == []
    assert db.session.scalar(select(Incident.id)) == incident.id
