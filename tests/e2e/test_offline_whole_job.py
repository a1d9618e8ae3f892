"""Issue #15's Done-when: a whole job without signal — every stage, an incident, the phone handed to
the customer, their drawn signature and the phone taken back — then the signal returns and the server
has everything once, in order, with both times; the signed record is made and the chain verifies."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hk.extensions import db
from hk.models import Incident, ServiceRecord, SignOff
from tests.builders import PASSWORD
from tests.e2e.conftest import shot
from tests.e2e.offline_world import KEPT, do_stage, held, no_signal, open_job, photo_file, wait_until
from tests.e2e.test_sign_on_a_phone import _draw

pytestmark = pytest.mark.e2e


def _wait_kept(page, urls) -> None:
    for url in urls:
        wait_until(page, KEPT, url, timeout=60)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_phone_is_handed_to_the_customer_without_signal_and_locked_to_the_review(
    app, signing_world, live_server, phone, lang
):
    page, world = phone, signing_world
    job = world.job.id
    open_job(page, live_server, world)  # the job's page: ready for the customer
    if lang == "en":
        page.get_by_test_id("switch-en").click()
        page.wait_for_load_state("networkidle")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_load_state("networkidle")
    _wait_kept(page, [f"/jobs/{job}/review/kept", f"/jobs/{job}/stages/{world.job.stages[0]['code']}"])
    page.wait_for_function("job => localStorage.getItem('hk-shown:' + job) !== null", arg=job)
    thumbs = page.evaluate(
        "job => Object.values(JSON.parse(localStorage.getItem('hk-shown:' + job)).thumbs)", job
    )
    assert thumbs
    _wait_kept(page, thumbs)

    page.context.set_offline(True)
    page.get_by_test_id("to-review").click()
    page.wait_for_url(f"{live_server}/jobs/{job}/review/kept")
    expect(page.get_by_test_id("review")).to_be_visible()
    expect(page.locator("[data-review-waiting]")).to_be_visible()
    expect(page.locator("details.review-stage")).to_have_count(len(world.job.stages))
    expect(page.locator("[data-handover-card]")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The before/after photos show, kept when the view was: never a broken image.
    photos = page.locator("[data-review-pairs] img")
    expect(photos.first).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-review-pairs] img')].every(i => i.complete)"
    )
    assert photos.evaluate_all("imgs => imgs.filter(i => i.naturalWidth === 0).length") == 0
    # The customer holds the phone: no worker's name, menu or log-out on it.
    expect(page.get_by_test_id("account")).to_have_count(0)
    expect(page.locator("form[action='/logout']")).to_have_count(0)
    shot(page, f"offline-handed-over-{lang}")

    # The customer cannot wander into the worker's screens: they lead back to the review.
    page.goto(f"{live_server}/jobs/{job}/stages/{world.job.stages[0]['code']}")
    page.wait_for_url(f"{live_server}/jobs/{job}/review/kept")
    expect(page.get_by_test_id("review")).to_be_visible()

    # The worker takes the phone back with the password (checked on the phone): the lock is lifted.
    page.get_by_test_id("take-back").click()
    page.get_by_test_id("handback-password").fill(PASSWORD)
    page.get_by_test_id("handback").click()
    page.wait_for_url(f"{live_server}/jobs/{job}")
    expect(page.get_by_test_id("outbox")).to_be_visible()
    assert page.evaluate("job => localStorage.getItem('hk-customer:' + job)", job) is None

    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=60_000)
    actions = [e.action for e in held(job)["events"] if e.action.startswith("customer_mode.")]
    assert actions == ["customer_mode.start", "customer_mode.end"]  # handed over, then back, once each


def test_a_whole_job_done_without_signal_reaches_the_server_once_in_order_and_is_signed(
    app, scheduled_world, live_server, phone, tmp_path
):
    page, world = phone, scheduled_world
    job = world.job.id
    stages = world.job.stages
    open_job(page, live_server, world)
    page.get_by_test_id("check-in").click()  # with signal: the job is opened
    page.wait_for_url(re.compile(r"/stages/pre_service$"))
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # under the service worker: every screen of the job is kept
    page.wait_for_load_state("networkidle")
    _wait_kept(
        page,
        [f"/jobs/{job}/stages/{s['code']}" for s in stages]
        + [f"/jobs/{job}/review/kept", f"/jobs/{job}/incidents/new?type=property_damage"],
    )
    page.wait_for_function("job => localStorage.getItem('hk-shown:' + job) !== null", arg=job)

    online_keys = len(held(job)["keys"])  # the check-in
    no_signal(page, True)
    photo = photo_file(tmp_path, "p.jpg")
    noted = None
    for n, stage in enumerate(stages):
        do_stage(page, stage, photo)
        if stage["kind"] == "cleaning" and noted is None:
            noted = (stage["code"], stage["items"][0]["code"])
            page.locator(f"#item-{noted[1]} summary").click()
            page.locator(f"#note-{noted[1]}").fill("窗台有裂缝")
            page.locator(f"#note-{noted[1]}").blur()
            # an incident, its type chosen from the page kept for it
            page.get_by_test_id("report-incident").click()
            page.wait_for_url(re.compile(r"/incidents/new$"))
            page.get_by_test_id("type-property_damage").click()
            page.wait_for_url(re.compile(r"/incidents/new\?type=property_damage$"))
            page.locator("input[name=severity][value=minor]").check()
            page.locator("textarea[name=what_happened]").fill("花瓶底座有裂纹")
            page.get_by_test_id("save-incident").click()
            wait_until(  # kept in the outbox before the worker moves on
                page, "() => window.hkOutbox.pending().then(l => l.some(e => e.kind === 'incident'))"
            )
            page.goto(f"{live_server}/jobs/{job}/stages/{stage['code']}")
            page.reload()  # once, offline: from the cache, what waits drawn again
            expect(page.locator(f"#item-{noted[1]}").get_by_test_id("tick")).to_have_class(
                re.compile("is-on")
            )
        page.get_by_test_id("complete-stage").click()
        page.get_by_test_id("next-step").click()
        if n + 1 < len(stages):
            page.wait_for_url(re.compile(rf"/stages/{stages[n + 1]['code']}$"))
            expect(page.get_by_test_id("complete-stage")).to_be_visible()
    assert noted is not None

    # The hand-over, offline: the worker's card, then the review drawn from the kept view.
    page.wait_for_url(f"{live_server}/jobs/{job}/review/kept")
    expect(page.locator("[data-handover-card]")).to_be_visible()
    shot(page, "offline-handover-card-zh")
    page.get_by_test_id("to-review").click()
    expect(page.locator("[data-review-handover]")).to_contain_text("入户门钥匙")
    expect(page.locator("[data-review-handover]")).to_contain_text("花瓶底座有裂纹")
    page.get_by_test_id("signer-name").fill("周丽")
    _draw(page)
    page.get_by_test_id("consent").check()
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("offline-thanks")).to_be_visible()
    page.get_by_test_id("take-back").click()
    page.get_by_test_id("handback-password").fill(PASSWORD)
    page.get_by_test_id("handback").click()
    page.wait_for_url(f"{live_server}/jobs/{job}")
    assert len(held(job)["keys"]) == online_keys  # nothing reached the server yet
    page.wait_for_timeout(500)  # the phone waits a moment without signal: nothing is lost

    no_signal(page, False)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=120_000)
    server = held(job)
    events = server["events"]
    answers = Counter((e.data["stage"], e.data["item"]) for e in events if e.action == "item.answer")
    every_item = [(s["code"], i["code"]) for s in stages for i in s["items"]]
    assert sorted(answers) == sorted(every_item) and set(answers.values()) == {1}
    photos = Counter((p.stage_code, p.item_code) for p in server["photos"])
    with_photo = [(s["code"], i["code"]) for s in stages for i in s["items"] if i["photo_required"]]
    assert sorted(photos) == sorted(with_photo) and set(photos.values()) == {1}
    assert len(server["photos"]) == len(with_photo) >= 6  # every photo item of the template
    assert server["checks"][noted[1]].note == "窗台有裂缝"
    assert [e.data["stage"] for e in events if e.action == "stage.complete"] == [s["code"] for s in stages]
    assert len([e for e in events if e.action == "handover.item_add"]) == 1
    incidents = db.session.scalars(select(Incident).where(Incident.job_id == job)).all()
    assert [i.what_happened for i in incidents] == ["花瓶底座有裂纹"]
    for event in events:
        assert event.happened_at is not None and event.happened_at <= event.at, event.action  # both times
    on_phone = [e.happened_at for e in events if e.action != "record.create"]  # the record: the server's
    assert on_phone == sorted(on_phone)  # in the order the phone made them
    customers = [e.action for e in events if e.action.startswith("customer_mode.") or e.action == "sign"]
    assert customers == ["customer_mode.start", "sign", "customer_mode.end"]  # over, signed, back
    last = ["customer_mode.start", "sign", "record.create", "customer_mode.end"]
    assert [e.action for e in events][-4:] == last
    assert len(server["keys"]) == len({k.client_key for k in server["keys"]})  # each write once

    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job))
    assert signoff is not None and signoff.signer_name == "周丽" and signoff.signed_at < signoff.received_at
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job))
    assert record.render_status == "done", record.render_error
    verified = app.test_cli_runner().invoke(args=["hk", "verify-chain"])
    assert verified.exit_code == 0, verified.output
