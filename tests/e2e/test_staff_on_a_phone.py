"""The administrator, on a phone, creates a supervisor's account; the new supervisor logs in and
sees the daily work but no administrator's pages."""

import re

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


def test_an_administrator_creates_a_supervisor_account_on_a_phone(app, live_server, phone, browser):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    log_in(phone, live_server, "admin", PASSWORD)
    phone.wait_for_url(f"{live_server}/overview")

    phone.get_by_role("link", name="员工账号", exact=True).click()
    phone.wait_for_url(f"{live_server}/office/staff")
    expect(phone.get_by_test_id("staff")).to_contain_text("李娟")  # the demo's supervisor
    phone.get_by_label("姓名", exact=True).fill("赵雪梅")
    phone.get_by_label("用户名").fill("zhaoxuemei")
    phone.get_by_label("电话").fill("13800000099")
    phone.get_by_label("角色").select_option(label="督导")
    phone.get_by_label("初始密码").fill("first-pass-77")
    shot(phone, "staff-1-new-supervisor")
    phone.get_by_role("button", name="创建账号").click()
    phone.wait_for_url(re.compile(r"/office/staff/\d+$"))
    expect(phone.locator(".flash-success")).to_contain_text("已为赵雪梅创建账号")
    expect(phone.get_by_test_id("role-now")).to_contain_text("督导")
    expect(phone.get_by_test_id("audit")).to_contain_text("账号已创建")
    shot(phone, "staff-2-account")

    # The last administrator cannot step down: the company would have none.
    phone.get_by_role("link", name="‹ 员工账号").click()
    phone.get_by_test_id("staff").get_by_role("link", name="王敏").click()
    phone.get_by_label("新角色").select_option(label="督导")
    phone.get_by_role("button", name="修改角色").click()
    expect(phone.get_by_test_id("refusals")).to_contain_text("公司至少要有一名启用中的管理员")
    shot(phone, "staff-3-last-admin-refused")

    # The new supervisor logs in on their own phone: the day's work, no staff accounts.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    supervisor = context.new_page()
    log_in(supervisor, live_server, "zhaoxuemei", "first-pass-77")
    supervisor.wait_for_url(f"{live_server}/overview")
    expect(supervisor.get_by_role("link", name="服务人员")).to_be_visible()
    expect(supervisor.get_by_role("link", name="员工账号")).to_have_count(0)
    supervisor.goto(f"{live_server}/office/staff")
    expect(supervisor.locator("h1")).to_contain_text("只有管理员才能进行此操作")
    shot(supervisor, "staff-4-supervisor-refused")
    context.close()
