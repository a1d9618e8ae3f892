"""The demo worker does a whole job on a phone-sized Chromium, with real photo uploads."""

import io
import json
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from hk.demo import seed_demo
from hk.extensions import db
from hk.models import Event, Job, Photo
from hk.storage import get_storage
from tests.e2e.conftest import ARTIFACTS, log_in, shot
from tests.e2e.offline_world import KEPT, no_signal, wait_until

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


def phone_jpeg(path):
    """A 12-megapixel phone-like JPEG (4000×3000) of a room, with GPS in its EXIF.

    Smooth walls and floor, furniture-like shapes, and sensor noise, so it compresses like a
    real photo (pure noise would not, and no real photo looks like it).
    """
    w, h = 4000, 3000
    wall = Image.linear_gradient("L").resize((w, h)).point(lambda v: 150 + v // 3)
    img = Image.merge("RGB", (wall, wall.point(lambda v: v - 10), wall.point(lambda v: v - 35)))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 2100, w, h), fill=(120, 86, 60))  # floor
    draw.rectangle((400, 900, 1500, 2300), fill=(235, 235, 230), outline=(60, 60, 60), width=12)  # cabinet
    draw.ellipse((2300, 700, 3400, 1500), fill=(90, 120, 160))  # a mirror
    for x in range(0, w, 250):  # floor boards
        draw.line((x, 2100, x - 300, h), fill=(100, 70, 50), width=8)
    noise = Image.effect_noise((w, h), 30)  # sensor noise: ~3.9 MB at quality 92, like a 12 MP phone photo
    img = Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 55 / 255)
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x010F] = "TestPhone"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 12.0, 30.0), 3: "E", 4: (121.0, 26.0, 10.0)})
    img.save(path, "JPEG", quality=92, exif=exif)
    return path


def _first_job_checked_in(page, base):
    """worker1 logs in, opens the first job of the day and checks in."""
    log_in(page, base, "worker1", PASSWORD)
    page.get_by_test_id("open-job").first.click()
    page.get_by_test_id("check-in").click()
    page.wait_for_url(re.compile(r"/stages/pre_service$"))


def _at_a_safety_item_allowing_na(app, page, base, photo_path) -> tuple[str, str]:
    """worker1 checks in, does the pre-service step and is on the safety step; the code and Chinese
    label of a safety item that may be answered "not applicable" and needs no photo."""
    _first_job_checked_in(page, base)
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number.like("D%-01")))
        pre, safety = job.stages[0], job.stages[1]
    for item in pre["items"]:
        row = page.locator(f"#item-{item['code']}")
        if item["photo_required"]:
            row.get_by_test_id("photo-input").set_input_files(str(photo_path))
            expect(page.locator(f"#photos-{item['code']} [data-testid=photo]")).to_have_count(
                1, timeout=20_000
            )
        row.get_by_test_id("tick").click()
        expect(row).to_have_class(re.compile("item-done"))
    page.get_by_test_id("confirm-quote").check()
    expect(page.locator("#pre-service-saved [data-testid=saved]")).to_be_visible()
    page.get_by_test_id("complete-stage").click()
    page.wait_for_url(re.compile(rf"/stages/{safety['code']}$"))
    item = next(i for i in safety["items"] if i.get("allows_na") and not i["photo_required"])
    return item["code"], item["label"]["zh_CN"]


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD, app.config["TIMEZONE"])


