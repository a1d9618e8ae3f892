"""The demo's past, told in order: a timeline of what happened when, and a clock that dates the rows.

The demo's past is made through hk's own services (signing, ratings, complaints, follow-ups), which
stamp what they create with the present moment: a column's default (`Event.at`, `CaseReply.created_at`,
`Remedy.created_at`…) or `utcnow()`. While the past is made, `HistoryClock` stamps every new row
whose time was left to its default with the moment of the story instead (and `updated_at` of a row
changed then), so a case's timeline, a job's log and the quality figures read as they would have at
the time. Two kinds of row are left to the present on purpose:

- a service record (`ServiceRecord.created_at`): the queue makes the PDFs of the past after the seed
  (hk/demo_months.py says why), and "made within two minutes of its row" is how hk tells a record
  being made from a stuck one;
- a customer link's expiry while the past is made (hk reuses a link only while it is valid *now*);
  `HistoryClock.close` then sets each link made in the past to expire when it would have.

An email queued in the past is marked sent at that moment and written to `instance/outbox/` under
that time, as hk does without a mail server (`Message.created_at` names the file): the outbox shows
the company's four months of mail, and nobody is emailed today about work of months ago.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event, func, select

from hk.extensions import db
from hk.mail.building import build_email
from hk.mail.service import FIRST_SWEEP_AFTER, from_address, outbox_folder
from hk.models import CustomerLink, Message, MessageStatus, ServiceRecord

# Columns a row is stamped with when it is made (left to their default by the code that makes it).
STAMPED = (
    "at",
    "created_at",
    "updated_at",
    "uploaded_at",
    "reported_at",
    "checked_at",
    "completed_at",
    "signed_at",
    "rated_at",
    "done_at",
)


class HistoryClock:
    """The story's present moment, while the demo's past is made (`with HistoryClock() as clock`)."""

    def __init__(self) -> None:
        self.now: datetime | None = None
        self._session = None
        self._last_message = self._last_link = 0

    def __enter__(self) -> HistoryClock:
        self._session = db.session()
        self._last_message = db.session.scalar(select(func.max(Message.id))) or 0
        self._last_link = db.session.scalar(select(func.max(CustomerLink.id))) or 0
        event.listen(self._session, "before_flush", self._stamp)
        # One process writes the past, alone: what it read stays true after each commit, so the
        # thousands of commits need not make every row it holds be read again.
        self._expire_on_commit, self._session.expire_on_commit = self._session.expire_on_commit, False
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self._session, "before_flush", self._stamp)
        self._session.expire_on_commit = self._expire_on_commit

    def _stamp(self, session, _context, _instances) -> None:
        if self.now is None:
            return
        for row in session.new:
            if isinstance(row, ServiceRecord):
                continue
            columns = row.__table__.columns
            for name in STAMPED:
                if name in columns and getattr(row, name, None) is None:
                    setattr(row, name, self.now)
        for row in session.dirty:
            if "updated_at" in row.__table__.columns and session.is_modified(row):
                row.updated_at = self.now

    def settle_messages(self) -> None:
        """The emails queued at this moment: sent then, and in the outbox under that time."""
        messages = db.session.scalars(
            select(Message).where(Message.id > self._last_message).order_by(Message.id)
        ).all()
        if not messages:
            return
        smtp = bool(current_app.config.get("SMTP_URL"))
        sender, folder = from_address(), outbox_folder()
        for message in messages:
            stale = message.outbox_file  # a queue running tasks at once sent it already, dated today
            message.created_at = self.now
            message.due_at = self.now + FIRST_SWEEP_AFTER
            message.status = MessageStatus.SENT
            message.attempts = max(message.attempts, 1)
            message.claimed_at, message.sent_at = self.now, self.now + timedelta(seconds=4)
            message.claim_token = message.last_error = None
            message.outbox_file = None if smtp else f"{self.now:%Y%m%dT%H%M%SZ}-{message.id}.eml"
            if message.outbox_file:  # written as hk.mail.transport.write_outbox does, less its fsync
                email = build_email(message, sender, readable=True)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / message.outbox_file).write_bytes(email.as_bytes())
            if stale and stale != message.outbox_file:
                (folder / stale).unlink(missing_ok=True)
            self._last_message = message.id
        db.session.commit()

    def close(self) -> None:
        """Links made in the past expire as they would have: CUSTOMER_LINK_DAYS after they were made."""
        days = timedelta(days=current_app.config["CUSTOMER_LINK_DAYS"])
        links = db.session.scalars(select(CustomerLink).where(CustomerLink.id > self._last_link)).all()
        for link in links:
            if link.revoked_at is None:
                link.expires_at = link.created_at + days
        db.session.commit()


class Timeline:
    """What happens when: actions run in the order of their moments, each at its moment.

    An action may add later ones (a rating the day after a job, the reply a day after a complaint).
    """

    def __init__(self, clock: HistoryClock) -> None:
        self.clock = clock
        self._queue: list = []
        self._order = itertools.count()

    def at(self, when: datetime, action: Callable, *args) -> None:
        if self.clock.now is not None and when < self.clock.now:
            raise ValueError(f"{getattr(action, '__name__', action)} at {when} is before {self.clock.now}")
        heapq.heappush(self._queue, (when, next(self._order), action, args))

    def run(self) -> None:
        while self._queue:
            when, _n, action, args = heapq.heappop(self._queue)
            self.clock.now = when
            action(*args)
            self.clock.settle_messages()
        self.clock.now = None
