"""Queueing and sending messages: each queued once, sent at most once, retried, failures kept.

- `queue_message` adds the message in the caller's transaction; its dedupe key is unique, so a
  second call for the same thing adds nothing. After the commit the caller calls `send_soon`.
- `deliver` (the queue task `hk.queue.send_message`) claims the message with one UPDATE … WHERE
  status = 'pending': of two workers that run it at the same instant, one sends, the other finds
  nothing to do. The claim holds a random token; only its holder records how the try went.
- A refused or failed try goes back to pending with a growing delay, until HK_MAIL_MAX_ATTEMPTS;
  then it is failed, with the error, for an administrator (`resend`). A try whose answer never came
  (the server may have the message) is failed at once: hk never risks sending it twice.
- Every minute `sweep` sends what the queue did not (a lost task, a retry whose delay is over) and
  fails a try that was interrupted (a worker that died while sending).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hk.database import reading, writing
from hk.extensions import db
from hk.mail.addresses import normal_address, sender
from hk.mail.building import build_email
from hk.mail.transport import (
    Unconfirmed,
    describe,
    parse_smtp_url,
    send_smtp,
    worth_retrying,
    write_outbox,
)
from hk.models import Message, MessageStatus, RecipientKind, User, record_event, utcnow
from hk.queue import retry_delay

FIRST_SWEEP_AFTER = timedelta(minutes=2)  # a message the queue should have sent by now
LEASE = timedelta(minutes=10)  # a try still "sending" after this was interrupted
# How a failure that must not be retried by itself is marked in last_error (see maybe_arrived).
UNCONFIRMED, INTERRUPTED = "unconfirmed", "interrupted"


def outbox_folder() -> Path:
    """Where messages are written as .eml files when no SMTP server is set."""
    return Path(current_app.instance_path) / "outbox"


def from_address():
    """The From of every message (HK_MAIL_FROM, named after the company)."""
    return sender(current_app.config.get("MAIL_FROM"), current_app.config.get("COMPANY_NAME") or "hk")


def queue_message(
    kind: str,
    to: str,
    lang: str,
    subject: str,
    body: str,
    dedupe_key: str,
    recipient_kind: RecipientKind,
    recipient_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
) -> Message | None:
    """Queue one message in the caller's transaction; None when this key was queued before.

    The caller commits, then calls send_soon(message.id); if that is lost, the sweep sends it.
    Raises ValueError for an address hk does not send to.
    """
    address = normal_address(to)
    if address is None:
        raise ValueError("not an email address hk sends to")
    now = utcnow()
    values = {
        "kind": kind,
        "dedupe_key": dedupe_key,
        "recipient_kind": recipient_kind,
        "recipient_id": recipient_id,
        "to_address": address,
        "language": "en" if lang == "en" else "zh_CN",
        "subject": " ".join(subject.split())[:300],
        "body": body,
        "message_id": make_msgid(domain=from_address().domain),
        "subject_type": subject_type,
        "subject_id": subject_id,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "due_at": now + FIRST_SWEEP_AFTER,
        "created_at": now,
    }
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    # A twin already committed, or being committed by another transaction (PostgreSQL waits for it):
    # nothing is added, and no error breaks the caller's transaction.
    statement = insert(Message).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    new_id = db.session.scalar(statement.returning(Message.id))
    return db.session.get(Message, new_id) if new_id is not None else None


def send_soon(message_id: int) -> None:
    """After the commit: hand the message to the queue (the sweep sends it if this is lost)."""
    from hk.queue import enqueue, send_message

    enqueue(send_message, message_id)


def queue_safely(build: Callable[[], Iterable[Message | None]], about: str) -> list[int]:
    """Queue the messages `build` makes in a savepoint of the caller's transaction; their ids.

    A failure while writing them is logged and undoes only them (never the change they are about,
    which the caller commits as it would have). The caller commits, then calls send_each(ids).
    """
    try:
        with db.session.begin_nested():
            messages = [m for m in build() if m is not None]
    except Exception:
        current_app.logger.exception("the email about %s could not be queued", about)
        return []
    return [m.id for m in messages]


def send_each(message_ids: Iterable[int]) -> None:
    """After the commit: send_soon for each message queued with it."""
    for message_id in message_ids:
        send_soon(message_id)


def _claim(message_id: int, now: datetime) -> tuple[str, int] | None:
    """Take the message for one try: (its token, this try's number), or None when it is not pending.

    One statement decides: of two workers at the same instant, the second finds it "sending".
    """
    token = secrets.token_hex(16)
    with writing():
        attempts = db.session.scalar(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.PENDING)
            .values(
                status=MessageStatus.SENDING,
                claim_token=token,
                claimed_at=now,
                attempts=Message.attempts + 1,
            )
            .returning(Message.attempts)
        )
        db.session.commit()
    return (token, attempts) if attempts is not None else None


def _record_outcome(message_id: int, token: str, **values) -> None:
    """Write how a try went; only the try that holds the claim can (a later claim has a new token)."""
    with writing():
        db.session.execute(
            update(Message).where(Message.id == message_id, Message.claim_token == token).values(**values)
        )
        db.session.commit()


def _hand_over(message: Message) -> str | None:
    """Send by SMTP, or write the outbox file when no server is set; the file's name, if any."""
    sender_address = from_address()
    url = current_app.config.get("SMTP_URL")
    if url:
        email = build_email(message, sender_address)
        send_smtp(parse_smtp_url(url), email, sender_address.addr_spec, message.to_address)
        return None
    name = f"{message.created_at:%Y%m%dT%H%M%SZ}-{message.id}.eml"
    write_outbox(outbox_folder(), name, build_email(message, sender_address, readable=True).as_bytes())
    return name


def deliver(message_id: int, now: datetime | None = None) -> MessageStatus | None:
    """One try at sending a pending message; its status after, or None when there was nothing to do."""
    now = now or utcnow()
    claim = _claim(message_id, now)
    if claim is None:
        return None
    token, attempt = claim
    try:
        with reading():
            message = db.session.get(Message, message_id, populate_existing=True)
            db.session.expunge(message)  # kept as read, for the try, outside any transaction
            db.session.rollback()
        outbox_file = _hand_over(message)
    except Exception as error:  # the try failed: recorded, never raised (the queue does not retry)
        text = describe(error)[:2000]
        if isinstance(error, Unconfirmed):
            text = f"{UNCONFIRMED}: {text}"
        current_app.logger.warning("message %s: try %s failed: %s", message_id, attempt, text)
        give_up = not worth_retrying(error) or attempt >= current_app.config["MAIL_MAX_ATTEMPTS"]
        status = MessageStatus.FAILED if give_up else MessageStatus.PENDING
        _record_outcome(message_id, token, status=status, last_error=text, due_at=now + retry_delay(attempt))
        return status
    sent = {"status": MessageStatus.SENT, "sent_at": utcnow(), "last_error": None, "outbox_file": outbox_file}
    _record_outcome(message_id, token, **sent)
    return MessageStatus.SENT


def sweep(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Fail tries that were interrupted; the pending messages to send now (lost, or back-off over)."""
    now = now or utcnow()
    with writing():
        db.session.execute(
            update(Message)
            .where(Message.status == MessageStatus.SENDING, Message.claimed_at <= now - LEASE)
            .values(
                status=MessageStatus.FAILED,
                last_error=f"{INTERRUPTED}: the try stopped before the mail server's answer was recorded",
            )
        )
        db.session.commit()
    with reading():
        due = db.session.scalars(
            select(Message.id)
            .where(Message.status == MessageStatus.PENDING, Message.due_at <= now)
            .order_by(Message.id)
            .limit(limit)
        ).all()
        db.session.rollback()
    return list(due)


def resend(actor: User, message_id: int) -> bool:
    """An administrator sends a failed message again (committed here); False when it is not failed.

    The caller calls send_soon after this returns True. A double tap finds it pending already.
    """
    resent = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.FAILED)
        .values(
            status=MessageStatus.PENDING,
            attempts=0,
            due_at=utcnow() + FIRST_SWEEP_AFTER,
            claim_token=None,
            claimed_at=None,
        )
    ).rowcount
    if resent:
        record_event(actor, "message", message_id, "message.resend")
    db.session.commit()
    return resent == 1


def maybe_arrived(message: Message) -> bool:
    """A failed message that the recipient may have received: check before sending it again."""
    return message.status == MessageStatus.FAILED and (message.last_error or "").startswith(
        (UNCONFIRMED, INTERRUPTED)
    )


def failed_count() -> int:
    """How many messages have failed (shown to administrators)."""
    return db.session.scalar(select(func.count(Message.id)).where(Message.status == MessageStatus.FAILED))
