"""A job's answers, notes and photos made without signal: shown at once as waiting, kept across a
reload while offline, and sent exactly once, in order, with both times, when the signal returns."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.builders import PASSWORD
from tests.e2e.conftest import ARTIFACTS, log_in, shot
from tests.e2e.offline_world import KEPT, held, open_job, photo_file, wait_until

pytestmark = pytest.mark.e2e


def test_ticks_notes_and_photos_made_offline_are_sent_once_in_order_with_both_times(
    app, offline_world, live_server, phone, tmp_path
):
    page, world = phone, offline_world
    stage = world.stage("cleaning")
    open_job(page, live_server, world)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # the service worker now controls the page: its screens are kept
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)

    photo_items = [i for i in stage["items"] if i["photo_required"]]
    plain_items = [i for i in stage["items"] if not i["photo_required"]]
    for n, item in enumerate(photo_items):
        row = page.locator(f"#item-{item['code']}")
        row.get_by_test_id("photo-input").set_input_files(
            photo_file(tmp_path, f"p{n}.jpg", (40 * n, 90, 120))
        )
        expect(row.get_by_test_id("photo-pending")).to_have_count(1)
    for item in photo_items + plain_items:
        page.locator(f"#item-{item['code']}").get_by_test_id("tick").click()
        expect(page.locator(f"#item-{item['code']}").get_by_test_id("tick")).to_have_attribute(
            "aria-checked", "true"
        )
    first = plain_items[0]["code"]
    page.locator(f"#item-{first} summary").click()
    page.locator(f"#note-{first}").fill("窗台有裂缝")
    page.locator(f"#note-{first}").blur()
    waiting = len(photo_items) * 2 + len(plain_items) + 1
    expect(page.get_by_test_id("outbox")).to_contain_text(re.compile(rf"[(（]{waiting}[)）]"))
    expect(page.locator(f"#item-{first}").get_by_test_id("pending-mark")).to_be_visible()
    shot(page, "offline-waiting-zh")

    page.reload()  # offline: the page comes from the service worker's cache, the entries are drawn again
    expect(page.get_by_test_id("outbox")).to_contain_text(re.compile(rf"[(（]{waiting}[)）]"))
    expect(page.locator(f"#item-{first}").get_by_test_id("tick")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("photo-pending")).to_have_count(len(photo_items))
    assert held(world.job.id)["keys"] == []  # nothing reached the server

    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=60_000)
    shot(page, "offline-sent-zh")
    server = held(world.job.id)
    assert len(server["keys"]) == waiting  # every entry applied, once
    assert len([p for p in server["photos"] if p.stage_code == stage["code"]]) == len(photo_items)
    for item in photo_items + plain_items:
        assert server["checks"][item["code"]].answer == "done"
    assert server["checks"][first].note == "窗台有裂缝"
    answers = [e for e in server["events"] if e.action == "item.answer" and e.data["stage"] == stage["code"]]
    assert [e.data["item"] for e in answers] == [i["code"] for i in photo_items + plain_items]  # in order
    for event in answers:
        assert event.happened_at is not None and event.happened_at <= event.at  # both times
    phone_times = [e.happened_at for e in answers]
    assert phone_times == sorted(phone_times)


def test_a_tick_refused_on_sync_becomes_a_task_the_worker_fixes(
    app, offline_world, live_server, phone, tmp_path
):
    page, world = phone, offline_world
    stage = world.stage("cleaning")
    item = next(i for i in stage["items"] if i["photo_required"])["code"]
    open_job(page, live_server, world)
    page.context.set_offline(True)
    page.locator(f"#item-{item}").get_by_test_id("tick").click()  # without its photo: the server will refuse
    expect(page.locator(f"#item-{item}").get_by_test_id("tick")).to_have_attribute("aria-checked", "true")
    page.context.set_offline(False)
    bar = page.get_by_test_id("outbox")
    expect(bar).to_have_attribute("data-state", "refused", timeout=30_000)
    task = bar.get_by_test_id("outbox-task")
    expect(task).to_contain_text("照片")  # why, in the worker's words
    expect(page.locator(f"#item-{item}").get_by_test_id("tick")).to_have_attribute("aria-checked", "false")
    shot(page, "offline-refused-zh")
    # The fix: the photo, then the tick again; the task is done.
    page.locator(f"#item-{item}").get_by_test_id("photo-input").set_input_files(
        photo_file(tmp_path, "fix.jpg")
    )
    page.locator(f"#item-{item}").get_by_test_id("tick").click()
    expect(bar).to_have_attribute("data-state", "saved", timeout=30_000)
    server = held(world.job.id)
    assert server["checks"][item].answer == "done"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_offline_states_are_shown_in_the_workers_language(app, offline_world, live_server, phone, lang):
    """Waiting, needs attention and saved, at 390×844, kept in test-artifacts/ to be looked at."""
    page, world = phone, offline_world
    stage = world.stage("cleaning")
    plain = next(i for i in stage["items"] if not i["photo_required"])["code"]
    needs_photo = next(i for i in stage["items"] if i["photo_required"])["code"]
    open_job(page, live_server, world)
    if lang == "en":
        page.get_by_test_id("switch-en").click()
        page.wait_for_load_state("networkidle")
    words = {
        "zh_CN": ("等待发送", "需要您处理", "全部已保存"),
        "en": ("Waiting to send", "Needs your attention", "saved"),
    }
    waiting, attention, saved = words[lang]
    bar = page.get_by_test_id("outbox")
    expect(bar).to_contain_text(saved)
    page.context.set_offline(True)
    page.locator(f"#item-{plain}").get_by_test_id("tick").click()
    label = page.locator(f"#label-{plain} > span").first.inner_text()
    ticked = {"zh_CN": "已勾选", "en": "Ticked"}[lang]
    expect(page.get_by_test_id("live")).to_contain_text(f"{ticked}")  # read out without signal too
    expect(page.get_by_test_id("live")).to_contain_text(label)
    page.locator(f"#item-{needs_photo}").get_by_test_id("tick").click()
    expect(bar).to_contain_text(waiting)
    expect(page.locator(f"#item-{plain}").get_by_test_id("pending-mark")).to_contain_text(waiting)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(f"#item-{plain}").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"offline-state-waiting-{lang}.png"))
    page.context.set_offline(False)
    expect(bar).to_contain_text(attention, timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"offline-state-attention-{lang}.png"))
    page.on("dialog", lambda d: d.accept())
    bar.get_by_test_id("outbox-discard").click()
    expect(bar).to_contain_text(saved)
    page.screenshot(path=str(ARTIFACTS / f"offline-state-saved-{lang}.png"))


def test_a_login_that_expired_pauses_the_outbox_until_the_worker_logs_in_again(
    app, offline_world, live_server, phone
):
    page, world = phone, offline_world
    item = next(i for i in world.stage("cleaning")["items"] if not i["photo_required"])["code"]
    open_job(page, live_server, world)
    stage_url = page.url
    page.context.clear_cookies()  # the session ends (expired, or logged out elsewhere)
    page.locator(f"#item-{item}").get_by_test_id("tick").click()
    bar = page.get_by_test_id("outbox")
    expect(bar).to_have_attribute("data-state", "paused", timeout=30_000)
    expect(bar).to_contain_text("请重新登录以发送（1）")
    assert held(world.job.id)["keys"] == []
    log_in(page, live_server, world.username, PASSWORD)
    page.goto(stage_url)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=30_000)
    assert held(world.job.id)["checks"][item].answer == "done"


def test_today_opened_with_signal_keeps_every_screen_of_the_days_jobs_for_offline(
    app, offline_world, live_server, phone
):
    page, world = phone, offline_world
    log_in(page, live_server, world.username, PASSWORD)
    page.wait_for_url(f"{live_server}/today")
    later = world.stage("post_service")["code"]  # a screen the worker has never opened
    wanted = f"/jobs/{world.job.id}/stages/{later}"
    wait_until(page, KEPT, wanted)  # the service worker fetches them in the background
    page.context.set_offline(True)
    page.goto(f"{live_server}{wanted}")
    expect(page.locator(f"#stage-{later}")).to_be_visible()
    expect(page.get_by_test_id("outbox")).to_be_visible()
    page.goto(f"{live_server}/jobs/{world.job.id}/incidents/new")  # the incident form too
    expect(page.get_by_test_id("incident-types")).to_be_visible()


def test_a_screen_not_kept_yet_says_so_without_signal_and_opens_once_the_signal_returns(
    app, offline_world, live_server, phone
):
    """Without signal before the screens were kept: hk's own page in both languages, never the
    browser's error; "Try again" opens the screen asked for once there is signal."""
    page, world = phone, offline_world
    open_job(page, live_server, world)
    page.evaluate("navigator.serviceWorker.ready")
    wanted = f"/jobs/{world.job.id}/incidents/new"
    wait_until(page, KEPT, wanted)
    page.evaluate("url => caches.open('hk-pages').then(c => c.delete(url))", wanted)  # not kept yet
    page.context.set_offline(True)
    page.goto(f"{live_server}{wanted}")
    card = page.get_by_test_id("not-kept")
    expect(card).to_contain_text("这个页面还没有存到手机上")
    expect(card).to_contain_text("This screen is not on this phone yet")
    expect(page.locator("form[action='/logout']")).to_have_count(0)  # nobody's name or menu on it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "offline-not-kept")
    page.context.set_offline(False)
    page.get_by_test_id("try-again").click()
    page.wait_for_url(f"{live_server}{wanted}")
    expect(page.get_by_test_id("incident-types")).to_be_visible()


