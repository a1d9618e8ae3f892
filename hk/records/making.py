"""Making a record, off the request: render, sign, store, and append it to the archive chain.

Every page of a record prints the hash of the record before it in the chain. Rendering (about
0.4 s of CPU) runs first, beside other records, leaving an empty space for that hash. Then the
record takes the chain's turn — one record at a time across every process and server (a PostgreSQL
advisory lock, or a lock file beside the SQLite database) — reads the chain's last hash, writes it
into the space, signs, stores and links the record. The turn lasts tens of milliseconds, so no
record waits long for its place and none ever loses a race for it. The turn is not a database
write lock: the database is written only for the few milliseconds of the final update, which also
queues the customer's email with the record's link (when they gave an address; hk/mail).
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, select, text

from hk.database import lock_for_write, reading, writing
from hk.extensions import db
from hk.mail import notices
from hk.mail.service import send_soon
from hk.models import Job, RenderStatus, ServiceRecord, SignOff, record_event, utcnow
from hk.queue import retry_delay
from hk.records.render import RenderedRecord, render_pdf
from hk.records.review import missing_photos, review_data
from hk.records.service import GENESIS, add_record, chain_hash, company_keys
from hk.records.signing import sign_pdf
from hk.records.stamp import PageStamp
from hk.storage import get_storage

CHAIN_LOCK_KEY = 0x686B_6368  # "hkch": the advisory lock of the archive chain
FIRST_SWEEP_AFTER = timedelta(minutes=2)  # a pending record the queue should have made by now


@contextmanager
def chain_turn() -> Iterator[None]:
    """Hold the archive chain: records are appended one after the other, whatever the process."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": CHAIN_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": CHAIN_LOCK_KEY})
                conn.commit()
    else:
        path = Path(current_app.instance_path) / "chain.lock"
        with path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _chain_tail() -> tuple[str, int]:
    last = db.session.execute(
        select(ServiceRecord.chain_hash, ServiceRecord.chain_seq)
        .where(ServiceRecord.chain_seq.is_not(None))
        .order_by(ServiceRecord.chain_seq.desc())
        .limit(1)
    ).first()
    return (last.chain_hash, last.chain_seq) if last else (GENESIS, 0)


@dataclass(frozen=True)
class _Rendered:
    """A record's PDF, rendered but not yet signed or placed in the chain."""

    pdf: RenderedRecord
    code: str
    version: int
    reason: str
    missing_photos: bool


def make_record(record_id: int) -> bool:
    """Make one record's PDF and link it into the chain; True when it exists (now or before).

    The slow rendering runs first, beside other records; then, holding the chain's turn, the
    previous record's hash is written into the PDF, which is signed, stored and linked.
    """
    try:
        rendered = _render(record_id)
        if rendered is None:
            return db.session.get(ServiceRecord, record_id) is not None
        with chain_turn():
            db.session.rollback()  # a fresh look, after the record before this one was committed
            with reading():
                if db.session.get(ServiceRecord, record_id).render_status == RenderStatus.DONE:
                    db.session.rollback()
                    return True  # another worker made it meanwhile
                prev_hash, seq = _chain_tail()
                db.session.rollback()
            signed = sign_pdf(
                rendered.pdf.pdf,
                company_keys(),
                reason=rendered.reason,
                location=current_app.config.get("COMPANY_NAME") or "hk",
                stamp=PageStamp(prev_hash[:16] + "\u2026", rendered.pdf.hash_places),
            )
            digest = hashlib.sha256(signed).hexdigest()
            pdf_key = get_storage().put(signed, "records", ".pdf")
            with writing():
                record = db.session.get(ServiceRecord, record_id, populate_existing=True)
                record.flag_missing_photos = rendered.missing_photos
                record.pages = rendered.pdf.pages
                record.prev_chain_hash = prev_hash
                record.pdf_key, record.pdf_sha256, record.size_bytes = pdf_key, digest, len(signed)
                record.chain_seq = seq + 1
                record.chain_hash = chain_hash(prev_hash, digest, rendered.code, rendered.version)
                record.render_status, record.render_error = RenderStatus.DONE, None
                record.rendered_at = record.render_attempted_at = utcnow()
                record.render_attempts += 1
                message_id = _queue_email(record)
                db.session.commit()
            if message_id is not None:
                send_soon(message_id)
            return True
    except Exception as exc:  # the signature and the job stay; the sweep tries again later
        db.session.rollback()
        current_app.logger.exception("record %s could not be made", record_id)
        with writing():
            record = db.session.get(ServiceRecord, record_id)
            if record is not None:
                record.render_status = RenderStatus.FAILED
                record.render_error = f"{type(exc).__name__}: {exc}"[:2000]
                record.render_attempts += 1
                record.render_attempted_at = utcnow()
                db.session.commit()
        return False