def test_the_demo_worker_completes_a_whole_job(app, demo, live_server, phone, tmp_path):
    page = phone
    photo_path = phone_jpeg(tmp_path / "IMG_0001.jpg")
    original_size = photo_path.stat().st_size
    uploads = []
    # photos.js announces each finished upload with the bytes it sent
    page.add_init_script(
        "window.__hkUploads = [];"
        "document.addEventListener('hk:photo-uploaded', e => window.__hkUploads.push(e.detail.bytes));"
    )
    page.on("dialog", lambda d: d.accept())

    log_in(page, live_server, "worker1", PASSWORD)
    page.wait_for_url(f"{live_server}/today")
    page.get_by_test_id("open-job").first.click()

    # Check-in
    expect(page.get_by_test_id("check-in")).to_be_visible()
    shot(page, "job-1-checkin")
    page.get_by_test_id("check-in").click()
    page.wait_for_url(re.compile(r"/stages/pre_service$"))

    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number.like("D%-01")))
        stages = job.stages
        job_id = job.id

    for n, stage in enumerate(stages, start=2):
        page.wait_for_url(re.compile(rf"/stages/{stage['code']}$"))
        for item in stage["items"]:
            row = page.locator(f"#item-{item['code']}")
            if item["photo_required"]:  # the photo first: the item is ticked once its photo is there
                strip = page.locator(f"#photos-{item['code']} [data-testid=photo]")
                before = strip.count()
                row.get_by_test_id("photo-input").set_input_files(str(photo_path))
                expect(strip).to_have_count(before + 1, timeout=20_000)
            if stage["kind"] == "safety":
                row.get_by_test_id("answer-safe").click()
                expect(page.locator(f"#item-{item['code']} [data-testid=answer-safe]")).to_have_class(
                    re.compile("is-on")
                )
            else:
                row.get_by_test_id("tick").click()
                expect(page.locator(f"#item-{item['code']}")).to_have_class(re.compile("item-done"))
        if stage["kind"] == "pre_service":
            expect(page.get_by_test_id("quote-total")).to_contain_text("¥")
            page.get_by_label("客户指出的贵重物品和易碎物品").fill("主卧梳妆台上的玉镯，勿动")
            page.get_by_test_id("confirm-quote").check()  # kept as given: there is no Save to press
            expect(page.get_by_test_id("save-pre-service")).to_be_hidden()
            expect(page.locator("#pre-service-saved [data-testid=saved]")).to_be_visible()
        if stage["kind"] == "post_service":
            page.get_by_test_id("handover-description").fill("入户门钥匙")
            page.get_by_label("数量").fill("2")
            page.get_by_test_id("add-handover-item").click()
            expect(page.get_by_test_id("handover-items")).to_contain_text("入户门钥匙 × 2")
            page.get_by_test_id("tools-removed").check()
            page.get_by_label("给客户的备注").fill("厨房油污较重，建议三个月后深度保洁")
            expect(page.locator("#handover-saved [data-testid=saved]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, f"job-{n}-{stage['code']}")
        uploads += page.evaluate("window.__hkUploads")  # the list starts again on every page
        page.get_by_test_id("complete-stage").click()

    page.wait_for_url(f"{live_server}/jobs/{job_id}")
    expect(page.get_by_test_id("job-status")).to_contain_text("交给客户")
    shot(page, "job-99-ready-for-signature")

    # The stored evidence: every photo without metadata, events in the order of the stages.
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "awaiting_signature"
        photos = db.session.scalars(select(Photo).where(Photo.job_id == job_id)).all()
        assert len(photos) == len(uploads) == sum(i["photo_required"] for s in stages for i in s["items"])
        for photo in photos:
            stored = Image.open(io.BytesIO(get_storage().get(photo.storage_key)))
            assert not stored.getexif() and max(stored.size) <= 1600
        actions = [
            e.action
            for e in db.session.scalars(
                select(Event)
                .where(Event.subject_type == "job", Event.subject_id == job_id)
                .order_by(Event.id)
            )
        ]
        assert actions[0] == "check_in" and actions[-1] == "advance"
        done = [
            e.data["stage"]
            for e in db.session.scalars(
                select(Event)
                .where(Event.subject_id == job_id, Event.action == "stage.complete")
                .order_by(Event.id)
            )
        ]
        assert done == [s["code"] for s in stages]
        assert [(i.description, i.quantity) for i in job.handover_items] == [("入户门钥匙", 2)]

    # What the phone sent for one 12-megapixel photo (the browser downscaled it first).
    assert max(uploads) <= 600 * 1024
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "upload-bytes.json").write_text(
        json.dumps({"original_bytes": original_size, "uploaded_bytes": sorted(uploads)})
    )


def test_a_photo_without_signal_waits_on_the_phone_across_a_reload_and_is_sent_once(
    app, demo, live_server, phone, tmp_path
):
    page = phone
    photo_path = tmp_path / "p.jpg"
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(photo_path, "JPEG")
    _first_job_checked_in(page, live_server)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # under the service worker: this screen is kept for the reload without signal
    wait_until(page, KEPT, re.sub(r"^https?://[^/]+", "", page.url))
    # The signal drops: every attempt to send fails, the service worker's too (its Background Sync
    # sent the photo in CI once when only the page's requests were refused).
    no_signal(page, True)
    page.locator("#item-before_photos").get_by_test_id("photo-input").set_input_files(str(photo_path))
    pending = page.locator("#photos-before_photos [data-testid=photo-pending]")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("等待发送")
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "waiting")
    expect(page.get_by_test_id("outbox")).to_contain_text("等待发送（1）")
    shot(page, "job-upload-waiting")
    # The cleaner reloads the page, still without signal: the photo is still there, waiting.
    page.reload()
    expect(page.locator("#photos-before_photos [data-testid=photo-pending]")).to_have_count(1)
    # Signal is back: the same photo is sent by itself, and appears.
    no_signal(page, False)
    expect(page.locator("#photos-before_photos [data-testid=photo]")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("photo-pending")).to_have_count(0)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved")
    page.reload()  # sent once: nothing left waiting, and the photo is stored once
    expect(page.locator("#photos-before_photos [data-testid=photo]")).to_have_count(1)
    expect(page.get_by_test_id("photo-pending")).to_have_count(0)


