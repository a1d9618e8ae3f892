"""The customer's side of complaint cases, on their record link: report a problem with a few photos,
write to the company, confirm that a resolved case is sorted, or reopen it with a reason.

Each change is one transaction, logged and committed here (through hk.aftersales.cases). Every call
carries the form's client key, so a double tap or a retried request on one bar of signal makes one
case, one message, one photo each. The customer sees their cases' replies but never internal notes
(cases.customer_view), and never a case about another job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hk.aftersales import cases, notify
from hk.domain import complaints as rules
from hk.domain.complaints import CaseAction, Category, Channel
from hk.domain.feedback import check_rater
from hk.domain.workflow import Refusal, WorkflowError
from hk.extensions import db
from hk.models import CasePhoto, CaseReply, Complaint, Job, utcnow
from hk.photos import ProcessedPhoto
from hk.storage import get_storage


def cases_of_job(job_id: int) -> list[Complaint]:
    """The cases about one job, newest first, with their messages and photos."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.job_id == job_id)
            .options(selectinload(Complaint.replies), selectinload(Complaint.photos))
            .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        )
    )


def case_of_job(case_id: int, job_id: int, lock: bool = False) -> Complaint | None:
    """A case, only when it is about this job (else None: the link does not cover it)."""
    case = cases.lock_case(case_id) if lock else db.session.get(Complaint, case_id)
    return case if case is not None and case.job_id == job_id else None


@dataclass(frozen=True)
class StoredPhoto:
    """A checked photo's picture and thumbnail, written to storage before the write begins."""

    storage_key: str
    thumb_key: str
    sha256: str
    width: int
    height: int
    size_bytes: int


def store_photo(processed: ProcessedPhoto) -> StoredPhoto:
    """Write a processed photo and its thumbnail (content-addressed: writing twice is harmless)."""
    storage = get_storage()
    return StoredPhoto(
        storage_key=storage.put(processed.image, "photos", ".jpg"),
        thumb_key=storage.put(processed.thumb, "thumbs", ".jpg"),
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.image),
    )


def check_report(category: str | None, description: str, photos: int, staff_browser: bool) -> list[Refusal]:
    """Why a problem report cannot be taken as it is (empty when it can)."""
    return check_rater(staff_browser) or rules.check_customer_report(category, description, photos)


def report_problem(
    job: Job,
    category: str | None,
    description: str,
    photos: list[StoredPhoto],
    client_key: str,
    *,
    staff_browser: bool = False,
    now: datetime | None = None,
) -> Complaint:
    """Open a case (channel "online") about the link's job, with its photos, in one transaction."""
    refusals = check_report(category, description, len(photos), staff_browser)
    if refusals:
        raise WorkflowError(refusals)
    key = f"link-{client_key}"
    existed = db.session.scalar(
        select(Complaint.id).where(Complaint.customer_id == job.customer_id, Complaint.client_key == key)
    )
    case = cases.open_case(
        customer=job.customer,
        job=job,
        channel=Channel.ONLINE,
        category=Category(category),
        description=description,
        client_key=key,
        actor=None,
        now=now,
        commit=False,
    )
    kept = {p.client_key for p in case.photos}
    added = []
    for n, photo in enumerate(photos, start=1):
        if f"{key}-{n}" in kept:
            continue
        case.photos.append(
            CasePhoto(
                storage_key=photo.storage_key,
                thumb_key=photo.thumb_key,
                sha256=photo.sha256,
                width=photo.width,
                height=photo.height,
                size_bytes=photo.size_bytes,
                client_key=f"{key}-{n}",
                uploaded_at=now or utcnow(),
            )
        )
        added.append(photo.sha256)
    if added:
        cases.log(None, case, "complaint.photos", sha256=added)
    outgoing = notify.case_opened(case) if existed is None else []
    db.session.commit()
    notify.send(outgoing)
    return case


def write(case: Complaint, body: str, client_key: str, *, staff_browser: bool = False) -> CaseReply:
    """The customer's message on their case."""
    existing = _reply_by_key(case, client_key)
    if existing is not None:
        return existing  # a double tap
    refusals = check_rater(staff_browser) or rules.check_customer_message(case.status, body)
    if refusals:
        raise WorkflowError(refusals)
    return cases.reply(case, None, body, client_key)  # the owner is told there


def confirm(case: Complaint, *, staff_browser: bool = False, now: datetime | None = None) -> bool:
    """The customer confirms that a resolved case is sorted: it closes. False on a repeat tap."""
    refusals = check_rater(staff_browser)
    if refusals:
        raise WorkflowError(refusals)
    return cases.act(case, CaseAction.CLOSE, None, now=now)  # the customer is told there


def reopen(
    case: Complaint, reason: str, client_key: str, *, staff_browser: bool = False, now: datetime | None = None
) -> bool:
    """The problem is still there (or back): the case reopens, with the customer's reason as their
    message on it, in one transaction. False on a repeat tap."""
    if _reply_by_key(case, client_key) is not None:
        return False
    refusals = check_rater(staff_browser) or rules.refusals_for(case.facts(), CaseAction.REOPEN)
    if not refusals and not reason.strip():
        refusals = [Refusal("case_needs_reason")]
    if refusals:
        raise WorkflowError(refusals)
    message = CaseReply(complaint=case, author=None, body=reason.strip(), client_key=client_key)
    db.session.add(message)
    db.session.flush()
    cases.log(None, case, "complaint.reply", reply=message.id)
    outgoing = notify.reply_posted(message)  # the owner reads the reason
    cases.act(case, CaseAction.REOPEN, None, reason=reason, now=now)  # commits the message with it
    notify.send(outgoing)
    return True


def _reply_by_key(case: Complaint, client_key: str) -> CaseReply | None:
    return db.session.scalar(
        select(CaseReply).where(CaseReply.complaint_id == case.id, CaseReply.client_key == client_key)
    )
