"""Messages reach a real SMTP server (aiosmtpd, in this process) once: retried, failed, swept."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hk.extensions import db
from hk.mail import service
from hk.mail.service import deliver, maybe_arrived, queue_message, send_soon, sweep
from hk.models import Message, MessageStatus, RecipientKind, utcnow
from hk.queue import huey, retry_delay, run_pending, sweep_messages
from tests.mail.conftest import Inbox, a_message, self_signed, server_tls, start_server

# Threads at a barrier and a server in a thread: one after another in one worker.
pytestmark = pytest.mark.xdist_group("alone")


def _row(message_id: int) -> Message:
    db.session.rollback()
    return db.session.get(Message, message_id, populate_existing=True)


def test_a_message_arrives_with_its_chinese_subject_sender_and_ids(app, inbox):
    message = a_message(subject="您的服务记录：日常保洁 2026年3月1日", body="您好，周女士：\n请查看记录。\n")
    assert deliver(message.id) == MessageStatus.SENT
    [got] = inbox.received
    assert got["Subject"] == "您的服务记录：日常保洁 2026年3月1日"
    assert got["To"] == "kehu@example.com"
    assert got["From"].addresses[0].display_name == "测试家政"  # the company, HK_MAIL_FROM has no name
    assert got["Message-ID"] == message.message_id and got["Date"]
    assert got["Auto-Submitted"] == "auto-generated"
    assert got.get_content() == "您好，周女士：\n请查看记录。\n"
    assert inbox.envelopes[0].rcpt_tos == ["kehu@example.com"]
    sent = _row(message.id)
    assert (sent.status, sent.attempts, sent.last_error, sent.outbox_file) == ("sent", 1, None, None)
    assert sent.sent_at is not None


def test_the_same_message_queued_twice_is_sent_once(app, inbox, queued):
    first = a_message("record_ready:7")
    again = queue_message(
        "record_ready", "other@example.com", "en", "x", "y", "record_ready:7", RecipientKind.CUSTOMER
    )
    db.session.commit()
    assert again is None
    assert db.session.scalar(select(func.count(Message.id))) == 1
    send_soon(first.id)
    send_soon(first.id)  # a second enqueue (a retried request, the sweep at the same time)
    assert run_pending() == 2
    assert len(inbox.received) == 1
    assert deliver(first.id) is None  # sent: nothing to do


def test_two_workers_running_the_same_task_at_once_send_it_once(app, inbox):
    messages = [a_message(f"race:{n}") for n in range(4)]
    for message in messages:
        barrier = threading.Barrier(2)
        results = []

        def work(message_id=message.id, barrier=barrier, results=results):
            with app.app_context():
                barrier.wait()
                results.append(deliver(message_id))

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results.count(MessageStatus.SENT) == 1 and results.count(None) == 1, results
    assert sorted(m["Message-ID"] for m in inbox.received) == sorted(m.message_id for m in messages)


def test_a_refusal_is_tried_again_after_the_back_off_and_then_arrives_once(app, inbox, queued):
    inbox.refuse_data.append("451 4.3.0 Try again later")
    message = a_message()
    now = utcnow()
    assert deliver(message.id, now=now) == MessageStatus.PENDING
    waiting = _row(message.id)
    assert waiting.attempts == 1 and "451" in waiting.last_error and not inbox.received
    assert waiting.due_at == now + retry_delay(1)
    assert sweep(now + retry_delay(1) - timedelta(seconds=1)) == []
    assert sweep(now + retry_delay(1)) == [message.id]
    # the periodic task finds it once its delay is over
    db.session.execute(update(Message).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    sweep_messages.call_local()
    assert run_pending() == 1
    assert len(inbox.received) == 1
    sent = _row(message.id)
    assert sent.status == MessageStatus.SENT and sent.attempts == 2 and sent.last_error is None


def test_after_the_last_try_it_fails_and_stays_failed(app, inbox):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    inbox.refuse_always = "421 4.7.0 Too busy"
    message = a_message()
    now = utcnow()
    outcomes = []
    for attempt in (1, 2, 3):
        outcomes.append(deliver(message.id, now=now))
        now += retry_delay(attempt)
    assert outcomes == [MessageStatus.PENDING, MessageStatus.PENDING, MessageStatus.FAILED]
    failed = _row(message.id)
    assert failed.attempts == 3 and "421" in failed.last_error and not maybe_arrived(failed)
    assert sweep(now + timedelta(days=1)) == []
    assert deliver(message.id) is None and not inbox.received


def test_an_address_the_server_refuses_for_good_fails_at_once(app, inbox):
    inbox.refuse_rcpt = "550 5.1.1 No such mailbox"
    message = a_message()
    assert deliver(message.id) == MessageStatus.FAILED
    failed = _row(message.id)
    assert failed.attempts == 1 and "550" in failed.last_error


def test_an_answer_that_never_came_is_not_retried_the_message_may_have_arrived(app, inbox, monkeypatch):
    real_data = smtplib.SMTP.data

    def data_then_lost(self, msg):
        real_data(self, msg)  # the server has it…
        raise TimeoutError("timed out")  # …but its answer never reached hk

    monkeypatch.setattr(smtplib.SMTP, "data", data_then_lost)
    message = a_message()
    assert deliver(message.id) == MessageStatus.FAILED
    failed = _row(message.id)
    assert failed.last_error.startswith("unconfirmed") and maybe_arrived(failed)
    assert sweep(utcnow() + timedelta(days=1)) == []
    assert len(inbox.received) == 1


def test_a_try_interrupted_while_sending_is_failed_by_the_sweep_not_sent_again(app, queued):
    message = a_message()
    db.session.execute(
        update(Message).values(status=MessageStatus.SENDING, claimed_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    assert sweep() == [] and _row(message.id).status == MessageStatus.SENDING  # still within its lease
    assert sweep(utcnow() + service.LEASE) == []
    failed = _row(message.id)
    assert failed.status == MessageStatus.FAILED and maybe_arrived(failed)
    assert len(huey) == 0


def test_a_lost_task_is_sent_by_the_sweep(app, inbox, queued):
    message = a_message()  # committed, but the task was never enqueued
    assert sweep() == []  # the queue has two minutes to send it
    assert sweep(utcnow() + service.FIRST_SWEEP_AFTER) == [message.id]
    huey.storage.flush_all()


def test_starttls_and_login_with_an_encoded_password(app, tmp_path):
    cert, key = self_signed(tmp_path)
    box = Inbox()
    controller, port = start_server(
        box,
        tls_context=server_tls(cert, key),
        require_starttls=True,
        auth_required=True,
        authenticator=box.authenticate,
    )
    try:
        app.config["SMTP_URL"] = f"smtp://hk%40example.com:p%40ss%3Aw0rd%2F@127.0.0.1:{port}?cafile={cert}"
        assert deliver(a_message("tls:1").id) == MessageStatus.SENT
        assert box.logins == [(b"hk@example.com", b"p@ss:w0rd/")] and len(box.received) == 1
        # a wrong password: the server's refusal is kept, the password is not
        app.config["SMTP_URL"] = f"smtp://hk%40example.com:wrong-secret@127.0.0.1:{port}?cafile={cert}"
        message = a_message("tls:2")
        assert deliver(message.id) == MessageStatus.PENDING
        error = _row(message.id).last_error
        assert "SMTPAuthenticationError" in error and "wrong-secret" not in error
        # a server whose certificate is not trusted gets nothing
        app.config["SMTP_URL"] = f"smtp://hk%40example.com:p%40ss%3Aw0rd%2F@127.0.0.1:{port}"
        message = a_message("tls:3")
        assert deliver(message.id) == MessageStatus.PENDING
        assert "CERTIFICATE_VERIFY_FAILED" in _row(message.id).last_error and len(box.received) == 1
    finally:
        controller.stop()


def test_smtps_sends_over_tls_from_the_start(app, tmp_path):
    cert, key = self_signed(tmp_path)
    box = Inbox()
    controller, port = start_server(box, ssl_context=server_tls(cert, key))
    try:
        app.config["SMTP_URL"] = f"smtps://127.0.0.1:{port}?cafile={cert}"
        assert deliver(a_message().id) == MessageStatus.SENT and len(box.received) == 1
    finally:
        controller.stop()
