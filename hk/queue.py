"""The task queue: slow and timed work off the request (Huey).

Storage by configuration: Redis when ``HK_REDIS_URL`` is set (several app servers, several
workers); otherwise a SQLite file in ``instance/queue.db``, so ``make run`` needs no server. Tests
use ``QUEUE="memory"`` (tasks wait until the test runs them) or ``"immediate"`` (run at once).

Nothing is lost when the queue is: every task here works from what the database says must be done
(a pending record, say), and a periodic sweep enqueues again whatever a lost task left behind
(pending records, pending emails).
The worker runs as ``huey_consumer hk.worker.huey`` (``make run`` starts it beside the web server).
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

huey = Huey("hk", results=False, storage_class=MemoryStorage)
_apps: list[Flask] = []


def init_queue(app: Flask) -> None:
    """Point the queue at the storage this app is configured for."""
    kind = app.config.get("QUEUE") or ("redis" if app.config.get("REDIS_URL") else "sqlite")
    huey.immediate = kind == "immediate"
    if kind == "redis":
        huey.storage = RedisStorage("hk", url=app.config["REDIS_URL"])
    elif kind == "sqlite":
        path = Path(app.config.get("QUEUE_PATH") or Path(app.instance_path) / "queue.db")
        huey.storage = SqliteStorage("hk", filename=str(path))
    elif kind == "memory":
        huey.storage = MemoryStorage("hk")
    _apps[:] = [app]


def _context():
    """Tasks run in an app context: the caller's (tests, immediate mode) or the worker's app."""
    if has_app_context():
        return nullcontext()
    return _apps[0].app_context()


def enqueue(task, *args) -> bool:
    """Put a task on the queue; False (and a log line) when the queue cannot be reached.

    A task that could not be enqueued is not lost: the periodic sweep finds its work again.
    """
    try:
        task(*args)
    except Exception:  # the queue being down must never undo what the request committed
        current_app.logger.exception("could not enqueue %s%r", getattr(task, "name", task), args)
        return False
    return True


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after a failed attempt before the next: 1, 2, 4… minutes, at most 1 h."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def run_pending(limit: int = 1000) -> int:
    """Run every task now waiting, in this process (the tests' queue worker); returns how many ran."""
    count = 0
    while count < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        count += 1
    return count


@huey.task(retries=2, retry_delay=10, retry_backoff=3)
def make_record(record_id: int) -> None:
    """Render, sign, store and chain one record; retried after 10 s and 30 s, then by the sweep."""
    from hk.records.making import make_record as _make

    with _context():
        if not _make(record_id):
            raise RuntimeError(f"record {record_id} could not be made yet")


@huey.periodic_task(crontab(minute="*"))
def sweep_records() -> None:
    """Every minute: records left pending or failed whose back-off is over, and signed jobs with none."""
    from hk.records.making import records_due

    with _context():
        for record_id in records_due():
            make_record(record_id)


@huey.periodic_task(crontab(minute="*/5"))
def sweep_cases() -> None:
    """Every five minutes: resolved complaints the customer has not confirmed within a week close."""
    from hk.aftersales.cases import close_resolved
    from hk.database import writing

    with _context(), writing():
        close_resolved()


@huey.periodic_task(crontab(minute="*/5"))
def sweep_case_clocks() -> None:
    """Every five minutes: a complaint's owner told when 4 hours are left to answer it, the
    administrators when a clock is breached (each once: hk.aftersales.notify.warn_about_clocks)."""
    from hk.aftersales.notify import warn_about_clocks

    with _context():
        warn_about_clocks()


@huey.periodic_task(crontab(minute="17", hour="3"))
def sweep_client_keys() -> None:
    """Every night: the phones' client keys older than 90 days are forgotten (hk/phone_writes.py)."""
    from hk.database import writing
    from hk.phone_writes import forget_old_keys

    with _context(), writing():
        forget_old_keys()


@huey.task()
def send_message(message_id: int) -> None:
    """Send one queued email (at most once: the row is claimed first); failures are retried by the sweep."""
    from hk.mail.service import deliver

    with _context():
        deliver(message_id)


@huey.periodic_task(crontab(minute="*"))
def sweep_messages() -> None:
    """Every minute: messages whose task was lost or whose back-off is over; interrupted tries fail."""
    from hk.mail.service import sweep

    with _context():
        for message_id in sweep():
            send_message(message_id)
