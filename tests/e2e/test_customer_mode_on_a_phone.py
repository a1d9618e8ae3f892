"""The worker hands the phone over; the customer cannot reach worker screens; the worker takes it back."""

import re

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_sign_on_a_phone import PASSWORD, _draw, _walk_to_signature

pytestmark = pytest.mark.e2e


def test_the_customer_sees_only_this_job_until_the_worker_takes_the_phone_back(app, live_server, phone):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    job_id, username = _walk_to_signature(app, "-01")
    page = phone
    log_in(page, live_server, username, PASSWORD)
    page.goto(f"{live_server}/jobs/{job_id}")
    shot(page, "customer-mode-1-ready")
    page.get_by_role("button", name="客户核对并签字").click()
    expect(page.get_by_role("heading", name="请核对并签字")).to_be_visible()

    # No way into the worker's screens: no menu, no log out, the company name is not a link.
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
    expect(page.get_by_test_id("account")).to_have_count(0)
    expect(page.locator("header a.brand")).to_have_count(0)
    shot(page, "customer-mode-2-review")

    # Typing the job list's address is refused by the server, with a way back to the review.
    page.goto(f"{live_server}/today")
    expect(page.get_by_role("heading", name="客户正在使用手机")).to_be_visible()
    expect(page.get_by_text("门禁密码")).to_have_count(0)
    shot(page, "customer-mode-3-refused")
    page.get_by_role("link", name="返回核对页面").click()

    page.get_by_test_id("signer-name").fill("周丽")
    page.get_by_test_id("consent").check()
    _draw(page)
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("signed")).to_be_visible(timeout=20_000)  # the signing, on a busy machine
    expect(page.get_by_role("link", name="返回我的工单")).to_have_count(0)
    shot(page, "customer-mode-4-thanks")

    # The worker takes the phone back: a wrong password is refused, the right one opens the job list.
    page.get_by_role("link", name="服务人员：取回手机").click()
    page.get_by_label("服务人员密码").fill("not-my-password")
    page.get_by_role("button", name="取回手机").click()
    expect(page.get_by_test_id("handback-error")).to_contain_text(re.compile("还可以再试 4 次"))
    shot(page, "customer-mode-5-wrong-password")
    page.get_by_label("服务人员密码").fill(PASSWORD)
    page.get_by_role("button", name="取回手机").click()
    expect(page.get_by_text("手机已取回。")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    shot(page, "customer-mode-6-back")
