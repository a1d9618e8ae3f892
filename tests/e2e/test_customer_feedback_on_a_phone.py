"""The customer, on their own phone (a fresh browser, no login), rates the service from their link,
sees the case a low rating opened, reports a problem with a photo, and confirms a resolved case; the
worker's phone opening the same link only says to use one's own phone. Both languages."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from hk.aftersales import cases
from hk.domain.complaints import CaseAction
from hk.extensions import db
from hk.models import Complaint
from tests.builders import PASSWORD, make_user
from tests.e2e.conftest import PHONE, log_in, shot
from tests.records.test_sign_flow import _ready, _sign

pytestmark = pytest.mark.e2e


def _signed_link(client, login) -> tuple[str, str]:
    """A job signed through the worker's phone: the customer's link, and the worker's name."""
    phone = _ready(client, login)
    assert _sign(phone).status_code == 303
    signed = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    url = re.search(r'data-testid="customer-link">([^<]+)<', signed).group(1)
    return url[url.index("/r/") :], phone.job().worker.username


def _photo(tmp_path) -> str:
    """A real JPEG from a phone's camera, as the customer picks it."""
    path = tmp_path / "vase.jpg"
    img = Image.new("RGB", (2400, 1800), (200, 180, 150))
    for x in range(0, 2400, 200):
        img.paste((90, 60, 40), (x, 0, x + 60, 1800))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return str(path)


def _tap_targets_are_big(page) -> None:
    """Every star, score, button and unfolding summary the customer taps is at least 44 px each way."""
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '.star, .score, .choice, main button, main summary, main .btn'))
          .filter(el => el.offsetParent !== null)
          .map(el => { const r = el.getBoundingClientRect();
                       return [el.dataset.testid || el.className, Math.round(r.width),
                               Math.round(r.height)]; })
          .filter(([, w, h]) => w < 44 || h < 44)"""
    )
    assert small == [], small


def test_the_customer_rates_reports_and_confirms_on_their_own_phone(
    app, client, login, live_server, phone, browser, tmp_path
):
    path, worker = _signed_link(client, login)
    errors = []
    page = phone  # the customer's own phone: a fresh browser that never logged in
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}{path}")
    expect(page.get_by_test_id("download-pdf")).to_be_visible()
    expect(page.get_by_role("heading", name="这次服务怎么样？")).to_be_visible()
    _tap_targets_are_big(page)
    shot(page, "feedback-1-record-invites-a-rating")

    page.get_by_test_id("overall-2").click()
    page.get_by_test_id("quality-1").click()
    page.get_by_test_id("punctuality-4").click()
    page.get_by_test_id("recommend-3").click()
    page.get_by_test_id("rating-comment").fill("卫生间镜子上还有水渍")
    expect(page.locator('input[name="overall"][value="2"]')).to_be_checked()
    page.get_by_test_id("score-overall").screenshot(path=str(tmp_path / "stars.png"))
    shot(page, "feedback-2-rating-filled")
    page.get_by_test_id("send-rating").click()
    expect(page.get_by_test_id("rating-thanks")).to_contain_text("我们已为您登记投诉")
    expect(page.get_by_test_id("case")).to_have_count(1)
    expect(page.get_by_test_id("case").first).to_contain_text("已收到")
    expect(page.get_by_test_id("case").first).to_contain_text("卫生间镜子上还有水渍")
    shot(page, "feedback-3-low-rating-opened-a-case")

    page.get_by_test_id("open-problem").click()
    page.get_by_test_id("category-damage_or_loss").click()
    page.get_by_test_id("problem-description").fill("客厅的花瓶碎了，照片在这里")
    page.get_by_test_id("problem-photos").set_input_files(_photo(tmp_path))
    _tap_targets_are_big(page)
    shot(page, "feedback-4-problem-form")
    page.get_by_test_id("send-problem").click()
    expect(page.get_by_test_id("case-done")).to_contain_text("我们已收到您的投诉")
    expect(page.get_by_test_id("case")).to_have_count(2)
    photo = page.get_by_test_id("case-photo").locator("img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth") > 0
    shot(page, "feedback-5-cases-listed")
    with app.app_context():
        reported = db.session.scalar(select(Complaint).where(Complaint.channel == "online"))
        # made smaller on the phone before sending (a 2400 px photo arrives at most 1600 px)
        assert reported.photos[0].width <= 1600 and reported.description.startswith("客厅的花瓶碎了")
        supervisor = make_user("supervisor")
        cases.reply(reported, supervisor, "很抱歉！我们会按价赔偿，请确认。", "e2e-answer")
        cases.reply(reported, supervisor, "内部：查一下上次的交接照片", "e2e-note", internal=True)
        cases.act(reported, CaseAction.RESOLVE, supervisor, root_cause="搬动家具时碰倒")
        case_id = reported.id

    page.reload()
    resolved = page.locator(f"#case-{case_id}")
    expect(resolved.get_by_test_id("case-status")).to_have_text("我们认为已解决")
    expect(resolved).to_contain_text("很抱歉！我们会按价赔偿")
    expect(page.get_by_text("查一下上次的交接照片")).to_have_count(0)
    _tap_targets_are_big(page)
    resolved.scroll_into_view_if_needed()
    shot(page, "feedback-6-resolved-asks-the-customer")
    resolved.get_by_test_id("confirm-case").click()
    expect(page.locator(f"#case-{case_id}").get_by_test_id("case-status")).to_have_text("已关闭")

    page.get_by_test_id("switch-en").click()
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    expect(page.get_by_role("heading", name="Your rating")).to_be_visible()
    shot(page, "feedback-7-english")
    assert errors == [], errors

    # The worker's phone opening the same link shows the record, and says to use one's own phone.
    staff = browser.new_context(
        viewport=PHONE, device_scale_factor=2, locale="zh-CN", has_touch=True
    ).new_page()
    log_in(staff, live_server, worker, PASSWORD)
    staff.goto(f"{live_server}{path}")
    expect(staff.get_by_test_id("own-phone-only")).to_contain_text("请用您自己的手机评价或反映问题")
    expect(staff.get_by_test_id("rating-form")).to_have_count(0)
    expect(staff.get_by_test_id("cases")).to_have_count(0)
    shot(staff, "feedback-8-workers-phone")
    staff.context.close()
