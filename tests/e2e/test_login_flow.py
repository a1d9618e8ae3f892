"""A real browser on a phone: the demo worker logs in in Chinese, sees today's jobs, goes English."""

import pytest

from hk.demo import seed_demo
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
DEMO_PASSWORD = "demo-e2e-password"


@pytest.fixture
def demo(app):
    seed_demo(DEMO_PASSWORD, app.config["TIMEZONE"])


def _log_in(page, base, username):
    log_in(page, base, username, DEMO_PASSWORD)


def test_worker_logs_in_in_chinese_sees_todays_jobs_and_switches_to_english(demo, live_server, phone):
    page = phone
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, "hk-login-zh")
    _log_in(page, live_server, "worker1")

    page.wait_for_url(f"{live_server}/today")
    assert page.get_by_role("heading", name="我的今日工单").is_visible()
    cards = page.get_by_test_id("job-card")
    assert cards.count() == 2
    first, second = cards.nth(0).inner_text(), cards.nth(1).inner_text()
    assert "09:00" in first and "日常保洁" in first and "周女士" in first
    assert "14:00" in second and "深度保洁" in second
    assert "开工前必读" in first and "门禁密码" in first
    # Big enough to hit with a gloved thumb.
    box = page.get_by_test_id("switch-en").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "hk-today-zh")

    page.get_by_test_id("switch-en").click()
    page.wait_for_url(f"{live_server}/today")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My jobs today").is_visible()
    assert "Daily cleaning" in page.get_by_test_id("job-card").nth(0).inner_text()
    shot(page, "hk-today-en")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The choice is kept: log out and back in, still English.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")
    assert page.get_by_role("heading", name="Log in").is_visible()


def test_the_worker_with_the_expired_health_certificate_sees_why(demo, live_server, phone):
    _log_in(phone, live_server, "worker3")
    phone.wait_for_url(f"{live_server}/today")
    alert = phone.get_by_test_id("qualification-problems")
    assert alert.is_visible()
    assert "健康证已于" in alert.inner_text()


def test_no_console_errors_and_the_csp_holds(demo, live_server, phone):
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(phone, live_server, "supervisor")
    phone.wait_for_url(f"{live_server}/overview")
    assert phone.evaluate("typeof window.htmx") == "object", "htmx was not loaded from static/vendor"
    assert errors == []
    shot(phone, "hk-overview-zh")
    # The smallest phones we support: nothing may stick out sideways at 360 px.
    for path in ("/overview", "/login"):
        phone.set_viewport_size({"width": 360, "height": 740})
        phone.goto(f"{live_server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_a_worker_ends_every_login_from_the_account_page(demo, live_server, phone, browser):
    """Two devices logged in; from the phone's account page, both are logged out."""
    other = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN").new_page()
    for page in (other, phone):
        _log_in(page, live_server, "worker1")
        page.wait_for_url(f"{live_server}/today")
    phone.get_by_test_id("account").click()
    phone.wait_for_url(f"{live_server}/account")
    assert phone.get_by_test_id("sessions").locator("li").count() == 2
    assert phone.get_by_text("本设备", exact=True).is_visible()
    button = phone.get_by_test_id("logout-everywhere")
    assert button.bounding_box()["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "hk-account-zh")
    button.click()
    phone.wait_for_url(f"{live_server}/login")
    assert phone.get_by_text("您已在 2 台设备上退出").is_visible()
    other.goto(f"{live_server}/today")
    assert "/login" in other.url
