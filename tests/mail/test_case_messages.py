"""The customer's email about their complaint, through a real SMTP server: the receipt, each reply
they may read (never an internal note), resolved, closed, reopened — each once, in their language,
with their link. No address: nothing queued, nothing broken. A mail problem never costs the change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from hk.aftersales import cases, notify
from hk.domain.complaints import CaseAction, CaseStatus
from hk.extensions import db
from hk.mail import case_notices
from hk.models import CaseReply, Complaint, Event, Message, MessageStatus, utcnow
from hk.records.links import LinkState, latest_link, link_for_token
from tests.builders import PASSWORD, make_customer, make_user
from tests.conftest import post_form
from tests.mail.test_record_email import _signed
from tests.public.helpers import CustomerPhone, linked_job

pytestmark = pytest.mark.xdist_group("alone")  # a mail server in a thread


def _messages(**where) -> list[Message]:
    db.session.rollback()
    query = select(Message).filter_by(**where).order_by(Message.id)
    return list(db.session.scalars(query))


def _case(job_id: int) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(select(Complaint).where(Complaint.job_id == job_id))


def _link_id(url_or_path: str) -> int:
    """The customer link a URL names (a token is signed with the time, so the same link's tokens differ)."""
    link, state = link_for_token(url_or_path.rsplit("/", 1)[1])
    assert state == LinkState.OK
    return link.id


def _link(body: str, job_id: int) -> str:
    """The one customer link in a message: the job's newest valid link, on hk's public address."""
    [url] = re.findall(r"http\S+/r/\S+", body)
    assert url.startswith(current_app.config["PUBLIC_URL"] + "/r/")
    link, state = link_for_token(url.rsplit("/", 1)[1])
    assert state == LinkState.OK and link.id == latest_link(job_id).id
    return url


def supervisor_client(app, user):
    """A supervisor's browser, logged in."""
    client = app.test_client()
    assert post_form(client, "/login", {"username": user.username, "password": PASSWORD}).status_code == 303
    return client


def _customer_with_a_case(app, email="zhou.li@example.com", lang="zh_CN"):
    """A signed job, its customer's own phone on the link, and a problem reported there."""
    customer = make_customer(name="周女士" if lang == "zh_CN" else "Thomas Becker", email=email)
    job, path = linked_job(customer=customer, lang=lang)
    phone = CustomerPhone(app, path)
    assert phone.report(description="卫生间镜子有水印").status_code == 303
    return job, phone, _case(job.id)


def test_the_whole_case_reaches_the_customer_once_each_in_chinese(app, inbox):
    job, phone, case = _customer_with_a_case(app)
    supervisor = make_user("supervisor")

    [receipt] = inbox.received
    assert receipt["To"] == "zhou.li@example.com"
    assert receipt["Subject"] == f"我们已收到您的投诉 {case.number}"
    body = receipt.get_content()
    assert body.startswith("周女士，您好：") and case.number in body and "24 小时内答复您" in body
    assert _link_id(_link(body, job.id)) == _link_id(phone.path)

    cases.reply(case, supervisor, "内部：先查交接照片", "n1", internal=True)
    cases.reply(case, supervisor, "已电话联系客户", "n2", internal=True, responded_by_phone=True)
    assert len(inbox.received) == 1  # internal notes, even the one that answered by phone, go nowhere

    answer = cases.reply(case, supervisor, "周女士您好，非常抱歉！\n明早九点免费返工。", "r1")
    cases.reply(case, supervisor, "周女士您好，非常抱歉！\n明早九点免费返工。", "r1")  # a double tap
    assert notify.reply_posted(answer) == []  # its message exists: nothing queued again
    assert len(inbox.received) == 2
    reply = inbox.received[1]
    assert reply["Subject"] == f"您的投诉 {case.number} 有新回复"
    body = reply.get_content()
    assert "  周女士您好，非常抱歉！\n  明早九点免费返工。" in body and "— 客服" in body
    assert supervisor.display_name not in body and "先查交接照片" not in body
    _link(body, job.id)

    cases.act(_case(job.id), CaseAction.RESOLVE, supervisor, root_cause="镜面清洁剂用错")
    resolved = inbox.received[2]
    assert resolved["Subject"] == f"您的投诉 {case.number} 已办结，问题解决了吗？"
    body = resolved.get_content()
    assert "请在您的页面上确认" in body and "自动关闭" in body and "镜面清洁剂用错" not in body
    _link(body, job.id)

    assert phone.post(f"/cases/{case.id}/confirm").status_code == 303
    assert phone.post(f"/cases/{case.id}/confirm").status_code == 303  # a double tap
    closed = inbox.received[3]
    assert closed["Subject"] == f"您的投诉 {case.number} 已关闭" and "感谢您的确认" in closed.get_content()

    data = {"reason": "镜子上又有水印了", "client_key": "o1"}
    assert phone.post(f"/cases/{case.id}/reopen", data).status_code == 303
    assert phone.post(f"/cases/{case.id}/reopen", data).status_code == 303  # a double tap
    reopened = inbox.received[4]
    assert reopened["Subject"] == f"您的投诉 {case.number} 已重新打开"
    assert "72 小时内办结" in reopened.get_content()
    _link(reopened.get_content(), job.id)
    cases.act(_case(job.id), CaseAction.RESOLVE, supervisor, root_cause="复查后重新清洁")
    assert inbox.received[5]["Subject"] == f"您的投诉 {case.number} 已办结，问题解决了吗？"  # after reopening

    assert len(inbox.received) == 6
    sent = _messages()
    assert [m.dedupe_key for m in sent] == [
        f"case_opened:{case.id}",
        f"case_reply:{answer.id}",
        f"case_resolved:{case.id}:0",
        f"case_closed:{case.id}:0",
        f"case_reopened:{case.id}:1",
        f"case_resolved:{case.id}:1",
    ]
    assert {(m.status, m.language, m.subject_type, m.subject_id) for m in sent} == {
        (MessageStatus.SENT, "zh_CN", "complaint", case.id)
    }
    timeline = supervisor_client(app, supervisor).get(f"/complaints/{case.id}").get_data(as_text=True)
    timeline = timeline.split('data-testid="timeline"')[1]
    assert "投诉受理回执 · 发给客户" in timeline and "投诉回复 · 发给客户" in timeline
    queued = db.session.scalars(
        select(Event).where(Event.subject_type == "complaint", Event.action == "message.queue")
    ).all()
    assert [e.data["kind"] for e in queued] == [m.kind for m in sent]
    assert {e.data["to"] for e in queued} == {"customer"}


def test_a_customer_who_signed_in_english_reads_english(app, inbox):
    job, _phone, case = _customer_with_a_case(app, email="t.becker@example.com", lang="en")
    cases.reply(case, make_user("supervisor", locale="zh_CN"), "Sorry! We come back tomorrow at 9.", "r1")
    receipt, reply = inbox.received
    assert receipt["Subject"] == f"We have received your complaint {case.number}"
    body = receipt.get_content()
    assert body.startswith("Hello Thomas Becker,") and "We will answer you within 24 hours." in body
    assert "Daily cleaning on " in body and receipt["Content-Language"] == "en"
    assert reply["Subject"] == f"A reply on your complaint {case.number}"
    assert "— Customer service" in reply.get_content()
    _link(reply.get_content(), job.id)


def test_the_language_of_a_really_signed_record_is_the_customers(app, inbox):
    job, record = _signed(app, "t.becker@example.com", lang="en", name="Thomas Becker")
    case = cases.open_case(
        customer=job.customer,
        job=job,
        channel="phone",
        category="cleaning_quality",
        description="Streaks on the mirror",
        client_key="k1",
        actor=make_user("supervisor"),
    )
    record_email, receipt = inbox.received
    assert record_email["Subject"].startswith("Your service record")
    assert receipt["Subject"] == f"We have received your complaint {case.number}"
    assert case.record_id == record.id
    _link(receipt.get_content(), job.id)


def test_a_new_link_is_made_when_the_old_one_is_withdrawn(app, inbox):
    job, _phone, case = _customer_with_a_case(app)
    old = latest_link(job.id)
    old.revoked_at = utcnow()
    db.session.commit()
    cases.reply(case, make_user("supervisor"), "我们明天来", "r1")
    url = _link(inbox.received[1].get_content(), job.id)
    assert _link_id(url) == latest_link(job.id).id != old.id


def test_no_address_nothing_queued_and_every_step_still_works(app, inbox):
    job, phone, case = _customer_with_a_case(app, email=None)
    supervisor = make_user("supervisor")
    cases.reply(case, supervisor, "非常抱歉", "r1")
    cases.act(_case(job.id), CaseAction.RESOLVE, supervisor, root_cause="沟通不足")
    assert phone.post(f"/cases/{case.id}/confirm").status_code == 303
    assert _case(job.id).status == CaseStatus.CLOSED
    assert _messages() == [] and inbox.received == []


def test_a_case_about_no_job_gets_a_receipt_without_a_link(app, inbox):
    customer = make_customer(name="赵先生", email="zhao@example.com")
    case = cases.open_case(
        customer=customer,
        job=None,
        channel="phone",
        category="lateness",
        description="阿姨迟到一小时",
        client_key="k1",
        actor=make_user("supervisor"),
    )
    [receipt] = inbox.received
    body = receipt.get_content()
    assert case.number in body and "我们的服务" in body and "/r/" not in body


def test_a_mail_problem_never_costs_the_reply_and_the_page_answers(app, inbox, monkeypatch):
    job, _phone, case = _customer_with_a_case(app)

    def broken(reply):
        raise RuntimeError("a bug in the message")

    monkeypatch.setattr(case_notices, "reply_posted", broken)
    supervisor = make_user("supervisor")
    desk = supervisor_client(app, supervisor)
    page = desk.get(f"/complaints/{case.id}").get_data(as_text=True)
    key = re.search(r'id="reply-client_key" name="reply-client_key" type="hidden" value="([^"]+)"', page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {
        "csrf_token": token,
        "reply-body": "非常抱歉",
        "reply-kind": "customer",
        "reply-client_key": key[1],
    }
    assert desk.post(f"/complaints/{case.id}/replies", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CaseReply.id))) == 1
    assert _case(job.id).status == CaseStatus.RESPONDED
    assert len(inbox.received) == 1 and [m.kind for m in _messages()] == ["case_opened"]


