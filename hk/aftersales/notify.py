"""Who is told what when a case changes, and when its clocks run out.

- The customer (when they gave an email address): a receipt when their case is opened; each reply
  from the company they may read (never an internal note); the case resolved (confirm it or tell
  us on your link), closed, reopened. In the language they signed in (hk.mail.case_notices).
- Staff (those with an address, in their own language; hk.mail.staff_notices): the owner when the
  case becomes theirs, at opening or later (not when they named themselves); the owner when the
  customer writes; the owner when 4 hours are left to answer (once per case; everyone who may take
  the case when nobody owns it); every enabled admin when a clock is breached (no answer after
  48 h, once per case; not resolved in 72 h, once per case and reopening).

The case services call these *before* they commit: the messages are queued in a savepoint of the
change's own transaction (a failure there is logged and costs only the messages), so a message
exists exactly when its change does. Each returns the ids queued; after the commit the caller
hands them to `send` (and a lost hand-over is sent by the message sweep). Every message's dedupe
key names the one event it is about, so a repeat call, a double tap, or two sweeps at the same
instant queue it once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hk.aftersales.clocks import cases_needing_warning
from hk.database import writing
from hk.domain.complaints import CaseAction, Clock, ClockState
from hk.extensions import db
from hk.mail import case_notices, staff_notices
from hk.mail.service import queue_safely, send_each
from hk.models import STAFF, CaseReply, Complaint, Event, Message, Role, User, utcnow


def send(message_ids: list[int]) -> None:
    """After the commit: hand the queued messages to the queue."""
    send_each(message_ids)


def _latest_assignment(case: Complaint) -> Event | None:
    """The event that named the case's owner (in this transaction, the one just written)."""
    return db.session.scalar(
        select(Event)
        .where(
            Event.subject_type == "complaint", Event.subject_id == case.id, Event.action == "complaint.assign"
        )
        .order_by(Event.id.desc())
        .limit(1)
    )


def _owner_told(case: Complaint) -> Message | None:
    """The owner is told the case is theirs, unless they named themselves."""
    if case.owner is None:
        return None
    db.session.flush()  # the assignment's event gets its id
    assignment = _latest_assignment(case)
    if assignment is None or assignment.actor_id == case.owner_id:
        return None
    return staff_notices.case_assigned(case, case.owner, assignment.id)


def case_opened(case: Complaint) -> list[int]:
    """A new case: the customer's receipt, and its owner (if one was named) told it is theirs."""
    return queue_safely(lambda: [case_notices.case_opened(case), _owner_told(case)], f"case {case.id}")


def case_assigned(case: Complaint) -> list[int]:
    """The named owner is told the case is now theirs."""
    return queue_safely(lambda: [_owner_told(case)], f"case {case.id}")


def reply_posted(reply: CaseReply) -> list[int]:
    """A staff reply the customer may see goes to the customer; a customer's message to the owner.
    An internal note goes to nobody."""
    case = reply.complaint

    def build():
        if reply.internal:
            return []
        if reply.from_customer:
            return [staff_notices.customer_wrote(reply, case.owner)] if case.owner is not None else []
        return [case_notices.reply_posted(reply)]

    return queue_safely(build, f"reply {reply.id}")


TOLD_ON = {
    CaseAction.RESOLVE: case_notices.case_resolved,
    CaseAction.CLOSE: case_notices.case_closed,
    CaseAction.REOPEN: case_notices.case_reopened,
}


def status_changed(case: Complaint, action: CaseAction, auto: bool = False) -> list[int]:
    """The customer is told their case moved on, when it is worth telling: resolved (with a way to
    confirm or reopen), closed (`auto`: after a week without their answer), reopened. The steps in
    between are told by the replies."""
    tell = TOLD_ON.get(action)
    if tell is None:
        return []
    if action == CaseAction.CLOSE:
        return queue_safely(lambda: [tell(case, auto)], f"case {case.id}")
    return queue_safely(lambda: [tell(case)], f"case {case.id}")


# --- the clocks (the queue's sweep_case_clocks, every five minutes) ----------------------------


def _people(*roles: Role) -> list[User]:
    """Enabled staff of these roles who gave an email address."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(roles), User.is_enabled.is_(True), User.email.is_not(None))
            .order_by(User.id)
        )
    )


def _already(case: Complaint, kind: str, key_prefix: str | None = None) -> bool:
    """Whether this warning was queued for the case before (to anyone)."""
    query = select(Message.id).where(
        Message.kind == kind, Message.subject_type == "complaint", Message.subject_id == case.id
    )
    if key_prefix is not None:
        query = query.where(Message.dedupe_key.startswith(key_prefix, autoescape=True))
    return db.session.scalar(query.limit(1)) is not None


def _warnings_for(case: Complaint, clock: Clock, state: ClockState) -> list[Message | None]:
    """The messages one clock of one case calls for now, unless they were queued before."""
    if clock == Clock.FIRST_RESPONSE and state == ClockState.DUE_SOON:
        if _already(case, "case_warn_first"):
            return []
        told = [case.owner] if case.owner is not None and case.owner.is_enabled else _people(*STAFF)
        return [staff_notices.first_response_due_soon(case, user) for user in told]
    if clock == Clock.FIRST_RESPONSE and state == ClockState.BREACHED:
        if _already(case, "case_breach_first"):
            return []
        return [staff_notices.first_response_breached(case, admin) for admin in _people(Role.ADMIN)]
    if clock == Clock.RESOLUTION and state == ClockState.BREACHED:
        if _already(case, "case_breach_resolution", staff_notices.breach_prefix(case)):
            return []
        return [staff_notices.resolution_breached(case, admin) for admin in _people(Role.ADMIN)]
    return []  # overdue but not breached, or the resolution clock due soon: the lists show it


def warn_about_clocks(now: datetime | None = None) -> list[int]:
    """Queue the 4-hour warnings and the breach messages the open cases call for now (one write,
    committed here), then hand them to the queue; the ids queued. Safe to run twice, or twice at
    the same instant: each message's key is unique, and a warning queued before is not queued again."""
    now = now or utcnow()
    with writing():
        queued = []
        for case, clock, state in cases_needing_warning(now):
            queued += queue_safely(lambda c=case, k=clock, s=state: _warnings_for(c, k, s), f"case {case.id}")
        db.session.commit()
    send(queued)
    return queued
