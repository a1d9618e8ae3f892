"""Writes sent by the phone's outbox (static/js/outbox.js): applied once, with the phone's time.

Every job write the phone makes carries two headers:
- ``X-HK-Client-Key``: the phone's name for this one write. ``load_job`` calls ``take_client_key``
  under the job's lock (a write transaction): a key the job already has is a replay, answered 200
  with ``X-HK-Replayed: 1`` and nothing changed; a new key is inserted in the write's transaction,
  so it is committed with the change it names, or rolled back with it (a refusal records nothing, so the
  phone may send the same entry again once the worker has fixed what was refused).
- ``X-HK-Happened-At``: when it was made on the phone (ms since the epoch, the phone's clock),
  believed within bounds (``hk.domain.phone_time``). ``record_event`` keeps it beside the arrival,
  and ``happened_now()`` gives it to the times a record shows (a tick's, a stage's).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, g, has_request_context, request
from sqlalchemy import delete

from hk.database import SAFE_METHODS, wants_write
from hk.domain.phone_time import believable, parse_phone_ms
from hk.extensions import db
from hk.models import ClientWrite, Job, utcnow
from hk.models.types import insert_or_not

KEY_HEADER = "X-HK-Client-Key"
HAPPENED_HEADER = "X-HK-Happened-At"
REPLAYED_HEADER = "X-HK-Replayed"


class AlreadyApplied(Exception):
    """The phone sent again a write the job already has: answered 2xx, nothing changed."""


def client_key() -> str | None:
    """The request's client key, if the phone's outbox sent it. A key longer than the 64 characters
    kept is refused (400), never cut: two keys alike in their first 64 would be taken for one write."""
    key = (request.headers.get(KEY_HEADER) or "").strip()
    if len(key) > 64:
        abort(400)
    return key or None


def _note_phone_time(job: Job) -> None:
    raw = request.headers.get(HAPPENED_HEADER)
    if raw is None:
        return
    g.hk_happened_at = believable(parse_phone_ms(raw), utcnow(), job.scheduled_start)
    g.hk_happened_raw = None if g.hk_happened_at else raw[:32]


def take_client_key(job: Job) -> None:
    """Refuse a replay of a key the job has; in a write, keep the new key with the change."""
    if not has_request_context() or request.method in SAFE_METHODS:
        return
    _note_phone_time(job)
    key = client_key()
    if key is None:
        return
    if not wants_write():  # a view that reads first (a photo, a signature): a replay answered early
        if db.session.get(ClientWrite, (job.id, key)) is not None:
            raise AlreadyApplied()
        return
    # In the write: the key is inserted at once, in the change's transaction (one statement, no
    # lookup first); a key already there is a replay. The same request may load its job twice in one
    # transaction: the key it took is its own.
    transaction = db.session().get_transaction()
    if g.get("hk_key_taken") == (transaction, job.id, key):
        return
    if not _insert_key(job, key):
        raise AlreadyApplied()
    g.hk_key_taken = (transaction, job.id, key)


def _insert_key(job: Job, key: str) -> bool:
    """Keep the key with this transaction's change; False when the job has it already."""
    table = ClientWrite.__table__
    statement = (
        insert_or_not(table, db.session.get_bind().dialect.name)
        .values(
            job_id=job.id,
            client_key=key,
            endpoint=(request.endpoint or "")[:64],
            arrived_at=utcnow(),
            happened_at=g.get("hk_happened_at"),
        )
        .on_conflict_do_nothing(index_elements=[table.c.job_id, table.c.client_key])
        .returning(table.c.job_id)
    )
    return db.session.execute(statement).first() is not None


KEYS_KEPT = timedelta(days=90)  # far longer than any phone stays without signal with a job's writes


def forget_old_keys(now: datetime | None = None) -> int:
    """Forget the client keys that arrived more than KEYS_KEPT ago (the table would grow by a job's
    hundred-odd writes for ever); how many. A phone replaying a write that old finds its job long
    finished, and the workflow refuses the change as it would any other."""
    cutoff = (now or utcnow()) - KEYS_KEPT
    forgotten = db.session.execute(delete(ClientWrite).where(ClientWrite.arrived_at < cutoff)).rowcount
    db.session.commit()
    return forgotten


def happened_now() -> datetime:
    """When the change being made happened: the phone's time when believed, else now."""
    if has_request_context() and g.get("hk_happened_at") is not None:
        return g.hk_happened_at
    return utcnow()


def replayed_response():
    """What a replay answers: success, an empty body, and a header saying it was already applied."""
    return "", 200, {REPLAYED_HEADER: "1"}