def _queue_email(record: ServiceRecord) -> int | None:
    """The customer's email with the record's link, in the record's transaction (when they have an
    address). A failure here is logged and never costs the record: it is undone alone (a savepoint)."""
    try:
        with db.session.begin_nested():
            message = notices.record_ready(record)
    except Exception:
        current_app.logger.exception("the email for record %s could not be queued", record.id)
        return None
    return message.id if message is not None else None


def _render(record_id: int) -> _Rendered | None:
    """Read the job and render its PDF in a read transaction; None when the record is already made."""
    db.session.rollback()
    with reading():
        record = db.session.get(ServiceRecord, record_id, populate_existing=True)
        if record is None or record.render_status == RenderStatus.DONE:
            db.session.rollback()
            return None
        signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == record.job_id))
        data = review_data(record.job)
        rendered = _Rendered(
            pdf=render_pdf(record, signoff, data),
            code=record.code,
            version=record.version,
            reason=f"Service record {record.job.number}-v{record.version}",
            missing_photos=missing_photos(data),
        )
        db.session.rollback()  # end the read; the write that follows is short
    return rendered


def records_due(now=None) -> list[int]:
    """Records the queue should (re)make now; a signed job found with no record at all gets one."""
    now = now or utcnow()
    due = _recover_orphans()
    for record in db.session.scalars(
        select(ServiceRecord)
        .where(ServiceRecord.render_status != RenderStatus.DONE)
        .order_by(ServiceRecord.id)
    ):
        if record.id in due:
            continue
        if record.render_attempted_at is None:
            if record.created_at <= now - FIRST_SWEEP_AFTER:
                due.append(record.id)
        elif record.render_attempted_at + retry_delay(record.render_attempts) <= now:
            due.append(record.id)
    db.session.rollback()
    return due


def _recover_orphans() -> list[int]:
    """A pending record for each signed job found with none. Every queue worker sweeps (several at the
    same minute when several run), so each job is locked and looked at again before it gets one."""
    orphans = db.session.scalars(
        select(SignOff.job_id).where(~exists().where(ServiceRecord.job_id == SignOff.job_id))
    ).all()
    made: list[int] = []
    if not orphans:
        db.session.rollback()
        return made
    with writing():
        for job_id in orphans:
            job = lock_for_write(Job, job_id)  # a twin sweep waits here, then finds the record
            if db.session.scalar(select(exists().where(ServiceRecord.job_id == job_id))):
                continue
            signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job_id))
            record = add_record(job, signoff, None)
            record_event(None, "job", job.id, "record.recover", record=record.id)
            made.append(record.id)
        db.session.commit()
    return made


def stuck_records(now=None, limit: int = 20) -> list[ServiceRecord]:
    """Records supervisors must know about: failed, or still not made after two minutes; oldest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(ServiceRecord)
            .where(
                (ServiceRecord.render_status == RenderStatus.FAILED)
                | (
                    (ServiceRecord.render_status == RenderStatus.PENDING)
                    & (ServiceRecord.created_at <= now - FIRST_SWEEP_AFTER)
                )
            )
            .order_by(ServiceRecord.id)
            .limit(limit)
        )
    )


def make_all_waiting() -> tuple[int, int]:
    """Make every record still pending or failed, now (the CLI); returns (made, still failing)."""
    ids = db.session.scalars(
        select(ServiceRecord.id)
        .where(ServiceRecord.render_status != RenderStatus.DONE)
        .order_by(ServiceRecord.id)
    ).all()
    made = sum(1 for record_id in ids if make_record(record_id))
    return made, len(ids) - made