def test_a_mail_server_that_refuses_costs_nothing_and_the_message_waits_for_another_try(app, inbox):
    job, _phone, case = _customer_with_a_case(app)
    inbox.refuse_data.append("451 4.3.0 Try again later")
    cases.reply(case, make_user("supervisor"), "非常抱歉", "r1")
    [message] = _messages(kind="case_reply")
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.due_at > utcnow()  # the sweep sends it when its back-off is over
    assert _case(job.id).status == CaseStatus.RESPONDED and len(inbox.received) == 1


def test_a_case_closed_after_a_silent_week_says_so_and_one_closed_by_staff_thanks(app, inbox):
    supervisor = make_user("supervisor")
    job, _phone, case = _customer_with_a_case(app)
    cases.reply(case, supervisor, "已处理", "r1")
    cases.act(
        _case(job.id), CaseAction.RESOLVE, supervisor, root_cause="沟通不足", now=utcnow() - timedelta(days=8)
    )
    assert cases.close_resolved() == 1
    assert cases.close_resolved() == 0
    silent = inbox.received[-1]
    assert (
        silent["Subject"] == f"您的投诉 {case.number} 已关闭"
        and "一周内未收到您的回复" in silent.get_content()
    )
    other, _phone, called = _customer_with_a_case(app, email="wu@example.com")
    cases.reply(called, supervisor, "已处理", "r1")
    cases.act(_case(other.id), CaseAction.RESOLVE, supervisor, root_cause="沟通不足")
    cases.act(_case(other.id), CaseAction.CLOSE, supervisor)  # the customer confirmed by phone
    assert "感谢您的确认" in inbox.received[-1].get_content()
    assert len(_messages(kind="case_closed")) == 2
