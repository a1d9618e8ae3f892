"""Jobs worked through without a phone: the rows a worker's taps leave, and the customer's signature.

`advance_job` puts a job where its worker would have it after working through the checklist at one
moment (the tests build jobs in any state with it). `work_through` does the same over the hours of a
job of the demo's past, each stage at its own time with the events the phone's taps log, and `sign`
has the customer sign it (hk.sign.service.finish: the sign-off, the job completed, the customer's
link and the pending record, as the signing request commits them).
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from functools import cache

from flask_babel import force_locale
from PIL import Image, ImageDraw
from sqlalchemy import insert

from hk.domain.catalogue import StageKind
from hk.domain.workflow import OPEN_KIND, STAGE_PHOTO_KIND, Answer, Status
from hk.extensions import db
from hk.models import (
    ItemCheck,
    Job,
    Photo,
    ServiceRecord,
    SignOff,
    SignOffKind,
    StageCompletion,
    User,
    record_event,
    utcnow,
)
from hk.photos import ProcessedPhoto, process_photo
from hk.records.review import review_data, review_digest
from hk.sign.service import consent_sentence, finish
from hk.storage import get_storage

# The stage kind open in each state a job reaches by working through its checklist, in order.
_OPEN_KIND_OF = {**OPEN_KIND, Status.AWAITING_SIGNATURE: None}
_KIND_ORDER = list(StageKind)
# The status a job moves to when the last stage of a kind is completed.
_AFTER_KIND = {
    StageKind.PRE_SERVICE: Status.SAFETY,
    StageKind.SAFETY: Status.CLEANING,
    StageKind.CLEANING: Status.HANDOVER,
    StageKind.POST_SERVICE: Status.AWAITING_SIGNATURE,
}


@cache
def _processed_photo() -> ProcessedPhoto:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 200)).save(buf, "JPEG")
    return process_photo(buf.getvalue())


_stored: dict[object, tuple[str, str, str]] = {}


def _photo_keys() -> tuple[str, str, str]:
    """The photo's picture, thumbnail and print copy, stored once in this app's storage."""
    storage = get_storage()
    where = getattr(storage, "root", id(storage))
    if where not in _stored:
        processed = _processed_photo()
        _stored[where] = (
            storage.put(processed.image, "photos", ".jpg"),
            storage.put(processed.thumb, "thumbs", ".jpg"),
            storage.put(processed.print_image, "prints", ".jpg"),
        )
    return _stored[where]


def add_photo(job: Job, stage: dict, item: dict, at: datetime) -> None:
    """A photo for a checklist item, uploaded by the job's worker at `at`."""
    processed = _processed_photo()
    image, thumb, print_copy = _photo_keys()
    db.session.add(
        Photo(
            job_id=job.id,
            stage_code=stage["code"],
            item_code=item["code"],
            kind=STAGE_PHOTO_KIND[stage["kind"]],
            storage_key=image,
            thumb_key=thumb,
            print_key=print_copy,
            sha256=processed.sha256,
            width=processed.width,
            height=processed.height,
            size_bytes=len(processed.image),
            client_key=f"builder-{job.id}-{stage['code']}-{item['code']}",
            uploaded_by_id=job.worker_id,
            uploaded_at=at,
        )
    )


def _answer(job: Job, stage: dict, at: datetime, photos: bool) -> None:
    for item in stage["items"]:
        answer = Answer.SAFE if stage["kind"] == StageKind.SAFETY else Answer.DONE
        job.checks.append(
            ItemCheck(
                stage_code=stage["code"],
                item_code=item["code"],
                answer=answer,
                checked_by_id=job.worker_id,
                checked_at=at,
            )
        )
        if photos and item["photo_required"]:
            add_photo(job, stage, item, at)


def advance_job(job: Job, state: Status | str, photos: bool = True, at: datetime | None = None) -> Job:
    """Put a scheduled job where the worker would have it after working through the checklist.

    Every stage before the open one (all of them for "awaiting_signature") is done as the phone does
    it: each item answered (done, or safe in the safety check), a photo for each item that needs one
    (`photos=False` leaves them out), the quote confirmed with the customer's valuables noted, the
    tools removed with a remark, and the stage completed, at `at` (now by default). No events are
    logged.
    """
    state = Status(state)
    if state not in _OPEN_KIND_OF:
        raise ValueError(f"a job cannot be built in state {state!r}")
    open_kind = _OPEN_KIND_OF[state]
    now = at or utcnow()
    job.checked_in_at = now
    for stage in job.stages:
        if open_kind is not None and _KIND_ORDER.index(stage["kind"]) >= _KIND_ORDER.index(open_kind):
            break
        _answer(job, stage, now, photos)
        if stage["kind"] == StageKind.PRE_SERVICE:
            job.quote_confirmed_at, job.quote_confirmed_total = now, job.quote_total
            job.valuables_notes = "玉镯在卧室梳妆台"
        if stage["kind"] == StageKind.POST_SERVICE:
            job.tools_removed, job.handover_remarks, job.handover_completed_at = True, "客户满意", now
        job.completions.append(
            StageCompletion(stage_code=stage["code"], completed_by_id=job.worker_id, completed_at=now)
        )
    job.status = state
    db.session.commit()
    return job


