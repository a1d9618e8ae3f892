"""A supervisor on a tablet sets up a customer, a worker and a job; refused cases show why. The worker's
login account is the administrator's to create."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from hk.domain.clock import local_today
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"
TABLET = {"width": 1024, "height": 768}


def test_supervisor_sets_up_a_job_for_tomorrow(app, live_server, browser):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
        today = local_today(app.config["TIMEZONE"])
    tomorrow = today + timedelta(days=1)
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "supervisor", PASSWORD)
    page.wait_for_url(f"{live_server}/overview")

    # A customer.
    page.goto(f"{live_server}/office/customers")
    page.get_by_test_id("new-customer").click()
    page.get_by_label("姓名", exact=True).fill("冯女士")
    page.get_by_label("电话", exact=True).fill("13700007777")
    page.get_by_label("地址", exact=True).fill("上海市杨浦区国定路300号12楼")
    page.get_by_label("入户方式：钥匙、门禁密码（只向派单的服务人员显示）").fill("门卫处登记")
    page.get_by_label("家中有宠物").check()
    page.get_by_test_id("save-customer").click()
    expect(page.locator(".flash-success")).to_be_visible()
    shot(page, "office-1-customer")

    # The administrator creates the worker's account; the supervisor is told it is not theirs to do.
    page.goto(f"{live_server}/office/workers")
    expect(page.get_by_test_id("accounts-by-admin")).to_contain_text("登录账号由管理员创建")
    expect(page.get_by_test_id("create-worker")).to_have_count(0)
    admin = browser.new_context(viewport=TABLET, locale="zh-CN").new_page()
    log_in(admin, live_server, "admin", PASSWORD)
    admin.goto(f"{live_server}/office/workers")
    admin.get_by_label("用户名").fill("fenghua")
    admin.get_by_label("姓名", exact=True).fill("冯华")
    admin.get_by_label("初始密码").fill("first-password-1")
    admin.get_by_test_id("create-worker").click()
    admin.wait_for_url(re.compile(r"/office/workers/\d+$"))
    worker_url = admin.url
    admin.context.close()

    # A worker with a valid health certificate (and the job certificate every worker needs).
    page.goto(worker_url)
    for kind, number in (("health", "JK-2026-88"), ("job", "JZ-2026-88")):
        page.get_by_label("类型", exact=True).select_option(kind)
        page.get_by_label("证书编号").fill(number)
        page.get_by_label("发证机关").fill(
            "上海市卫生健康委员会" if kind == "health" else "上海市家庭服务业行业协会"
        )
        page.get_by_label("生效日期").fill(str(today - timedelta(days=30)))
        page.get_by_label("有效期至").fill(str(today + timedelta(days=335)))
        page.get_by_test_id("add-certificate").click()
        expect(page.get_by_test_id("certificates")).to_contain_text(number)
    shot(page, "office-2-worker")

    # Refused: worker3's health certificate has expired.
    page.goto(f"{live_server}/office/jobs/new")
    page.get_by_label("客户", exact=True).select_option(label="冯女士 · 13700007777")
    page.get_by_label("服务项目").select_option(label="深度保洁")
    page.get_by_label("日期", exact=True).fill(str(tomorrow))
    page.get_by_label("从", exact=True).fill("09:00")
    page.get_by_label("至", exact=True).fill("13:00")
    page.get_by_label("服务人员", exact=True).select_option(label="陈桂芳（证书异常）")
    page.get_by_label("面积（平方米）").fill("110")
    page.get_by_test_id("create-job").click()
    expect(page.get_by_test_id("refusals")).to_contain_text("健康证已于")
    shot(page, "office-3-refused-uncertified")

    # Created for the new worker, with a quote.
    page.get_by_label("服务人员", exact=True).select_option(label="冯华")
    page.get_by_test_id("create-job").click()
    page.wait_for_url(re.compile(r"/office/jobs/\d+$"))
    expect(page.get_by_test_id("office-quote")).to_contain_text("¥")
    shot(page, "office-4-job")
    job_url = page.url

    # Refused: the same worker is already booked then.
    page.goto(f"{live_server}/office/jobs/new")
    page.get_by_label("客户", exact=True).select_option(label="冯女士 · 13700007777")
    page.get_by_label("日期", exact=True).fill(str(tomorrow))
    page.get_by_label("从", exact=True).fill("12:00")
    page.get_by_label("至", exact=True).fill("15:00")
    page.get_by_label("服务人员", exact=True).select_option(label="冯华")
    page.get_by_test_id("create-job").click()
    expect(page.get_by_test_id("refusals")).to_contain_text("已有工单")
    shot(page, "office-5-refused-double-booked")

    # The schedule shows it; the worker sees it in their list.
    page.goto(f"{live_server}/office/schedule?day={tomorrow}")
    expect(page.get_by_test_id("schedule")).to_contain_text("冯女士")
    shot(page, "office-6-schedule")
    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    log_in(worker, live_server, "fenghua", "first-password-1")
    expect(worker.get_by_test_id("upcoming")).to_contain_text("冯女士")
    shot(worker, "office-7-worker-sees-job")
    assert job_url

    # The catalogue is the administrator's to change: the supervisor reads it.
    page.goto(f"{live_server}/office/catalogue")
    expect(page.get_by_test_id("catalogue-read-only")).to_be_visible()
    expect(page.get_by_test_id("price-daily_cleaning-labour")).to_have_text("¥50.00")
    shot(page, "office-8-catalogue-read-only")
    page.get_by_test_id("edit-daily_cleaning").click()
    expect(page.get_by_test_id("read-only")).to_contain_text("只有管理员才能修改检查清单")
    expect(page.get_by_test_id("save-checklist")).to_have_count(0)
    expect(page.get_by_test_id("checklist-view")).to_contain_text("与客户确认服务范围及重点区域")
    shot(page, "office-9-checklist-read-only")
    context.close()
