"""Complaint cases: open, assign, reply, move through the flow. Each change is logged and committed here.

The rules (which step may follow which, the clocks) are in hk.domain.complaints; this module applies
them to the rows. Every call that a tap makes carries a client key: the same key again returns what
the first call made, so a double tap or a retried request on a weak signal changes nothing more.
Callers load a case with `lock_case` in a writing request, so changes to one case are made one after
the other (a row lock on PostgreSQL; SQLite's write lock).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hk.aftersales import notify
from hk.database import lock_for_write
from hk.domain import complaints as rules
from hk.domain.complaints import CaseAction, CaseStatus, Category, Channel, Severity
from hk.domain.workflow import Refusal, WorkflowError
from hk.extensions import db
from hk.models import STAFF, CasePause, CaseReply, Complaint, Customer, Job, User, record_event, utcnow
from hk.records import service as records


def log(actor: User | None, case: Complaint, action: str, **data) -> None:
    """One event row for a change to a case (actor None: the customer)."""
    record_event(actor, "complaint", case.id, action, **data)


def lock_case(case_id: int) -> Complaint | None:
    return lock_for_write(Complaint, case_id)


def _check_owner(owner: User | None) -> None:
    if owner is not None and (owner.role not in STAFF or not owner.is_enabled):
        raise WorkflowError([Refusal("owner_not_staff")])


def open_case(
    *,
    customer: Customer,
    job: Job | None,
    channel: Channel,
    category: Category,
    description: str,
    client_key: str,
    actor: User | None,
    severity: Severity = Severity.MEDIUM,
    received_at: datetime | None = None,
    owner: User | None = None,
    now: datetime | None = None,
    commit: bool = True,
) -> Complaint:
    """A new case with its clocks running from the time it was received (staff may give an earlier one).

    `commit=False`: flushed only, for a caller that adds to the case (its photos, the rating that
    opened it) and commits everything in one transaction.
    """
    existing = db.session.scalar(
        select(Complaint).where(Complaint.customer_id == customer.id, Complaint.client_key == client_key)
    )
    if existing is not None:
        return existing
    now = now or utcnow()
    received_at = received_at or now
    refusals = rules.check_received_at(received_at, now)
    if job is not None and job.customer_id != customer.id:
        refusals.append(Refusal("case_wrong_job"))
    if refusals:
        raise WorkflowError(refusals)
    _check_owner(owner)
    record = records.current_record(job.id) if job is not None else None
    case = Complaint(
        customer=customer,
        job=job,
        record=record,
        channel=channel,
        category=category,
        severity=severity,
        description=description.strip(),
        received_at=min(received_at, now),
        owner=owner,
        created_by=actor,
        client_key=client_key,
    )
    db.session.add(case)
    db.session.flush()
    log(actor, case, "complaint.open", channel=channel, category=category, severity=severity)
    if owner is not None:
        log(actor, case, "complaint.assign", owner=owner.id)
    if commit:
        outgoing = notify.case_opened(case)
        db.session.commit()
        notify.send(outgoing)
    return case


def assign(case: Complaint, owner: User, actor: User) -> bool:
    """Name the person responsible for the case; False when they already were (a repeat tap)."""
    _check_owner(owner)
    if case.owner_id == owner.id:
        return False
    before = case.owner_id
    case.owner = owner
    log(actor, case, "complaint.assign", owner=owner.id, before=before)
    outgoing = notify.case_assigned(case)
    db.session.commit()
    notify.send(outgoing)
    return True


def reply(
    case: Complaint,
    author: User | None,
    body: str,
    client_key: str,
    internal: bool = False,
    responded_by_phone: bool = False,
    now: datetime | None = None,
) -> CaseReply:
    """A reply on the case. The first reply from staff that the customer sees (or a note that staff
    answered by phone) is the first response: it stops the 24-hour clock."""
    existing = db.session.scalar(
        select(CaseReply).where(CaseReply.complaint_id == case.id, CaseReply.client_key == client_key)
    )
    if existing is not None:
        return existing
    now = now or utcnow()
    if author is None and internal:
        raise ValueError("a customer cannot write an internal note")
    message = CaseReply(
        complaint=case, author=author, body=body.strip(), internal=internal, client_key=client_key
    )
    db.session.add(message)
    db.session.flush()
    log(author, case, "complaint.note" if internal else "complaint.reply", reply=message.id)
    if author is not None and case.first_response_at is None and (not internal or responded_by_phone):
        case.status = rules.decide(case.facts(), CaseAction.RESPOND)
        case.first_response_at = now
        log(author, case, "complaint.respond", by_phone=responded_by_phone, reply=message.id)
    outgoing = notify.reply_posted(message)
    db.session.commit()
    notify.send(outgoing)
    return message


def act(
    case: Complaint,
    action: CaseAction,
    actor: User | None,
    *,
    reason: str = "",
    root_cause: str = "",
    responsible_worker: User | None = None,
    now: datetime | None = None,
) -> bool:
    """Move the case on (investigate, remedy, resolve, close, reopen) or pause/resume its resolution
    clock. Returns False when the case is already where the action leads (a repeat tap); raises
    WorkflowError when the action may not be taken now."""
    now = now or utcnow()
    if _already_done(case, action):
        return False
    facts = case.facts()
    if action == CaseAction.RESOLVE:
        facts.root_cause = root_cause or case.root_cause or ""
    if action == CaseAction.RESPOND:
        raise WorkflowError([Refusal("case_wrong_status", {"status": case.status.value})])
    new_status = rules.decide(facts, action)
    before = case.status
    data: dict = {"from": before, "to": new_status}
    if action == CaseAction.PAUSE:
        if not reason.strip():
            raise WorkflowError([Refusal("case_needs_reason")])
        case.pauses.append(CasePause(start=now, reason=reason.strip(), by_id=actor.id if actor else None))
        data["reason"] = reason.strip()
    elif action == CaseAction.RESUME:
        open_pause = next(p for p in case.pauses if p.end is None)
        open_pause.end = now
    elif action == CaseAction.RESOLVE:
        case.root_cause = facts.root_cause.strip()
        case.responsible_worker = responsible_worker
        case.resolved_at = now
        data.update(root_cause=case.root_cause, worker=responsible_worker.id if responsible_worker else None)
    elif action == CaseAction.CLOSE:
        case.closed_at = now
        case.closed_by_customer = actor is None
    elif action == CaseAction.REOPEN:
        case.reopened_at = now
        case.reopen_count += 1
        case.resolved_at = None
        case.closed_at = None
        case.closed_by_customer = False
        if reason.strip():
            data["reason"] = reason.strip()
    case.status = new_status
    log(actor, case, f"complaint.{action.value}", **data)
    outgoing = notify.status_changed(case, action) if new_status != before else []
    db.session.commit()
    notify.send(outgoing)
    return True


def _already_done(case: Complaint, action: CaseAction) -> bool:
    """Whether a repeat of the action would change nothing (the first tap already did it)."""
    target = rules.TRANSITIONS[action][1]
    if action == CaseAction.PAUSE:
        return case.facts().paused
    if action == CaseAction.RESUME:
        return not case.facts().paused and bool(case.pauses)
    if action == CaseAction.REOPEN:
        return case.status == CaseStatus.INVESTIGATING and case.reopened_at is not None
    return target is not None and case.status == target


def close_resolved(now: datetime | None = None) -> int:
    """Close every resolved case the customer has not confirmed within the week (the queue's sweep)."""
    now = now or utcnow()
    ids = db.session.scalars(select(Complaint.id).where(Complaint.status == CaseStatus.RESOLVED)).all()
    closed = 0
    for case_id in ids:
        case = lock_case(case_id)
        if case is not None and rules.should_auto_close(case.facts(), now):
            case.closed_at = now
            case.status = CaseStatus.CLOSED
            log(None, case, "complaint.close", auto=True)
            closed += 1
            outgoing = notify.status_changed(case, CaseAction.CLOSE, auto=True)
            db.session.commit()
            notify.send(outgoing)
        else:
            db.session.commit()
    return closed


def customer_view(case: Complaint) -> list[CaseReply]:
    """The replies a customer may read on their link: never internal notes."""
    return [r for r in case.replies if not r.internal]
