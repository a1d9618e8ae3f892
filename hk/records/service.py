"""The archive: make, sign, chain, verify and correct service records; customer links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import (
    Job,
    RecordStatus,
    RenderStatus,
    ReviewStatus,
    ServiceRecord,
    SignOff,
    SignOffKind,
    User,
    record_event,
    utcnow,
)
from hk.records.signing import CompanyKeys, SignatureCheck, Verdict, check_pdf, load_company_keys
from hk.storage import get_storage

GENESIS = "0" * 64
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper


def company_keys(create: bool | None = None) -> CompanyKeys:
    """The company's signing keys: HK_SIGNING_PKCS12's, else those under instance/signing, made there
    on first use unless several servers may run (SIGNING_KEYS_ON_FIRST_USE, hk/config.py; `create`
    overrides it: `flask hk init-signing`). SigningKeysMissing when there are none to use."""
    cfg = current_app.config
    cached = current_app.extensions.get("hk_keys")
    if cached is None:
        cached = load_company_keys(
            Path(current_app.instance_path),
            cfg.get("COMPANY_NAME") or "hk",
            cfg.get("SIGNING_PKCS12"),
            cfg.get("SIGNING_PKCS12_PASSWORD"),
            create=cfg.get("SIGNING_KEYS_ON_FIRST_USE", True) if create is None else create,
        )
        current_app.extensions["hk_keys"] = cached
    return cached


def new_code() -> str:
    """A short public record code, e.g. 7KQ2-M9XA."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def chain_hash(prev_hash: str, pdf_sha256: str, code: str, version: int) -> str:
    """The link of one record in the archive chain."""
    return hashlib.sha256(f"{prev_hash}|{pdf_sha256}|{code}|{version}".encode()).hexdigest()


def add_record(
    job: Job,
    signoff: SignOff,
    actor: User | None,
    supersedes: ServiceRecord | None = None,
    reason: str | None = None,
) -> ServiceRecord:
    """A pending record for a signed (or refused) job, in the caller's transaction; the queue makes it.

    The caller commits, then enqueues hk.queue.make_record; the periodic sweep makes it anyway if that
    message is lost.
    """
    record = ServiceRecord(
        job=job,
        code=new_code(),
        version=(supersedes.version + 1) if supersedes else 1,
        supersedes=supersedes,
        correction_reason=reason,
        language=signoff.language,
        flag_incident=bool(job.incidents),
        flag_refused=signoff.kind == SignOffKind.REFUSED,
    )
    if supersedes is not None:
        supersedes.status = RecordStatus.SUPERSEDED
    db.session.add(record)
    db.session.flush()
    record_event(actor, "job", job.id, "record.create", record=record.id, version=record.version)
    return record


@dataclass
class ChainProblem:
    seq: int | None
    code: str | None
    problem: str


def verify_chain() -> list[ChainProblem]:
    """Walk the archive in chain order: every link, every stored PDF's hash, no gaps."""
    problems: list[ChainProblem] = []
    storage = get_storage()
    prev = GENESIS
    expected_seq = 1
    records = db.session.scalars(
        select(ServiceRecord).where(ServiceRecord.chain_seq.is_not(None)).order_by(ServiceRecord.chain_seq)
    ).all()
    for record in records:
        if record.chain_seq != expected_seq:
            problems.append(
                ChainProblem(expected_seq, None, f"records {expected_seq}–{record.chain_seq - 1} are missing")
            )
        if record.prev_chain_hash != prev:
            problems.append(
                ChainProblem(record.chain_seq, record.code, "does not link to the record before it")
            )
        if record.chain_hash != chain_hash(
            record.prev_chain_hash, record.pdf_sha256, record.code, record.version
        ):
            problems.append(
                ChainProblem(record.chain_seq, record.code, "its chain hash does not match its content")
            )
        try:
            stored = storage.get(record.pdf_key)
        except (FileNotFoundError, ValueError):
            problems.append(ChainProblem(record.chain_seq, record.code, "its PDF is missing from storage"))
        else:
            if hashlib.sha256(stored).hexdigest() != record.pdf_sha256:
                problems.append(ChainProblem(record.chain_seq, record.code, "its stored PDF was altered"))
        prev = record.chain_hash
        expected_seq = record.chain_seq + 1
    return problems


@dataclass
class UploadVerdict:
    verdict: Verdict
    record: ServiceRecord | None
    signature: SignatureCheck | None  # None when the answer came without parsing the file


# A record as issued has two or three revisions (the page, the signature, maybe a time stamp) and a
# few hundred objects; a file far beyond that is not one of ours as issued, and parsing it would only
# cost the server time (tens of thousands of appended updates once took ~55 s of CPU).
MAX_REVISIONS = 12
MAX_OBJECTS = 20_000


def verify_upload(pdf: bytes) -> UploadVerdict:
    """Genuine only when the bytes are exactly an archived record, signed by us at archiving.

    Decided by hash first: an archived record is known without parsing it. Anything else is parsed
    (to tell "ours, but changed" from "not ours") only when its size and shape are those a record
    can have; otherwise it is not genuine, and that is all the answer says.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.pdf_sha256 == digest))
    if record is not None and record.render_status == RenderStatus.DONE:
        return UploadVerdict(Verdict.GENUINE, record, None)
    if pdf.count(b"%%EOF") > MAX_REVISIONS or pdf.count(b" obj") > MAX_OBJECTS:
        return UploadVerdict(Verdict.UNKNOWN, None, None)
    check = check_pdf(pdf, company_keys().ca_cert_pem)
    verdict = Verdict.ALTERED if check.verdict == Verdict.ALTERED or check.trusted else Verdict.UNKNOWN
    return UploadVerdict(verdict, None, check)


def correct_record(record: ServiceRecord, actor: User, reason: str) -> ServiceRecord:
    """A correction: a new version from the job as it is now; the old version stays, superseded.

    Committed here; the caller enqueues the new version to be made.
    """
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == record.job_id))
    new = add_record(record.job, signoff, actor, supersedes=record, reason=reason.strip())
    db.session.commit()
    return new


def review(record: ServiceRecord, actor: User, approve: bool, reason: str = "") -> None:
    """A supervisor approves a record or sends it back with a reason."""
    record.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.SENT_BACK
    record.review_reason = reason.strip() or None
    record.reviewed_by_id, record.reviewed_at = actor.id, utcnow()
    record_event(
        actor,
        "job",
        record.job_id,
        "record.approve" if approve else "record.send_back",
        record=record.id,
        reason=record.review_reason,
    )
    db.session.commit()


def current_record(job_id: int) -> ServiceRecord | None:
    """The job's current record version."""
    return db.session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.job_id == job_id, ServiceRecord.status == RecordStatus.CURRENT
        )
    )


def records_count() -> int:
    """How many records the archive holds."""
    return db.session.scalar(select(func.count(ServiceRecord.id)))
