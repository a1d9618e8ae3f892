"""Shared by the offline tests (issue #15): a worker with a job of today, logged in on a phone, and
what the server holds of that job once the phone's outbox has sent everything."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image
from sqlalchemy import select

from hk.extensions import db
from hk.models import ClientWrite, Event, ItemCheck, Job, Photo
from tests.builders import PASSWORD, make_job, make_user


@dataclass
class World:
    job: Job
    username: str

    def stage(self, kind: str) -> dict:
        return next(s for s in self.job.stages if s["kind"] == kind)


@pytest.fixture
def offline_world(app):
    """A worker and a job of theirs today, checked in and in its cleaning stage."""
    worker = make_user("worker")
    job = make_job(worker, state="cleaning", photos=True)
    return World(job=job, username=worker.username)


@pytest.fixture
def handover_world(app):
    """A worker and a job of theirs with every cleaning stage done, in its handover stage."""
    worker = make_user("worker")
    job = make_job(worker, state="handover", photos=True)
    return World(job=job, username=worker.username)


@pytest.fixture
def signing_world(app):
    """A worker and a job of theirs with every stage done, waiting for the customer's signature."""
    worker = make_user("worker")
    job = make_job(worker, state="awaiting_signature", photos=True)
    return World(job=job, username=worker.username)


def open_job(page, base: str, world: World) -> None:
    """Log in as the job's worker and open the job (its open stage) with signal."""
    from tests.e2e.conftest import log_in  # conftest imports this module for its fixture

    log_in(page, base, world.username, PASSWORD)
    page.wait_for_url(f"{base}/today")
    page.goto(f"{base}/jobs/{world.job.id}")
    page.wait_for_load_state("networkidle")


def do_stage_offline(page, stage: dict, tmp_path) -> int:
    """Every photo and tick of a stage on the phone; how many outbox entries that made."""
    from playwright.sync_api import expect

    photo_items = [i for i in stage["items"] if i["photo_required"]]
    for n, item in enumerate(photo_items):
        row = page.locator(f"#item-{item['code']}")
        row.get_by_test_id("photo-input").set_input_files(
            photo_file(tmp_path, f"{stage['code']}{n}.jpg", (40 * n, 90, 120))
        )
        expect(row.get_by_test_id("photo-pending")).to_have_count(1)
    for item in stage["items"]:
        row = page.locator(f"#item-{item['code']}")
        if row.get_by_test_id("tick").count():
            row.get_by_test_id("tick").click()
            expect(row.get_by_test_id("tick")).to_have_attribute("aria-checked", "true")
        else:
            row.get_by_test_id("answer-safe").click()
            expect(row.get_by_test_id("answer-safe")).to_have_attribute("aria-pressed", "true")
    return len(photo_items) + len(stage["items"])


def photo_file(tmp_path, name: str, colour=(180, 160, 120)) -> str:
    path = tmp_path / name
    Image.new("RGB", (1200, 900), colour).save(path, "JPEG", quality=85)
    return str(path)


KEPT = "url => caches.open('hk-pages').then(c => c.match(url)).then(Boolean)"


def no_signal(page, offline: bool) -> None:
    """No signal, for the service worker too: Chromium's emulated offline can miss a worker started
    meanwhile (its Background Sync then sent a write), so requests are also refused at the context."""
    page.context.set_offline(offline)
    if offline:
        page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    else:
        page.context.unroute("**/*")


def wait_until(page, expression: str, arg=None, timeout: float = 30.0) -> None:
    """Wait until an expression whose answer comes later (a Promise: the caches, the outbox) is true.

    page.wait_for_function takes a returned Promise for a true answer at once, without waiting for it.
    """
    step = 0.1
    for _ in range(int(timeout / step)):
        if page.evaluate(expression, arg):
            return
        page.wait_for_timeout(step * 1000)
    assert page.evaluate(expression, arg), f"{expression} ({arg}) still false after {timeout} s"


def held(job_id: int) -> dict:
    """What the server holds of the job: answers, notes, photos, events and the keys applied."""
    db.session.rollback()  # a fresh snapshot: the server's requests committed since the last look
    checks = db.session.scalars(select(ItemCheck).where(ItemCheck.job_id == job_id)).all()
    events = db.session.scalars(
        select(Event).where(Event.subject_type == "job", Event.subject_id == job_id).order_by(Event.id)
    ).all()
    return {
        "checks": {c.item_code: c for c in checks},
        "photos": db.session.scalars(select(Photo).where(Photo.job_id == job_id).order_by(Photo.id)).all(),
        "events": events,
        "keys": db.session.scalars(select(ClientWrite).where(ClientWrite.job_id == job_id)).all(),
        "job": db.session.get(Job, job_id),
    }


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 200, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def scheduled_world(app):
    """A worker and a job of theirs today, not yet checked in: the whole job is ahead."""
    worker = make_user("worker")
    job = make_job(worker)
    return World(job=job, username=worker.username)


def do_stage(page, stage: dict, photo: str) -> None:
    """Everything a stage asks on the phone: each photo, then each tick or safe answer; the
    pre-service agreement and the handover's boxes and one handed-back item."""
    from playwright.sync_api import expect

    for item in stage["items"]:
        row = page.locator(f"#item-{item['code']}")
        if item["photo_required"]:
            row.get_by_test_id("photo-input").set_input_files(photo)
            # (scaled on the phone first: seconds on a busy machine)
            expect(row.locator("[data-testid=photo], [data-testid=photo-pending]")).to_have_count(
                1, timeout=30_000
            )
        button = "answer-safe" if stage["kind"] == "safety" else "tick"
        row.get_by_test_id(button).click()
        expect(row.get_by_test_id(button)).to_have_class(re.compile("is-on"))
    if stage["kind"] == "pre_service":
        page.get_by_test_id("confirm-quote").check()
    if stage["kind"] == "post_service":
        page.get_by_test_id("handover-description").fill("入户门钥匙")
        page.get_by_test_id("add-handover-item").click()
        expect(page.get_by_test_id("handover-items")).to_contain_text("入户门钥匙", timeout=60_000)
        page.get_by_test_id("tools-removed").check()
