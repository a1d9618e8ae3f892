"""The queue: a real worker process makes records; the sweep finds lost work; failures back off."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from hk.extensions import db
from hk.models import RenderStatus, ServiceRecord, SignOff, utcnow
from hk.queue import huey, init_queue, run_pending, sweep_records
from hk.records.making import records_due, retry_delay
from hk.records.service import verify_chain
from tests.builders import make_user
from tests.test_concurrency import _client_for, _ready_to_sign, _sign_call

# Timing-sensitive (threads at a barrier, forked queue workers): one after another in one worker.
pytestmark = pytest.mark.xdist_group("alone")
ROOT = Path(__file__).resolve().parent.parent
WORKER_ARGS = ["--workers", "2", "--worker-type", "process", "--quiet"]  # as scripts/run.sh starts it


def _signed_job(app):
    worker = make_user("worker")
    job = _ready_to_sign(worker)
    assert _sign_call(_client_for(app, worker), job.id)().status_code == 303
    return job


def test_worker_processes_make_the_records_the_signings_enqueued(app, tmp_path):
    """As make run starts it: two forked worker processes, a SQLite queue file, records in one chain."""
    queue_file = tmp_path / "queue.db"
    app.config.update(QUEUE="sqlite", QUEUE_PATH=str(queue_file))
    init_queue(app)
    try:
        jobs = [_signed_job(app) for _ in range(3)]
        records = db.session.scalars(select(ServiceRecord)).all()
        assert [r.render_status for r in records] == [RenderStatus.PENDING] * 3 and len(huey) == 3
        env = {
            **os.environ,
            "HK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "HK_INSTANCE_PATH": app.instance_path,
            "HK_QUEUE": "sqlite",
            "HK_QUEUE_PATH": str(queue_file),
        }
        consumer = [str(Path(sys.executable).parent / "huey_consumer"), "hk.worker.huey", *WORKER_ARGS]
        process = subprocess.Popen(consumer, cwd=ROOT, env=env)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                db.session.rollback()
                done = db.session.scalars(
                    select(ServiceRecord).where(ServiceRecord.render_status == RenderStatus.DONE)
                ).all()
                if len(done) == len(jobs):
                    break
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(20)
        db.session.rollback()
        made = db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.chain_seq)).all()
        assert [r.render_status for r in made] == [RenderStatus.DONE] * 3, [r.render_error for r in made]
        assert [r.chain_seq for r in made] == [1, 2, 3]
        assert verify_chain() == []
    finally:
        app.config.update(QUEUE="immediate")
        init_queue(app)


def test_the_sweep_makes_a_record_for_a_signed_job_that_has_none(app, queued):
    job = _signed_job(app)
    huey.storage.flush_all()  # the message was lost
    db.session.execute(delete(ServiceRecord))  # and so was the record (a crash before it was made)
    db.session.commit()
    assert db.session.scalar(select(SignOff).where(SignOff.job_id == job.id)) is not None
    sweep_records.call_local()
    assert run_pending() == 1
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == RenderStatus.DONE


def test_two_workers_sweeping_at_the_same_instant_recover_a_lost_record_once(app, queued):
    """Every queue worker runs the sweep (several servers, several workers): a signed job found without
    its record gets one, not one per worker."""
    from sqlalchemy import func

    from hk.models import Event
    from tests.test_concurrency import _at_once

    job = _signed_job(app)
    huey.storage.flush_all()
    db.session.execute(delete(ServiceRecord))
    db.session.commit()

    def sweep():
        with app.app_context():
            return records_due()

    found = _at_once([sweep, sweep, sweep])
    db.session.expire_all()
    records = db.session.scalars(select(ServiceRecord).where(ServiceRecord.job_id == job.id)).all()
    assert len(records) == 1 and sorted(map(len, found)) == [0, 0, 1]
    recovered = select(func.count(Event.id)).where(
        Event.subject_id == job.id, Event.action == "record.recover"
    )
    assert db.session.scalar(recovered) == 1


def test_a_failing_record_is_tried_again_after_a_growing_delay(app, queued, monkeypatch):
    import hk.records.making as making

    monkeypatch.setattr(making, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    job = _signed_job(app)
    huey.storage.flush_all()
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    # not yet tried: the sweep leaves it to the queue for two minutes
    assert records_due(utcnow()) == []
    assert records_due(utcnow() + timedelta(minutes=3)) == [record.id]
    for attempt in (1, 2, 3):
        assert making.make_record(record.id) is False
        db.session.expire_all()
        failed = db.session.get(ServiceRecord, record.id)
        assert failed.render_status == RenderStatus.FAILED and "disk full" in failed.render_error
        assert failed.render_attempts == attempt
        tried = failed.render_attempted_at
        assert records_due(tried + retry_delay(attempt) - timedelta(seconds=1)) == []
        assert records_due(tried + retry_delay(attempt)) == [record.id]
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [60, 120, 240, 3600, 3600]
    monkeypatch.undo()
    assert making.make_record(record.id) is True
    db.session.expire_all()
    assert db.session.get(ServiceRecord, record.id).render_status == RenderStatus.DONE


def test_supervisors_see_records_that_fail_or_wait_too_long_not_those_being_made(
    app,
    queued,
    monkeypatch,
):
    import hk.records.making as making

    job = _signed_job(app)
    supervisor = _client_for(app, make_user("supervisor"))
    assert 'data-testid="stuck-records"' not in supervisor.get("/overview").get_data(as_text=True)
    assert "部分记录尚未生成" not in supervisor.get("/records").get_data(as_text=True)
    monkeypatch.setattr(making, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    assert run_pending() == 1
    page = supervisor.get("/overview").get_data(as_text=True)
    assert 'data-testid="stuck-records"' in page and "disk full" in page and job.number in page
    assert "部分记录尚未生成" in supervisor.get("/records").get_data(as_text=True)
    # a record pending for more than two minutes is shown too, though it has not failed
    monkeypatch.undo()
    second = _signed_job(app)
    huey.storage.flush_all()
    later = utcnow() + timedelta(minutes=3)
    assert [r.job_id for r in making.stuck_records(later)] == [job.id, second.id]


def test_every_page_prints_the_previous_records_hash_inside_the_signature(app, queued, tmp_path):
    from hk.records.service import company_keys
    from hk.records.signing import Verdict, check_pdf
    from hk.storage import get_storage

    first, second = _signed_job(app), _signed_job(app)
    assert run_pending() == 2
    rows = {
        r.job_id: r for r in db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.chain_seq)).all()
    }
    earlier, later = rows[first.id], rows[second.id]
    if earlier.chain_seq > later.chain_seq:
        earlier, later = later, earlier
    assert later.prev_chain_hash == earlier.chain_hash
    pdf = get_storage().get(later.pdf_key)
    path = tmp_path / "later.pdf"
    path.write_bytes(pdf)
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True
        ).stdout
        for n in range(1, later.pages + 1)
    ]
    assert all(f"{earlier.chain_hash[:16]}…" in page for page in pages)
    check = check_pdf(pdf, company_keys().ca_cert_pem)
    assert check.verdict == Verdict.GENUINE and check.covers_whole_file