def test_a_tick_during_a_dropped_connection_is_kept_and_sent_when_the_signal_returns(
    app, demo, live_server, phone
):
    page = phone
    _first_job_checked_in(page, live_server)
    item = page.locator("#item-confirm_scope")
    page.context.route("**/items/confirm_scope", lambda route: route.abort("internetdisconnected"))
    item.get_by_test_id("tick").click()
    expect(item).to_have_class(re.compile("item-done"))  # done on the phone at once…
    expect(item.get_by_test_id("pending-mark")).to_contain_text("等待发送")  # …and marked as not yet sent
    expect(page.get_by_test_id("outbox")).to_contain_text("等待发送（1）")
    page.context.unroute("**/items/confirm_scope")
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=30_000)
    expect(page.locator("#item-confirm_scope")).to_have_class(re.compile("item-done"))
    expect(page.locator("#item-confirm_scope [data-testid=pending-mark]")).to_have_count(0)
    with app.app_context():
        job = db.session.get(Job, _pre_service_job(app))
        assert [c.answer for c in job.checks if c.item_code == "confirm_scope"] == ["done"]


def test_a_file_that_is_not_a_photo_is_refused_in_the_page(app, demo, live_server, phone, tmp_path):
    page = phone
    not_a_photo = tmp_path / "notes.txt"
    not_a_photo.write_text("这不是图片")
    _first_job_checked_in(page, live_server)
    page.on("dialog", lambda d: d.accept())
    page.locator("#item-before_photos").get_by_test_id("photo-input").set_input_files(str(not_a_photo))
    bar = page.get_by_test_id("outbox")
    expect(bar).to_have_attribute("data-state", "refused")
    task = bar.get_by_test_id("outbox-task")
    expect(task).to_contain_text("这不是照片")
    shot(page, "job-upload-refused")
    task.get_by_test_id("outbox-discard").click()
    expect(bar.get_by_test_id("outbox-task")).to_have_count(0)
    expect(page.locator("#photos-before_photos [data-testid=photo]")).to_have_count(0)


def _pre_service_job(app):
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number.like("D%-01")))
        return job.id


def test_pre_service_answers_are_kept_as_given_and_survive_a_reload(app, demo, live_server, phone):
    """Issue #14 item 1: no separate Save to forget; what is typed is there after a reload."""
    page = phone
    _first_job_checked_in(page, live_server)
    job_id = _pre_service_job(app)
    # The duplicate checklist items are gone: each fact is asked once, in its own box.
    expect(page.locator("#item-confirm_quote")).to_have_count(0)
    expect(page.locator("#item-valuables_fragile")).to_have_count(0)
    expect(page.get_by_test_id("save-pre-service")).to_be_hidden()
    page.get_by_test_id("confirm-quote").check()
    expect(page.locator("#pre-service-saved [data-testid=saved]")).to_be_visible()
    valuables = page.get_by_label("客户指出的贵重物品和易碎物品")
    valuables.fill("书房的古董花瓶")
    expect(page.locator("#pre-service-saved")).to_contain_text("已保存")
    shot(page, "flow-pre-service-saved")
    # Typed and the page left at once, before the pause that sends it: nothing is lost.
    page.get_by_label("特殊要求").fill("不要用含氯清洁剂")
    page.locator("#item-confirm_time summary").click()
    page.locator("#note-confirm_time").fill("客户希望11点前结束")
    page.reload()
    expect(page.locator("#note-confirm_time")).to_have_value("客户希望11点前结束")
    expect(page.get_by_label("特殊要求")).to_have_value("不要用含氯清洁剂")
    expect(valuables).to_have_value("书房的古董花瓶")
    expect(page.get_by_test_id("confirm-quote")).to_be_checked()

    def stored():
        with app.app_context():
            job = db.session.get(Job, job_id)
            note = next((c.note for c in job.checks if c.item_code == "confirm_time"), None)
            return job.quote_confirmed_at is not None, job.valuables_notes, job.special_requests, note

    wanted = (True, "书房的古董花瓶", "不要用含氯清洁剂", "客户希望11点前结束")
    for _ in range(100):  # the page left sent what was typed (beacon), or the next visit sends its draft
        if stored() == wanted:
            break
        page.wait_for_timeout(100)
    assert stored() == wanted


