"""Photos as evidence of a job: where a photo belongs, and keeping it once per client key."""

from __future__ import annotations

from dataclasses import dataclass

from hk.domain import workflow
from hk.domain.workflow import PhotoKind, Refusal, WorkflowError
from hk.extensions import db
from hk.jobs.service import by_client_key, claim_device, facts_for, log
from hk.models import Incident, Job, Photo, User
from hk.photos import ProcessedPhoto
from hk.storage import get_storage


def photo_place(
    job: Job,
    device_id: str,
    stage_code: str | None,
    item_code: str | None,
    incident: Incident | None,
) -> tuple[PhotoKind, str | None, str | None]:
    """Where a new photo belongs (kind, stage, item), if the job takes one now; else a refusal."""
    if incident is not None:
        if job.status in workflow.FINAL:
            raise WorkflowError([Refusal("wrong_status", {"status": job.status})])
        return PhotoKind.INCIDENT, incident.stage_code, None
    claim_device(job, device_id)
    stage = workflow.require_open(facts_for(job), stage_code or "")
    if item_code is not None and not any(i["code"] == item_code for i in stage["items"]):
        raise WorkflowError([Refusal("unknown_item")])
    return workflow.STAGE_PHOTO_KIND[stage["kind"]], stage_code, item_code


@dataclass(frozen=True)
class StoredPhoto:
    """Where a processed photo's three files are kept."""

    storage_key: str
    thumb_key: str
    print_key: str


def store_photo_files(processed: ProcessedPhoto) -> StoredPhoto:
    """Write the photo, its thumbnail and its print copy to storage (content-addressed, so idempotent)."""
    storage = get_storage()
    return StoredPhoto(
        storage_key=storage.put(processed.image, "photos", ".jpg"),
        thumb_key=storage.put(processed.thumb, "thumbs", ".jpg"),
        print_key=storage.put(processed.print_image, "prints", ".jpg"),
    )


def add_photo(
    job: Job,
    user: User,
    device_id: str,
    processed: ProcessedPhoto,
    client_key: str,
    stage_code: str | None = None,
    item_code: str | None = None,
    incident: Incident | None = None,
    stored: StoredPhoto | None = None,
) -> Photo:
    """Keep a processed photo as evidence of an open stage, an item or an incident; once per key.

    `stored`: its files, when the caller wrote them before the write began (see store_photo_files).
    """
    existing = by_client_key(Photo, job, client_key)
    if existing is not None:
        return existing
    kind, stage_code, item_code = photo_place(job, device_id, stage_code, item_code, incident)
    stored = stored or store_photo_files(processed)
    photo = Photo(
        job_id=job.id,
        incident_id=incident.id if incident is not None else None,
        stage_code=stage_code,
        item_code=item_code,
        kind=kind,
        storage_key=stored.storage_key,
        thumb_key=stored.thumb_key,
        print_key=stored.print_key,
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.image),
        client_key=client_key,
        taken_at=processed.taken_at,
        uploaded_by_id=user.id,
    )
    db.session.add(photo)
    db.session.flush()
    log(
        user,
        job,
        "photo.add",
        photo=photo.id,
        stage=stage_code,
        item=item_code,
        kind=kind,
        sha256=processed.sha256,
        incident=incident.id if incident is not None else None,
    )
    db.session.commit()
    return photo
