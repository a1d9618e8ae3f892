"""Applying the workflow to stored jobs: every change checked by hk.domain, logged, committed.

Each function is safe to call twice with the same input (a double tap, a retried request): the
second call finds the change already made and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from hk.alerts import notify_severe_incident
from hk.domain import workflow
from hk.domain.catalogue import StageKind
from hk.domain.emergency import alerts_supervisor
from hk.domain.pricing import PriceFact, default_quantity, line_amount
from hk.domain.qualification import qualification_problems
from hk.domain.workflow import Action, Answer, JobFacts, Refusal, Status, WorkflowError
from hk.extensions import db
from hk.mail.service import send_each
from hk.models import (
    HandoverItem,
    Incident,
    IncidentSeverity,
    IncidentType,
    ItemCheck,
    Job,
    Photo,
    QuoteLine,
    StageCompletion,
    User,
    record_event,
)
from hk.phone_writes import happened_now


class DeviceConflict(Exception):
    """The job is being worked on another device; the person must take over explicitly."""

    def __init__(self, job: Job):
        super().__init__("job open on another device")
        self.job = job


def log(user: User | None, job: Job, action: str, **data) -> None:
    """One event row for a change to a job or its evidence."""
    record_event(user, "job", job.id, action, **data)


def photo_counts(job: Job) -> dict[tuple[str, str], int]:
    """How many photos each (stage, item) of a job has."""
    rows = db.session.execute(
        select(Photo.stage_code, Photo.item_code, func.count(Photo.id))
        .where(Photo.job_id == job.id, Photo.incident_id.is_(None))
        .group_by(Photo.stage_code, Photo.item_code)
    )
    return {(stage or "", item or ""): n for stage, item, n in rows}


class _PhotoCounts(Mapping):
    """photo_counts of a job, counted when first asked: most checks (a tick, an open stage) never ask."""

    def __init__(self, job: Job):
        self._job, self._counts = job, None

    def _all(self) -> dict[tuple[str, str], int]:
        if self._counts is None:
            self._counts = photo_counts(self._job)
        return self._counts

    def __getitem__(self, key: tuple[str, str]) -> int:
        return self._all()[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def facts_for(job: Job, on: date | None = None) -> JobFacts:
    """The workflow's view of a stored job."""
    worker_problems = []
    if job.worker is not None and on is not None:
        worker_problems = qualification_problems(job.worker.certificates, on)
    return JobFacts(
        status=Status(job.status),
        stages=job.stages,
        answers={(c.stage_code, c.item_code): Answer(c.answer) for c in job.checks if c.answer},
        completed_stages={c.stage_code for c in job.completions},
        item_photos=_PhotoCounts(job),
        qualification_problems=worker_problems,
        quote_confirmed=job.quote_confirmed_at is not None,
        tools_removed=job.tools_removed,
        paused_from=Status(job.paused_from) if job.paused_from else None,
    )


def by_client_key(model, job: Job, client_key: str):
    """The row of this job that a phone's key already made (a retried request), or None.

    Keys mean something only within their job: another job's row with the same key is not it.
    """
    return db.session.scalar(select(model).where(model.job_id == job.id, model.client_key == client_key))


def claim_device(job: Job, device_id: str) -> None:
    """Refuse a change from a second device while the job is active on another one."""
    if job.device_id and job.device_id != device_id and job.status in workflow.ACTIVE:
        raise DeviceConflict(job)


def take_over(job: Job, user: User, device_id: str) -> None:
    """Move an active job to this device, on purpose, with a log row."""
    if job.device_id != device_id:
        log(user, job, "device.take_over", previous=bool(job.device_id))
        job.device_id = device_id
        db.session.commit()


def _transition(job: Job, user: User, new_status: Status, action: str, **data) -> None:
    old = job.status
    job.status = new_status
    log(user, job, action, **{"from": str(old), "to": str(new_status), **data})


