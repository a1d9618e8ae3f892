"""Remedies on a case (补救): a re-clean booked as a free job, a refund, compensation, an apology; an
admin's decision on a sum above the threshold; marking one done. Each change is logged on the case
and committed here, with the rest of what it changes (the re-clean's job, the case moving to "remedy").

The same client key again returns the remedy the first request made: a double tap books one re-clean.
Callers load the case with `cases.lock_case` in a writing request, so remedies of one case are added
one after the other (and the refund cap is checked against every refund before it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from hk.aftersales import notify
from hk.aftersales.cases import log
from hk.domain import complaints as rules
from hk.domain.complaints import CaseAction, RemedyKind, RemedyStatus
from hk.domain.dispatch import Repeat
from hk.domain.remedies import REMEDY_TRANSITIONS, RemedyAction, check_new_remedy, decide_remedy, refunded
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.models import Complaint, Job, Remedy, User, record_event, utcnow
from hk.office import dispatch_service


def by_client_key(case: Complaint, client_key: str) -> Remedy | None:
    """The remedy of this case that a form's key already made (a double tap, a retried request)."""
    return db.session.scalar(
        select(Remedy).where(Remedy.complaint_id == case.id, Remedy.client_key == client_key)
    )


def job_total(job: Job | None) -> Decimal | None:
    """What the customer paid for the job: the total they confirmed, else the quote's total."""
    if job is None:
        return None
    return job.quote_confirmed_total if job.quote_confirmed_total is not None else job.quote_total


def _facts(case: Complaint) -> list[tuple[RemedyKind, RemedyStatus, Decimal | None]]:
    return [(r.kind, r.status, r.amount) for r in case.remedies]


def _refused(refusals) -> None:
    if refusals:
        db.session.rollback()  # nothing was written; end the transaction (and its lock) now
        raise WorkflowError(refusals)


def _move_to_remedy(case: Complaint, actor: User) -> bool:
    """A remedy on a case that has been answered moves it to "remedy" (when the flow allows it there)."""
    if CaseAction.PROPOSE_REMEDY not in rules.allowed_actions(case.facts()):
        return False
    before = case.status
    case.status = rules.decide(case.facts(), CaseAction.PROPOSE_REMEDY)
    log(actor, case, "complaint.propose_remedy", **{"from": before, "to": case.status})
    return True


def _finish(case: Complaint, actor: User, remedy: Remedy, **data) -> Remedy:
    db.session.add(remedy)
    db.session.flush()
    log(actor, case, "remedy.add", remedy=remedy.id, kind=remedy.kind, status=remedy.status, **data)
    moved = _move_to_remedy(case, actor)
    outgoing = notify.status_changed(case, CaseAction.PROPOSE_REMEDY) if moved else []
    db.session.commit()
    notify.send(outgoing)
    return remedy


def propose(
    case: Complaint,
    actor: User,
    kind: RemedyKind,
    client_key: str,
    *,
    amount: Decimal | None = None,
    description: str = "",
    threshold: Decimal,
    by_admin: bool,
) -> Remedy:
    """A refund, compensation or apology. Refunds together stay within the job's total; a sum above
    the threshold proposed by a supervisor waits for an admin."""
    if kind == RemedyKind.RECLEAN:
        raise ValueError("a re-clean is booked with book_reclean")
    existing = by_client_key(case, client_key)
    if existing is not None:
        return existing
    description = description.strip()
    _refused(check_new_remedy(case.status, kind, description, case.job is not None))
    if kind not in rules.MONEY_REMEDIES:
        amount = None
    _refused(rules.check_remedy(kind, amount, job_total(case.job), refunded(_facts(case))))
    remedy = Remedy(
        complaint=case,
        kind=kind,
        status=rules.first_status(kind, amount, threshold, by_admin),
        amount=amount,
        description=description,
        proposed_by=actor,
        client_key=client_key,
    )
    return _finish(case, actor, remedy, amount=str(amount) if amount is not None else None)


def book_reclean(
    case: Complaint,
    actor: User,
    client_key: str,
    *,
    day: date,
    start_hm: tuple[int, int],
    end_hm: tuple[int, int],
    tz: str,
    worker: User | None,
    reason: str,
    notes: str = "",
) -> Remedy:
    """A new job for the same customer and service type, through dispatch's gates (window, the worker's
    certificates, overlaps), free of charge with the reason on its quote, linked to the case both ways."""
    existing = by_client_key(case, client_key)
    if existing is not None:
        return existing
    _refused(check_new_remedy(case.status, RemedyKind.RECLEAN, "", case.job is not None))
    job_notes = "\n".join(part for part in (reason, notes.strip()) if part)
    try:
        (job,) = dispatch_service.add_jobs(
            actor,
            case.customer,
            case.job.service_type,
            day,
            start_hm,
            end_hm,
            tz,
            worker,
            job_notes,
            Repeat.NONE,
            1,
            None,
        )
    except WorkflowError:
        db.session.rollback()
        raise
    changes = {}
    for line in job.quote_lines:
        changes[line.code] = [[str(line.quantity), str(line.unit_price)], [str(line.quantity), "0.00"]]
        line.unit_price = line.amount = Decimal("0.00")
    job.quote_adjust_reason = reason
    record_event(actor, "job", job.id, "quote.adjust", changes=changes, reason=reason, complaint=case.id)
    remedy = Remedy(
        complaint=case,
        kind=RemedyKind.RECLEAN,
        status=RemedyStatus.APPROVED,
        description=notes.strip(),
        reclean_job=job,
        proposed_by=actor,
        client_key=client_key,
    )
    return _finish(case, actor, remedy, job=job.id, number=job.number)


def decide(
    remedy: Remedy,
    action: RemedyAction,
    actor: User,
    by_admin: bool,
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """Approve or reject a sum (an admin), or mark a remedy done. False when it already was (a repeat
    tap); WorkflowError when it may not be done now, or by this person."""
    target = REMEDY_TRANSITIONS[action][1]
    if remedy.status == target:
        return False
    try:
        remedy.status = decide_remedy(remedy.status, action, by_admin)
    except WorkflowError:
        db.session.rollback()
        raise
    now = now or utcnow()
    if action == RemedyAction.DONE:
        remedy.done_at = now
    else:
        remedy.decided_by, remedy.decided_at = actor, now
    data = {"remedy": remedy.id, "kind": remedy.kind}
    if remedy.amount is not None:
        data["amount"] = str(remedy.amount)
    if reason.strip():
        data["reason"] = reason.strip()
    log(actor, remedy.complaint, f"remedy.{action.value}", **data)
    db.session.commit()
    return True
