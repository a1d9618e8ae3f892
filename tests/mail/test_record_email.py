"""When a record is made, a customer with an email address gets its link, in their language."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from flask import current_app
from sqlalchemy import func, select

from hk.extensions import db
from hk.mail import notices
from hk.mail.service import outbox_folder
from hk.models import Event, Job, Message, MessageStatus, RenderStatus, ServiceRecord
from hk.records import service as records
from hk.records.links import LinkState, latest_link, link_for_token
from hk.records.making import make_record
from tests.builders import PASSWORD, make_customer, make_job, make_user
from tests.conftest import csrf_token, post_form
from tests.jobs.helpers import review_hash
from tests.records.test_sign_flow import signature_png

pytestmark = pytest.mark.xdist_group("alone")  # a mail server in a thread


def _signed(app, email: str | None, lang: str = "zh_CN", name: str = "周女士"):
    """A job signed on the worker's phone by a customer with (or without) an email address."""
    worker = make_user("worker")
    customer = make_customer(name=name, email=email)
    job = make_job(worker, customer=customer, state="awaiting_signature", photos=False)
    phone = app.test_client()
    assert post_form(phone, "/login", {"username": worker.username, "password": PASSWORD}).status_code == 303
    token = csrf_token(phone, "/today")
    data = {
        "csrf_token": token,
        "signer_name": name,
        "consent": "y",
        "signature": signature_png(),
        "shown_hash": review_hash(phone, job.id, lang, token=token),
        "lang": lang,
    }
    assert phone.post(f"/jobs/{job.id}/sign", data=data).status_code == 303
    db.session.rollback()
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == RenderStatus.DONE, record.render_error
    return job, record


def _link_in(body: str, job_id: int) -> str:
    """The record address in a message: the job's customer link, on hk's public address."""
    [url] = re.findall(r"http\S+/r/\S+", body)
    assert url.startswith(current_app.config["PUBLIC_URL"] + "/r/")
    link, state = link_for_token(url.rsplit("/", 1)[1])
    assert state == LinkState.OK and link.id == latest_link(job_id).id
    return url


def _messages() -> list[Message]:
    db.session.rollback()
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def test_the_customer_gets_the_record_link_in_chinese_and_it_opens_the_record(app, inbox):
    job, record = _signed(app, "zhou.li@example.com")
    [email] = inbox.received
    assert email["To"] == "zhou.li@example.com"
    assert email["Subject"].startswith("您的服务记录：") and email["Subject"].endswith(" 日常保洁")
    body = email.get_content()
    url = _link_in(body, job.id)
    assert "周女士，您好" in body and "评分" in body and "问题" in body
    page = app.test_client().get(urlsplit(url).path)
    assert page.status_code == 200 and record.code in page.get_data(as_text=True)
    [message] = _messages()
    assert (message.kind, message.dedupe_key, message.status) == (
        "record_ready",
        f"record_ready:{record.id}",
        "sent",
    )
    assert (message.subject_type, message.subject_id, message.language) == ("job", job.id, "zh_CN")
    queued = db.session.scalar(
        select(Event).where(Event.subject_id == job.id, Event.action == "message.queue")
    )
    assert queued.data == {"message": message.id, "kind": "record_ready"}
    # the record made again (a second worker, the CLI): no second message
    assert make_record(record.id) is True
    assert len(inbox.received) == 1 and len(_messages()) == 1


def test_a_customer_who_signed_in_english_gets_it_in_english(app, inbox):
    job, _record = _signed(app, "t.becker@example.com", lang="en", name="Thomas Becker")
    [email] = inbox.received
    assert email["Subject"].startswith("Your service record: Daily cleaning on ")
    body = email.get_content()
    assert body.startswith("Hello Thomas Becker,")
    assert "rate the service and tell us about any problem" in body
    _link_in(body, job.id)
    assert email["Content-Language"] == "en"


def test_no_email_address_no_message_and_the_link_is_given_at_signing(app, inbox):
    job, _record = _signed(app, None)
    assert _messages() == [] and inbox.received == []
    assert latest_link(job.id) is not None


def test_a_corrected_record_is_sent_again_saying_so(app, inbox):
    _job, record = _signed(app, "zhou.li@example.com")
    corrected = records.correct_record(record, make_user("supervisor"), "补拍照片")
    assert make_record(corrected.id) is True
    assert len(inbox.received) == 2
    assert "第 2 版" in inbox.received[1].get_content()
    assert [m.dedupe_key for m in _messages()] == [
        f"record_ready:{record.id}",
        f"record_ready:{corrected.id}",
    ]


def test_a_mail_problem_never_costs_the_record(app, inbox, monkeypatch):
    def broken(record):
        raise RuntimeError("a bug in the message")

    monkeypatch.setattr(notices, "record_ready", broken)
    _job, record = _signed(app, "zhou.li@example.com")
    assert record.chain_seq == 1 and _messages() == [] and inbox.received == []


def test_without_a_mail_server_the_message_is_written_to_the_outbox(app, outbox_mode):
    job, _record = _signed(app, "zhou.li@example.com")
    [message] = _messages()
    assert message.status == MessageStatus.SENT and message.outbox_file.endswith(f"-{message.id}.eml")
    path = outbox_folder() / message.outbox_file
    email = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert email["Subject"].startswith("您的服务记录") and email["To"] == "zhou.li@example.com"
    url = _link_in(email.get_content(), job.id)
    raw = path.read_text("utf-8")  # readable as it is, in any text editor: the link on one line
    assert url in raw and "您好" in raw
    assert list(outbox_folder().glob(".*.tmp")) == []
    assert db.session.scalar(select(func.count(Message.id))) == 1


def test_the_demo_customers_emails_land_in_the_outbox_and_the_admin_sees_them(app, outbox_mode):
    from hk.demo import seed_demo
    from tests.builders import advance_job

    seed_demo("demo-password-1", app.config["TIMEZONE"])
    job = db.session.scalar(select(Job).where(Job.number.like("D%-01")))
    advance_job(job, "awaiting_signature", photos=False)
    db.session.commit()
    worker = app.test_client()
    assert (
        post_form(worker, "/login", {"username": "worker1", "password": "demo-password-1"}).status_code == 303
    )
    token = csrf_token(worker, "/today")
    data = {
        "csrf_token": token,
        "signer_name": "周女士",
        "consent": "y",
        "signature": signature_png(),
        "shown_hash": review_hash(worker, job.id, token=token),
        "lang": "zh_CN",
    }
    assert worker.post(f"/jobs/{job.id}/sign", data=data).status_code == 303
    [message] = _messages()
    assert message.to_address == "zhou@example.com"
    assert (outbox_folder() / message.outbox_file).is_file()
    admin = app.test_client()
    assert post_form(admin, "/login", {"username": "admin", "password": "demo-password-1"}).status_code == 303
    page = admin.get("/office/outbox").get_data(as_text=True)
    assert "zhou@example.com" in page and "您的服务记录" in page and "尚未设置邮件服务器" in page
