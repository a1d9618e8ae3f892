"""Administrators see every message, why a failed one failed, and send it again (once)."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.mail.service import deliver, outbox_folder
from hk.models import Event, Message, MessageStatus, Role
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, post_form
from tests.mail.conftest import a_message

pytestmark = pytest.mark.xdist_group("alone")  # a mail server in a thread


def _failed(app, inbox) -> Message:
    """A message the server refused until hk gave up."""
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    inbox.refuse_always = "451 4.3.0 Mailbox busy"
    message = a_message(subject="您的服务记录：2026年3月1日 日常保洁")
    assert deliver(message.id) == MessageStatus.FAILED
    inbox.refuse_always = None
    return message


def _status(message_id: int) -> MessageStatus:
    db.session.rollback()
    return db.session.get(Message, message_id, populate_existing=True).status


def test_the_outbox_lists_messages_newest_first_with_the_error_of_failed_ones(app, client, login, inbox):
    failed = _failed(app, inbox)
    sent = a_message("test:2", to="b@example.com", subject="Your service record")
    assert deliver(sent.id) == MessageStatus.SENT
    waiting = a_message("test:3", to="c@example.com", subject="还没发送")
    login(Role.ADMIN)
    page = client.get("/office/outbox").get_data(as_text=True)
    rows = [page.index(f'data-testid="message-{m.id}"') for m in (waiting, sent, failed)]
    assert rows == sorted(rows)  # newest first
    assert "451 4.3.0 Mailbox busy" in page and 'data-testid="failed-messages"' in page
    assert "有 1 封邮件未能发出" in page and 'data-testid="nav-outbox"' in page
    only_failed = client.get("/office/outbox?status=failed").get_data(as_text=True)
    assert f'data-testid="message-{failed.id}"' in only_failed and f"message-{sent.id}" not in only_failed
    overview = client.get("/overview").get_data(as_text=True)
    assert 'data-testid="failed-messages"' in overview and "/office/outbox?status=failed" in overview


def test_supervisors_neither_see_the_outbox_link_nor_the_failures(app, client, login, inbox):
    _failed(app, inbox)
    login(Role.SUPERVISOR)
    overview = client.get("/overview").get_data(as_text=True)
    assert 'data-testid="nav-outbox"' not in overview and 'data-testid="failed-messages"' not in overview
    assert client.get("/office/outbox").status_code == 403


def test_a_failed_message_is_sent_again_once_after_a_double_tap(app, client, login, inbox):
    failed = _failed(app, inbox)
    admin = login(Role.ADMIN)
    page = client.get(f"/office/outbox/{failed.id}").get_data(as_text=True)
    assert "这封邮件未能发出" in page and "451 4.3.0 Mailbox busy" in page and 'data-testid="resend"' in page
    assert "您的服务记录" in page and "可能已经送达" not in page
    token = csrf_token(client, f"/office/outbox/{failed.id}")
    first = client.post(f"/office/outbox/{failed.id}/resend", data={"csrf_token": token})
    second = client.post(f"/office/outbox/{failed.id}/resend", data={"csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert len(inbox.received) == 1 and _status(failed.id) == MessageStatus.SENT
    resends = db.session.scalars(
        select(Event).where(Event.subject_type == "message", Event.action == "message.resend")
    ).all()
    assert [e.actor_id for e in resends] == [admin.id]
    shown = client.get(f"/office/outbox/{failed.id}").get_data(as_text=True)
    assert "它正在发送或已经发出" in shown and "邮件已重新发送" in shown


def test_two_taps_on_send_again_at_the_same_instant_send_it_once(app, inbox):
    failed = _failed(app, inbox)
    admin = make_user(Role.ADMIN)
    phones = []
    for _ in range(2):
        phone = app.test_client()
        assert (
            post_form(phone, "/login", {"username": admin.username, "password": PASSWORD}).status_code == 303
        )
        phones.append((phone, csrf_token(phone, "/office/outbox")))
    barrier = threading.Barrier(2)
    answers = []

    def tap(phone, token):
        barrier.wait()
        answers.append(
            phone.post(f"/office/outbox/{failed.id}/resend", data={"csrf_token": token}).status_code
        )

    threads = [threading.Thread(target=tap, args=pair) for pair in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303, 303]
    assert len(inbox.received) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "message.resend")) == 1


def test_a_message_that_may_have_arrived_says_so_before_it_is_sent_again(app, client, login):
    message = a_message()
    db.session.execute(
        Message.__table__.update().values(status="failed", last_error="unconfirmed: TimeoutError: timed out")
    )
    db.session.commit()
    login(Role.ADMIN)
    page = client.get(f"/office/outbox/{message.id}").get_data(as_text=True)
    assert "可能已经送达" in page


def test_the_message_page_shows_the_text_and_gives_the_eml(app, client, login, outbox_mode):
    message = a_message(subject="您的服务记录", body="周女士，您好：\n链接：https://hk.example.com/r/abc\n")
    assert deliver(message.id) == MessageStatus.SENT
    login(Role.ADMIN)
    page = client.get(f"/office/outbox/{message.id}").get_data(as_text=True)
    assert "周女士，您好：" in page and "https://hk.example.com/r/abc" in page and message.outbox_file is None
    db.session.rollback()
    written = db.session.get(Message, message.id).outbox_file
    assert written in client.get(f"/office/outbox/{message.id}").get_data(as_text=True)
    eml = client.get(f"/office/outbox/{message.id}/eml")
    assert eml.status_code == 200 and eml.headers["Content-Type"] == "message/rfc822"
    assert eml.data == (outbox_folder() / written).read_bytes()
    email = message_from_bytes(eml.data, policy=policy.default)
    assert email["Subject"] == "您的服务记录" and "周女士" in email.get_content()
    assert "尚未设置邮件服务器" in client.get("/office/outbox").get_data(as_text=True)


def test_the_outbox_is_paged(app, client, login):
    for n in range(53):
        a_message(f"page:{n}", subject=f"消息 {n}")
    login(Role.ADMIN)
    first = client.get("/office/outbox").get_data(as_text=True)
    assert "消息 52" in first and "消息 2<" not in first and "共 53 条" in first
    second = client.get("/office/outbox?page=2").get_data(as_text=True)
    assert "消息 2<" in second and "消息 52" not in second
