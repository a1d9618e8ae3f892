"""A stage completed without signal: checked on the phone as the server would, shown complete and
waiting at once, sent in order when the signal returns; refused on sync, it comes back as a task the
worker fixes (issue #15)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, Job, StageCompletion
from tests.e2e.conftest import shot
from tests.e2e.offline_world import KEPT, do_stage_offline, open_job, wait_until

pytestmark = pytest.mark.e2e


def _ready_offline(page, live_server, world):
    open_job(page, live_server, world)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # under the service worker: the job's screens are kept
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)


def _completions(job_id: int, stage_code: str) -> int:
    db.session.rollback()
    query = select(func.count(StageCompletion.id)).where(
        StageCompletion.job_id == job_id, StageCompletion.stage_code == stage_code
    )
    return db.session.scalar(query)


def test_a_stage_completed_offline_is_checked_on_the_phone_and_sent_once(
    app, offline_world, live_server, phone, tmp_path
):
    page, world = phone, offline_world
    stage = world.stage("cleaning")
    following = world.job.stages[world.job.stages.index(stage) + 1]
    open_job(page, live_server, world)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # under the service worker: the job's screens are kept, the locked ones too
    wait_until(page, KEPT, f"/jobs/{world.job.id}/stages/{following['code']}")
    page.context.set_offline(True)
    page.get_by_test_id("complete-stage").click()  # nothing done yet: said at once, nothing queued
    refusals = page.get_by_test_id("refusals")
    expect(refusals).to_be_visible()
    expect(refusals.get_by_test_id("missing-link")).to_have_count(
        len(stage["items"]) + sum(1 for i in stage["items"] if i["photo_required"])
    )
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved")

    made = do_stage_offline(page, stage, tmp_path)
    page.get_by_test_id("complete-stage").click()
    expect(page.locator(".stage-title .badge-completed")).to_be_visible()
    expect(page.locator(".stage-title [data-testid=pending-mark]")).to_be_visible()
    expect(page.get_by_test_id("next-step")).to_be_visible()
    expect(page.get_by_test_id("outbox")).to_contain_text(re.compile(rf"[(（]{made + 1}[)）]"))
    shot(page, "offline-stage-complete-zh")
    assert _completions(world.job.id, stage["code"]) == 0

    # On to the next step, whose page was kept while it was locked: it opens on this phone.
    page.get_by_test_id("next-step").click()
    page.wait_for_url(re.compile(rf"/stages/{following['code']}$"))
    expect(page.get_by_test_id("complete-stage")).to_be_visible()
    shot(page, "offline-stage-opened-zh")
    made += do_stage_offline(page, following, tmp_path)
    page.get_by_test_id("complete-stage").click()
    expect(page.get_by_test_id("next-step")).to_be_visible()
    expect(page.get_by_test_id("outbox")).to_contain_text(re.compile(rf"[(（]{made + 2}[)）]"))

    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/stages/(?!" + re.escape(following["code"]) + r"$)[^/]+$"), timeout=60_000)
    assert _completions(world.job.id, stage["code"]) == 1
    assert _completions(world.job.id, following["code"]) == 1
    done = db.session.scalars(
        select(Event)
        .where(Event.action == "stage.complete", Event.subject_id == world.job.id)
        .order_by(Event.id)
    ).all()
    assert [e.data["stage"] for e in done][-2:] == [stage["code"], following["code"]]  # in order
    assert all(e.happened_at is not None and e.happened_at <= e.at for e in done[-2:])  # both times


def test_a_stage_refused_on_sync_comes_back_as_a_task_the_worker_fixes(
    app, handover_world, live_server, phone, tmp_path
):
    page, world = phone, handover_world
    stage = world.stage("post_service")
    _ready_offline(page, live_server, world)
    # The handover form's save is lost on the way (answered, never applied): the server will not
    # know the tools were removed, though the phone showed it.
    page.route(re.compile(r"/jobs/\d+/handover$"), lambda route: route.fulfill(status=200, body=""))
    page.get_by_test_id("tools-removed").check()
    do_stage_offline(page, stage, tmp_path)
    page.get_by_test_id("complete-stage").click()
    expect(page.get_by_test_id("next-step")).to_be_visible()

    page.context.set_offline(False)
    task = page.get_by_test_id("outbox-task")
    expect(task).to_contain_text("请确认所有工具和材料均已带走", timeout=60_000)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "refused")
    shot(page, "offline-stage-refused-zh")
    db.session.rollback()
    assert str(db.session.get(Job, world.job.id).status) == "handover"

    page.unroute(re.compile(r"/jobs/\d+/handover$"))
    # The stage is shown as the server has it, the box to tick marked; ticked, the step is tapped again
    # (a new attempt replaces the refused one).
    tools = page.get_by_test_id("tools-removed")
    expect(tools).not_to_be_checked()
    tools.check()
    page.get_by_test_id("complete-stage").click()
    page.wait_for_url(re.compile(rf"/jobs/{world.job.id}(/review)?$"), timeout=60_000)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved")  # no task is left
    assert _completions(world.job.id, stage["code"]) == 1
    assert str(db.session.get(Job, world.job.id).status) == "awaiting_signature"