def build_quote(job: Job, area_m2: Decimal | None = None) -> None:
    """Fill a job's itemised quote from its service type's active price items."""
    duration = int((job.scheduled_end - job.scheduled_start).total_seconds() // 60)
    for position, item in enumerate(p for p in job.service_type.price_items if p.active):
        fact = PriceFact(item.code, item.kind, item.unit, item.unit_price)
        quantity = default_quantity(fact, duration, area_m2)
        job.quote_lines.append(
            QuoteLine(
                position=position,
                code=item.code,
                kind=item.kind,
                name_zh=item.name_zh,
                name_en=item.name_en,
                unit=item.unit,
                quantity=quantity,
                unit_price=item.unit_price,
                amount=line_amount(quantity, item.unit_price),
            )
        )


@dataclass
class Location:
    lat: float
    lng: float
    accuracy_m: float | None = None


def check_in(job: Job, user: User, device_id: str, today: date, location: Location | None = None) -> None:
    """Record arrival; refused while the worker's mandatory certificates are not valid today."""
    if job.status == Status.CHECKED_IN and job.checked_in_at is not None:
        return  # a repeat of the same tap
    new_status = workflow.decide(facts_for(job, today), Action.CHECK_IN)
    job.checked_in_at = happened_now()
    job.device_id = device_id
    if location is not None:
        job.check_in_lat, job.check_in_lng = location.lat, location.lng
        job.check_in_accuracy_m = location.accuracy_m
    _transition(job, user, new_status, "check_in", location=location is not None)
    db.session.commit()


def _check_row(job: Job, stage_code: str, item_code: str) -> ItemCheck | None:
    return next((c for c in job.checks if (c.stage_code, c.item_code) == (stage_code, item_code)), None)


def set_answer(job: Job, user: User, device_id: str, stage_code: str, item_code: str, answer: Answer | None):
    """Tick, answer or undo one item of the open stage; a "not safe" answer blocks the job."""
    claim_device(job, device_id)
    row = _check_row(job, stage_code, item_code)
    if (row.answer if row else None) == answer:
        return  # already so
    workflow.check_answer(facts_for(job), stage_code, item_code, answer)
    outgoing: list[int] = []  # the alert's emails, sent after the commit
    if row is None:
        row = ItemCheck(stage_code=stage_code, item_code=item_code)
        job.checks.append(row)
    previous = row.answer
    row.answer, row.checked_at, row.checked_by_id = answer, happened_now(), user.id
    log(user, job, "item.answer", stage=stage_code, item=item_code, answer=answer, previous=previous)
    if answer == Answer.NOT_SAFE:
        _transition(job, user, workflow.decide(facts_for(job), Action.BLOCK), "block", item=item_code)
        stage = next(s for s in job.stages if s["code"] == stage_code)
        label = next(i["label"] for i in stage["items"] if i["code"] == item_code)
        incident = Incident(
            client_key=f"unsafe-{secrets.token_urlsafe(16)}",  # made here: nobody can guess it
            type=IncidentType.UNSAFE_SITE,
            severity=IncidentSeverity.SEVERE,
            what_happened=f"{label['zh_CN']} / {label['en']}",
            stage_code=stage_code,
            reported_by_id=user.id,
        )
        job.incidents.append(incident)
        db.session.flush()
        outgoing = notify_severe_incident(incident, user)
    db.session.commit()
    send_each(outgoing)


def set_note(job: Job, user: User, device_id: str, stage_code: str, item_code: str, note: str) -> None:
    """Keep a note on an item; notes may be added while the stage is open."""
    claim_device(job, device_id)
    row = _check_row(job, stage_code, item_code)
    note = note.strip() or None
    if (row.note if row else None) == note:
        return
    workflow.check_answer(facts_for(job), stage_code, item_code, row.answer if row else None)
    if row is None:
        row = ItemCheck(stage_code=stage_code, item_code=item_code, checked_by_id=user.id)
        job.checks.append(row)
    row.note = note
    log(user, job, "item.note", stage=stage_code, item=item_code, length=len(note or ""))
    db.session.commit()


def complete_stage(job: Job, user: User, device_id: str, stage_code: str) -> None:
    """Complete a stage when its standard is met; the job moves on to the next step."""
    claim_device(job, device_id)
    if any(c.stage_code == stage_code for c in job.completions):
        return
    new_status = workflow.decide(facts_for(job), Action.COMPLETE_STAGE, stage_code)
    job.completions.append(
        StageCompletion(stage_code=stage_code, completed_by_id=user.id, completed_at=happened_now())
    )
    stage = next(s for s in job.stages if s["code"] == stage_code)
    if stage["kind"] == StageKind.POST_SERVICE:
        job.handover_completed_at = happened_now()
    log(user, job, "stage.complete", stage=stage_code)
    if new_status != job.status:
        _transition(job, user, new_status, "advance", stage=stage_code)
    db.session.commit()


def _require_open_kind(job: Job, kind: str) -> None:
    if workflow.OPEN_KIND.get(Status(job.status)) != kind:
        raise WorkflowError([Refusal("stage_locked", {"stage": kind})])


def save_pre_service(
    job: Job, user: User, device_id: str, valuables: str, requests: str, confirm_quote: bool
) -> None:
    """Keep what the customer pointed out and, when agreed, the confirmed quote total."""
    claim_device(job, device_id)
    _require_open_kind(job, StageKind.PRE_SERVICE)
    valuables, requests = valuables.strip() or None, requests.strip() or None
    changed = {}
    if job.valuables_notes != valuables:
        job.valuables_notes, changed["valuables"] = valuables, True
    if job.special_requests != requests:
        job.special_requests, changed["requests"] = requests, True
    if confirm_quote and job.quote_confirmed_at is None:
        job.quote_confirmed_at = happened_now()
        job.quote_confirmed_total = job.quote_total
        changed["quote_total"] = str(job.quote_confirmed_total)
    elif not confirm_quote and job.quote_confirmed_at is not None:
        job.quote_confirmed_at = job.quote_confirmed_total = None
        changed["quote_withdrawn"] = True
    if changed:
        log(user, job, "pre_service.save", **changed)
        db.session.commit()


def save_handover(job: Job, user: User, device_id: str, tools_removed: bool, remarks: str) -> None:
    """Keep the handover's remarks and whether all tools have been removed."""
    claim_device(job, device_id)
    _require_open_kind(job, StageKind.POST_SERVICE)
    remarks = remarks.strip() or None
    if job.tools_removed == tools_removed and job.handover_remarks == remarks:
        return
    job.tools_removed, job.handover_remarks = tools_removed, remarks
    log(user, job, "handover.save", tools_removed=tools_removed, remarks=bool(remarks))
    db.session.commit()


def add_handover_item(
    job: Job, user: User, device_id: str, description: str, quantity: int, client_key: str
) -> HandoverItem:
    """Add a thing handed back (keys, cards, items); a retried request adds it once."""
    claim_device(job, device_id)
    existing = by_client_key(HandoverItem, job, client_key)
    if existing is not None:
        return existing
    _require_open_kind(job, StageKind.POST_SERVICE)
    item = HandoverItem(
        description=description.strip(), quantity=quantity, client_key=client_key, created_at=happened_now()
    )
    job.handover_items.append(item)
    log(user, job, "handover.item_add", description=item.description, quantity=quantity)
    db.session.commit()
    return item


def remove_handover_item(job: Job, user: User, device_id: str, item_id: int) -> None:
    """Remove a handover line added by mistake (only while the handover is open)."""
    claim_device(job, device_id)
    item = next((i for i in job.handover_items if i.id == item_id), None)
    if item is None:
        return
    _require_open_kind(job, StageKind.POST_SERVICE)
    job.handover_items.remove(item)
    log(user, job, "handover.item_remove", description=item.description, quantity=item.quantity)
    db.session.commit()


def report_incident(
    job: Job,
    user: User,
    client_key: str,
    type_: IncidentType,
    severity: IncidentSeverity,
    what_happened: str,
    action_taken: str,
    plan_version: int | None = None,
) -> Incident:
    """Save an incident at once; a severe one alerts the supervisors and pauses the job until one
    of them resumes it. `plan_version` is the version of the emergency plan the worker was shown."""
    existing = by_client_key(Incident, job, client_key)
    if existing is not None:
        return existing
    if job.status in workflow.FINAL:
        raise WorkflowError([Refusal("wrong_status", {"status": job.status})])
    open_stage = workflow.open_stage(facts_for(job))
    incident = Incident(
        client_key=client_key,
        type=type_,
        severity=severity,
        what_happened=what_happened.strip(),
        action_taken=action_taken.strip() or None,
        stage_code=open_stage["code"] if open_stage else None,
        reported_by_id=user.id,
        reported_at=happened_now(),
        plan_version=plan_version,
    )
    job.incidents.append(incident)
    db.session.flush()
    log(user, job, "incident.report", incident=incident.id, type=type_, severity=severity)
    outgoing = notify_severe_incident(incident, user) if alerts_supervisor(severity) else []
    if alerts_supervisor(severity) and job.status != Status.PAUSED:
        new_status = workflow.decide(facts_for(job), Action.PAUSE)
        job.paused_from = job.status
        _transition(job, user, new_status, "pause", incident=incident.id)
    db.session.commit()
    send_each(outgoing)
    return incident


def resume(job: Job, supervisor: User) -> None:
    """A supervisor lets a paused job go on from where it stopped."""
    new_status = workflow.decide(facts_for(job), Action.RESUME)
    job.paused_from = None
    _transition(job, supervisor, new_status, "resume")
    db.session.commit()


def unblock(job: Job, supervisor: User) -> None:
    """A supervisor clears a "not safe" block; the unsafe answers must be given again."""
    new_status = workflow.decide(facts_for(job), Action.UNBLOCK)
    for check in job.checks:
        if check.answer == Answer.NOT_SAFE:
            log(
                supervisor,
                job,
                "item.answer",
                stage=check.stage_code,
                item=check.item_code,
                answer=None,
                previous=check.answer,
            )
            check.answer = None
    _transition(job, supervisor, new_status, "unblock")
    db.session.commit()
