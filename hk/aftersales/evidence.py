"""The evidence beside a case about a job: its signed record, before/after photos, checklist answers,
the customer's signature and the price they agreed. Read from the job and its record; nothing writes."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from hk.extensions import db
from hk.models import Job, RenderStatus, ServiceRecord, SignOff
from hk.records import service as records
from hk.records.review import photo_pairs, review_data
from hk.storage import get_storage


@dataclass
class Evidence:
    job: Job
    record: ServiceRecord | None  # the current version of the job's record
    data: dict  # hk.records.review.review_data: stages with answers, quote, handover
    pairs: list  # before/after photo pairs
    signoff: SignOff | None
    signature: str | None  # the signature as a data: URL (a few KB), shown without another request
    total: Decimal

    @property
    def pdf_ready(self) -> bool:
        return self.record is not None and self.record.render_status == RenderStatus.DONE


def _signature(signoff: SignOff | None) -> str | None:
    if signoff is None or not signoff.signature_key:
        return None
    try:
        png = get_storage().get(signoff.signature_key)
    except (OSError, ValueError):  # the bytes are missing: show the page without the picture
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def evidence_of(job: Job | None) -> Evidence | None:
    """Everything the record shows about the job, for the case page."""
    if job is None:
        return None
    data = review_data(job)
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    total = job.quote_confirmed_total if job.quote_confirmed_total is not None else job.quote_total
    return Evidence(
        job=job,
        record=records.current_record(job.id),
        data=data,
        pairs=photo_pairs(data),
        signoff=signoff,
        signature=_signature(signoff),
        total=total,
    )