def test_a_refused_step_marks_its_missing_items_and_takes_the_focus(app, demo, live_server, phone):
    """Issue #14 item 2: each missing item listed with a link, marked in the list, the message focused."""
    page = phone
    _first_job_checked_in(page, live_server)
    page.locator("#item-confirm_scope").get_by_test_id("tick").click()
    expect(page.locator("#item-confirm_scope")).to_have_class(re.compile("item-done"))
    page.get_by_test_id("complete-stage").click()
    refusals = page.get_by_test_id("refusals")
    expect(refusals).to_be_visible()
    expect(refusals).to_be_focused()
    expect(refusals).to_contain_text("确认分项报价")
    expect(page.locator("#confirm-quote-field")).to_have_class(re.compile("field-missing"))
    expect(page.locator("#item-confirm_time")).to_have_class(re.compile("item-missing"))
    expect(page.locator("#item-confirm_time [data-testid=item-missing]")).to_contain_text("必填")
    expect(page.locator("#item-before_photos [data-testid=item-missing]")).to_contain_text("需拍照")
    expect(page.locator("#item-confirm_scope")).not_to_have_class(re.compile("item-missing"))
    links = refusals.get_by_test_id("missing-link")
    expect(links.first).to_have_attribute("href", re.compile("^#(item-|confirm-quote-field)"))
    shot(page, "flow-refused-step")
    # The box being ticked now is enough: no Save to press first.
    page.get_by_test_id("confirm-quote").check()
    expect(page.locator("#pre-service-saved [data-testid=saved]")).to_be_visible()
    page.get_by_test_id("complete-stage").click()
    expect(page.get_by_test_id("refusals")).not_to_contain_text("确认分项报价")


def test_a_tick_keeps_the_focus_and_is_announced(app, demo, live_server, phone):
    """Issue #14 item 8: after a tick the focus stays on it and the live region says what changed."""
    page = phone
    _first_job_checked_in(page, live_server)
    tick = page.locator("#tick-confirm_scope")
    tick.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#item-confirm_scope")).to_have_class(re.compile("item-done"))
    expect(page.locator("#tick-confirm_scope")).to_be_focused()
    expect(page.get_by_test_id("live")).to_contain_text("已勾选")
    # A photo-required item is not ticked without its photo: the reason is next to it (item 7).
    page.locator("#tick-before_photos").click()
    expect(page.locator("#item-before_photos [data-testid=item-error]")).to_contain_text("需要照片")
    expect(page.locator("#item-before_photos")).not_to_have_class(re.compile("item-done"))
    expect(page.locator("#tick-before_photos")).to_be_focused()
    expect(page.get_by_test_id("live")).to_contain_text("需要照片")


def test_a_photo_on_a_job_held_by_another_phone_offers_to_continue_here(
    app, demo, live_server, phone, browser, tmp_path
):
    """Issue #14 item 13: a short message and a working take-over, and the photo is not lost."""
    photo_path = tmp_path / "p.jpg"
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(photo_path, "JPEG")
    _first_job_checked_in(phone, live_server)  # the first phone holds the job
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = other.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server, "worker1", PASSWORD)
        page.goto(phone.url)
        page.locator("#item-before_photos").get_by_test_id("photo-input").set_input_files(str(photo_path))
        task = page.get_by_test_id("outbox-task")
        expect(task).to_contain_text("这个工单正在另一部手机上")
        assert len(task.inner_text()) < 160  # one sentence and its buttons, not the page's text
        shot(page, "flow-photo-conflict")
        task.get_by_test_id("take-over").click()
        page.wait_for_url(re.compile(r"/stages/pre_service$"))
        # Taken over: the photo kept on this phone goes by itself.
        expect(page.locator("#photos-before_photos [data-testid=photo]")).to_have_count(1, timeout=30_000)
        expect(page.get_by_test_id("outbox-task")).to_have_count(0)
    finally:
        other.close()


def test_safe_and_not_applicable_answers_keep_the_focus_and_are_announced(
    app, demo, live_server, phone, tmp_path
):
    """Issue #14 items 6 and 8 by keyboard: a Safe or N/A answer keeps the focus on the button pressed,
    marks it pressed, and the live region says which item got which answer."""
    page = phone
    photo_path = phone_jpeg(tmp_path / "IMG_0002.jpg")
    code, label = _at_a_safety_item_allowing_na(app, page, live_server, photo_path)

    page.locator(f"#safe-{code}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#safe-{code}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#safe-{code}")).to_be_focused()
    expect(page.get_by_test_id("live")).to_contain_text("安全：")

    page.locator(f"#na-{code}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#na-{code}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#safe-{code}")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#na-{code}")).to_be_focused()
    expect(page.get_by_test_id("live")).to_contain_text(f"不适用：{label}")
