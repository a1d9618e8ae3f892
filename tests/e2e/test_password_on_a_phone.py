"""A real browser on a phone: the demo worker changes her password on the account page, by the labels
she reads; a weak one is refused with the reason, and afterwards her other device is logged out."""

import pytest

from hk.demo import seed_demo
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
OLD = "demo-e2e-password"
NEW = "我家楼下有棵大槐树"


@pytest.fixture
def demo(app):
    seed_demo(OLD, app.config["TIMEZONE"])


def _fill(page, current, new, again):
    page.get_by_label("当前密码", exact=True).fill(current)
    page.get_by_label("新密码", exact=True).fill(new)
    page.get_by_label("再次输入新密码", exact=True).fill(again)
    page.get_by_role("button", name="修改密码").click()


def test_a_worker_changes_her_password_on_her_phone(demo, live_server, phone, browser):
    other = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN").new_page()
    for page in (other, phone):
        log_in(page, live_server, "worker1", OLD)
        page.wait_for_url(f"{live_server}/today")
    phone.get_by_test_id("account").click()
    phone.wait_for_url(f"{live_server}/account")
    for name in ("当前密码", "新密码", "再次输入新密码"):
        box = phone.get_by_label(name, exact=True).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, name
    assert phone.get_by_role("button", name="修改密码").bounding_box()["height"] >= 44

    _fill(phone, OLD, "12345678", "12345678")  # a common one: refused, with the reason
    assert phone.get_by_text("这个密码太常见").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "hk-password-refused-zh")

    _fill(phone, OLD, NEW, NEW)
    phone.wait_for_url(f"{live_server}/account#main")  # at the top, where the message is
    assert phone.get_by_text("密码已修改。本设备仍保持登录").is_visible()
    assert phone.get_by_test_id("sessions").locator("li").count() == 1
    shot(phone, "hk-password-changed-zh")

    other.goto(f"{live_server}/today")
    assert "/login" in other.url  # the other device is logged out
    phone.goto(f"{live_server}/today")
    assert phone.url == f"{live_server}/today"  # this phone stays in
    log_in(other, live_server, "worker1", NEW)  # a Chinese passphrase logs in
    other.wait_for_url(f"{live_server}/today")
