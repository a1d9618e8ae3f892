"""Copy every blob the database refers to from one storage to another (`flask hk storage-copy`).

Keys are content addresses (`prefix/<sha[:2]>/<sha><suffix>`), so each blob is checked against its
own key, and against the hash its row keeps where it keeps one (a record's pdf_sha256, a photo's
sha256, a signature's signature_sha256). Nothing corrupt is copied; a blob already at the target
with the right bytes is left as it is, so the copy can be run again after an interruption.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from hk.extensions import db
from hk.models import CasePhoto, Certificate, Photo, ServiceRecord, SignOff
from hk.storage import Storage, split_content_key

# Every column that holds a storage key, with the column keeping that blob's sha256 where there is
# one, and what the blob is (tests/test_storage_copy.py checks no *_key column is left out).
KEY_COLUMNS = [
    (Photo.storage_key, Photo.sha256, "photo"),
    (Photo.thumb_key, None, "photo thumbnail"),
    (Photo.print_key, None, "photo print copy"),
    (CasePhoto.storage_key, CasePhoto.sha256, "complaint photo"),
    (CasePhoto.thumb_key, None, "complaint photo thumbnail"),
    (Certificate.scan_key, None, "certificate scan"),
    (SignOff.signature_key, SignOff.signature_sha256, "signature"),
    (ServiceRecord.pdf_key, ServiceRecord.pdf_sha256, "record PDF"),
]


class Outcome(StrEnum):
    COPIED = "copied"
    PRESENT = "already there"
    REPLACED = "replaced"  # other bytes were at the target under that key
    MISSING = "missing"
    CORRUPT = "corrupt"
    FAILED = "failed"  # the storage answered with an error: run the copy again


PROBLEMS = (Outcome.MISSING, Outcome.CORRUPT, Outcome.FAILED)


@dataclass
class Blob:
    key: str
    what: str
    hashes: set[str] = field(default_factory=set)  # what the rows referring to it say its sha256 is


@dataclass(frozen=True)
class Result:
    blob: Blob
    outcome: Outcome
    size: int = 0
    detail: str = ""


@dataclass
class Report:
    results: list[Result]
    seconds: float

    @property
    def counts(self) -> Counter:
        return Counter(result.outcome for result in self.results)

    @property
    def replaced(self) -> list[Result]:
        return [result for result in self.results if result.outcome == Outcome.REPLACED]

    @property
    def problems(self) -> list[Result]:
        return [result for result in self.results if result.outcome in PROBLEMS]

    @property
    def bytes_copied(self) -> int:
        done = (Outcome.COPIED, Outcome.REPLACED)
        return sum(result.size for result in self.results if result.outcome in done)


def referenced_blobs() -> list[Blob]:
    """Every key the database refers to, once, in key order, with the hashes its rows keep."""
    blobs: dict[str, Blob] = {}
    for column, sha_column, what in KEY_COLUMNS:
        columns = (column, sha_column) if sha_column is not None else (column,)
        for row in db.session.execute(select(*columns).where(column.is_not(None)).distinct()):
            blob = blobs.setdefault(row[0], Blob(row[0], what))
            if sha_column is not None and row[1]:
                blob.hashes.add(row[1])
    return [blobs[key] for key in sorted(blobs)]


def _wrong(blob: Blob, data: bytes) -> str:
    """Why these bytes are not the blob's, or "" when they are."""
    sha = hashlib.sha256(data).hexdigest()
    parts = split_content_key(blob.key)
    if parts is None:
        return "its key is not a content address"
    if sha != parts[1]:
        return f"its bytes hash to {sha}, not to the sha256 in its key"
    if blob.hashes - {sha}:
        return f"its bytes hash to {sha}, its {blob.what} row says {', '.join(sorted(blob.hashes - {sha}))}"
    return ""


def copy_blob(source: Storage, target: Storage, blob: Blob) -> Result:
    """Copy one blob unless the target has it with the right bytes; never copy bytes that are wrong."""
    replacing = False
    if target.exists(blob.key):
        if not _wrong(blob, target.get(blob.key)):
            return Result(blob, Outcome.PRESENT)
        replacing = True
    try:
        data = source.get(blob.key)
    except FileNotFoundError:
        return Result(blob, Outcome.MISSING, detail="not in the storage copied from")
    wrong = _wrong(blob, data)
    if wrong:
        return Result(blob, Outcome.CORRUPT, len(data), wrong)
    prefix, _, suffix = split_content_key(blob.key)
    if replacing:
        target.delete(blob.key)  # put keeps what a key already holds
    stored = target.put(data, prefix, suffix)
    if stored != blob.key:  # cannot happen for a content address; a copy under another name is no copy
        raise RuntimeError(f"{blob.key} was stored as {stored}")
    if replacing:
        return Result(blob, Outcome.REPLACED, len(data), "other bytes were at the target")
    return Result(blob, Outcome.COPIED, len(data))


def _copy_or_fail(source: Storage, target: Storage, blob: Blob) -> Result:
    try:
        return copy_blob(source, target, blob)
    except Exception as error:  # one blob's error (a dropped connection…) must not stop the others
        return Result(blob, Outcome.FAILED, detail=f"{type(error).__name__}: {error}")


def copy_all(source: Storage, target: Storage, blobs: list[Blob], jobs: int = 8) -> Report:
    """Copy the blobs, `jobs` at a time (the time goes in waiting for the network or the disk)."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda blob: _copy_or_fail(source, target, blob), blobs))
    return Report(results, time.monotonic() - started)