def test_remarks_typed_offline_in_bursts_wait_as_one_write_and_survive_a_reload(
    app, handover_world, live_server, phone
):
    """A form is sent whole: each pause in typing replaces the write still waiting, and what was
    typed last is what the box shows after a reload and what the server keeps."""
    page, world = phone, handover_world
    open_job(page, live_server, world)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    box = page.get_by_label("给客户的备注")
    for text in ("钥匙", "钥匙已放在", "钥匙已放在门口地垫下"):
        box.fill(text)
        page.wait_for_timeout(1200)  # past the autosave's pause: each burst makes a write
    box.blur()
    expect(page.get_by_test_id("outbox")).to_contain_text(re.compile(r"[(（]1[)）]"))
    page.reload()
    expect(box).to_have_value("钥匙已放在门口地垫下")
    expect(page.get_by_test_id("outbox")).to_contain_text(re.compile(r"[(（]1[)）]"))
    assert held(world.job.id)["keys"] == []

    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-state", "saved", timeout=30_000)
    server = held(world.job.id)
    assert server["job"].handover_remarks == "钥匙已放在门口地垫下"
    assert len(server["keys"]) == 1  # no beacon on leaving: the outbox held the text


def test_logging_out_forgets_what_the_phone_kept_of_the_workers_jobs(app, offline_world, live_server, phone):
    """A shared phone: the next person finds no customer's review, lock or key of the one before."""
    page, world = phone, offline_world
    job = world.job.id
    open_job(page, live_server, world)
    page.wait_for_function("job => localStorage.getItem('hk-shown:' + job) !== null", arg=job)
    page.evaluate("job => localStorage.setItem('hk-customer:' + job, '1')", job)
    page.evaluate("localStorage.setItem('hk-draft:/jobs/1/handover:remarks', 'typed')")
    assert page.evaluate("localStorage.getItem('hk-handback')") is not None
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login"))
    kept = page.evaluate("Object.keys(localStorage)")
    assert not [k for k in kept if re.match(r"hk-(shown|customer|done|prefetched):|hk-handback$", k)], kept
    assert "hk-draft:/jobs/1/handover:remarks" in kept  # a typed text is not the job's data to forget
    wait_until(page, "() => caches.has('hk-pages').then(has => !has)")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_change_the_phone_cannot_keep_is_said_at_once(app, offline_world, live_server, phone, lang):
    """A phone whose storage is full: the tick is not kept, and the worker is told so, never left
    believing it waits to be sent."""
    page, world = phone, offline_world
    plain = next(i for i in world.stage("cleaning")["items"] if not i["photo_required"])["code"]
    open_job(page, live_server, world)
    if lang == "en":
        page.get_by_test_id("switch-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    # IndexedDB refusing a write, as it does when the phone's storage is full.
    page.evaluate(
        """() => { IDBObjectStore.prototype.put = function () {
             throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }; }"""
    )
    page.locator(f"#item-{plain}").get_by_test_id("tick").click()
    notice = page.locator("#hk-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text({"zh_CN": "手机未能保存", "en": "Not saved on this phone"}[lang])
    mark = page.locator(f"#item-{plain}").get_by_test_id("pending-mark")
    expect(mark).to_have_text({"zh_CN": "未保存", "en": "Not saved"}[lang])
    shot(page, f"offline-not-kept-{lang}")
    assert page.evaluate("hkOutbox.pending().then(l => l.length)") == 0