def stage_times(job: Job, arrived: datetime, done: datetime) -> list[datetime]:
    """When each stage of a job worked from `arrived` to `done` was completed: the talk with the
    customer and the safety check in the first quarter hour, the cleaning stages spread over the
    hours after, the handover at the end."""
    kinds = [stage["kind"] for stage in job.stages]
    cleaning = [n for n, kind in enumerate(kinds) if kind == StageKind.CLEANING]
    times = []
    for n, kind in enumerate(kinds):
        if kind == StageKind.PRE_SERVICE:
            times.append(arrived + timedelta(minutes=9))
        elif kind == StageKind.SAFETY:
            times.append(arrived + timedelta(minutes=16))
        elif kind == StageKind.CLEANING:
            share = (cleaning.index(n) + 1) / len(cleaning)
            times.append(arrived + timedelta(minutes=16) + (done - arrived - timedelta(minutes=28)) * share)
        else:
            times.append(done)
    return times


def work_through(
    job: Job,
    worker: User,
    arrived: datetime,
    done: datetime,
    *,
    valuables: str | None = None,
    requests: str | None = None,
    remarks: str = "",
) -> None:
    """The worker checks in at `arrived`, works through every stage and finishes the handover at
    `done`: the rows and the events the phone's taps would leave (one event per stage, not per tick;
    the answers, photos and stage completions written in one statement each). The job is then
    awaiting the customer's signature. Not committed."""
    job.checked_in_at, job.device_id = arrived, f"demo-phone-{worker.username}"
    _log(worker, job, "check_in", arrived, **{"from": "scheduled", "to": "checked_in", "location": False})
    status = Status.CHECKED_IN
    checks, photos, completions = [], [], []
    image, thumb, print_copy = _photo_keys()
    processed = _processed_photo()
    previous = arrived
    for n, (stage, at) in enumerate(zip(job.stages, stage_times(job, arrived, done), strict=True)):
        ticked = previous + (at - previous) / 2
        answer = Answer.SAFE if stage["kind"] == StageKind.SAFETY else Answer.DONE
        for item in stage["items"]:
            checks.append(
                {
                    "job_id": job.id,
                    "stage_code": stage["code"],
                    "item_code": item["code"],
                    "answer": answer,
                    "checked_by_id": worker.id,
                    "checked_at": ticked,
                }
            )
            if item["photo_required"]:
                photos.append(
                    {
                        "job_id": job.id,
                        "stage_code": stage["code"],
                        "item_code": item["code"],
                        "kind": STAGE_PHOTO_KIND[stage["kind"]],
                        "storage_key": image,
                        "thumb_key": thumb,
                        "print_key": print_copy,
                        "sha256": processed.sha256,
                        "width": processed.width,
                        "height": processed.height,
                        "size_bytes": len(processed.image),
                        "client_key": f"demo-{job.id}-{stage['code']}-{item['code']}",
                        "uploaded_by_id": worker.id,
                        "uploaded_at": ticked,
                    }
                )
        if stage["kind"] == StageKind.PRE_SERVICE:
            job.quote_confirmed_at, job.quote_confirmed_total = at, job.quote_total
            job.valuables_notes, job.special_requests = valuables, requests
            changed = {
                "quote_total": str(job.quote_total),
                "valuables": bool(valuables),
                "requests": bool(requests),
            }
            _log(worker, job, "pre_service.save", at - timedelta(minutes=1), **changed)
        if stage["kind"] == StageKind.POST_SERVICE:
            job.tools_removed, job.handover_remarks, job.handover_completed_at = True, remarks or None, at
            changed = {"tools_removed": True, "remarks": bool(remarks)}
            _log(worker, job, "handover.save", at - timedelta(minutes=2), **changed)
        completions.append(
            {"job_id": job.id, "stage_code": stage["code"], "completed_by_id": worker.id, "completed_at": at}
        )
        _log(worker, job, "stage.complete", at, stage=stage["code"])
        if n + 1 == len(job.stages) or job.stages[n + 1]["kind"] != stage["kind"]:
            new = _AFTER_KIND[stage["kind"]]
            _log(worker, job, "advance", at, **{"from": str(status), "to": str(new), "stage": stage["code"]})
            status = new
        previous = at
    job.status = status
    for model, rows in ((ItemCheck, checks), (Photo, photos), (StageCompletion, completions)):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.expire(job, ["checks", "completions"])


def _log(user: User, job: Job, action: str, at: datetime, **data) -> None:
    record_event(user, "job", job.id, action, **data).at = at


@cache
def signature_png(name: str) -> bytes:
    """A drawn signature, as the signing pad sends it once flattened."""
    img = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(img)
    seed = sum(name.encode())
    points = [(40 + i * 45, 100 + ((seed * (i + 3)) % 70) - 35) for i in range(12)]
    draw.line(points, fill="black", width=5, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def sign(job: Job, signer: str, lang: str, at: datetime, refusal: str | None = None) -> ServiceRecord:
    """The customer signs (or, with `refusal`, refuses to sign) a job awaiting signature, as the
    signing request does: committed, with the job's pending record, which the queue then makes."""
    with force_locale(lang):
        consent = consent_sentence()
    signoff = SignOff(
        job_id=job.id,
        kind=SignOffKind.REFUSED if refusal else SignOffKind.SIGNED,
        signer_name=None if refusal else signer,
        refusal_reason=refusal,
        consent_text=consent,
        language=lang,
        shown_hash=review_digest(review_data(job)),
        witnessed_by_id=job.worker_id,
        signed_at=at,
    )
    if not refusal:
        signature = signature_png(signer)
        signoff.signature_key = get_storage().put(signature, "signatures", ".png")
        signoff.signature_sha256 = hashlib.sha256(signature).hexdigest()
    return finish(job, db.session.get(User, job.worker_id), signoff)
