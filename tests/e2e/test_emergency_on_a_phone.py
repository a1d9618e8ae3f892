"""A fire on the job: the phone shows the plan and the 119 button first; a supervisor acknowledges it."""

import re

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


def test_a_fire_is_reported_with_its_plan_first_and_a_supervisor_acknowledges_it(
    app, live_server, phone, browser
):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    page = phone
    log_in(page, live_server, "worker1", PASSWORD)
    page.get_by_test_id("open-job").first.click()
    page.get_by_test_id("check-in").click()
    page.wait_for_url(re.compile(r"/stages/pre_service$"))

    # "Incident" from the job's head: the kinds first, as big buttons.
    page.get_by_test_id("report-incident").click()
    page.wait_for_url(re.compile(r"/incidents/new$"))
    expect(page.get_by_test_id("incident-types")).to_be_visible()
    expect(page.get_by_test_id("incident-form")).to_have_count(0)
    for button in page.locator(".type-btn").all():
        assert button.bounding_box()["height"] >= 44
    shot(page, "emergency-1-kinds")

    # Fire: htmx swaps in the plan, the call buttons first, then the steps, then the report.
    page.get_by_test_id("type-fire").click()
    page.wait_for_url(re.compile(r"/incidents/new\?type=fire$"))
    call = page.get_by_test_id("call-119")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:119")
    expect(page.get_by_test_id("plan-steps")).to_contain_text("走楼梯，不要乘电梯")
    call_box = call.bounding_box()
    steps_box = page.get_by_test_id("plan-steps").bounding_box()
    form_box = page.get_by_test_id("incident-form").bounding_box()
    assert call_box["height"] >= 44 and call_box["width"] >= 44
    assert call_box["y"] < steps_box["y"] < form_box["y"]
    assert call_box["y"] + call_box["height"] <= 844  # on the first screen, no scrolling
    for button in page.locator(".btn-call").all():
        assert button.bounding_box()["height"] >= 44
    shot(page, "emergency-2-fire-plan")

    page.locator("input[name=severity][value=severe]").check()
    page.get_by_label("发生了什么？").fill("厨房油锅起火，已用锅盖盖灭，有烟")
    page.get_by_label("采取了什么措施？").fill("已关燃气，开窗通风，全员撤到楼道")
    page.get_by_test_id("save-incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    expect(page.get_by_test_id("incident")).to_contain_text("火灾或冒烟")
    expect(page.get_by_test_id("incident-timeline")).to_contain_text("尚未")
    shot(page, "emergency-3-saved")
    incident_url = page.url

    # The supervisor, in a browser of their own: the red banner, on every page, until acknowledged.
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    office = context.new_page()
    office.set_default_timeout(10_000)
    log_in(office, live_server, "supervisor", PASSWORD)
    office.wait_for_url(f"{live_server}/overview")
    banner = office.get_by_test_id("severe-alert")
    expect(banner).to_contain_text("火灾或冒烟")
    expect(banner).to_contain_text("未确认的严重突发事件：1起")
    shot(office, "emergency-4-banner")
    office.goto(f"{live_server}/office/customers")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="确认接手").click()
    office.wait_for_url(re.compile(r"/incidents/\d+$"))
    expect(office.get_by_test_id("severe-alert")).to_have_count(0)
    expect(office.get_by_test_id("incident-timeline")).to_contain_text("已确认")
    shot(office, "emergency-5-acknowledged")
    office.goto(f"{live_server}/overview")
    expect(office.get_by_test_id("severe-alert")).to_have_count(0)

    # Closed later with the after-action evaluation; the plan itself is edited in the catalogue.
    office.goto(f"{live_server}/incidents")
    card = office.locator(".incident-card").first
    card.get_by_label("处理结果").fill("火已扑灭，无人受伤；厨房已通风，客户同意下次继续服务")
    card.get_by_label("哪些做得好？").fill("先关燃气再用锅盖盖灭，撤离及时")
    card.get_by_label("哪些需要改进？").fill("每位服务人员的工具包配一块灭火毯")
    shot(office, "emergency-6-close-with-evaluation")
    card.get_by_role("button", name="关闭事件").click()
    expect(office.locator(".flash-success")).to_contain_text("事件已关闭")
    expect(office.get_by_test_id("incident-figures")).to_contain_text("已评估1起")
    office.goto(f"{live_server}/office/emergency-plans/fire")
    expect(office.get_by_test_id("emergency-plan")).to_contain_text("走楼梯，不要乘电梯")
    shot(office, "emergency-7-plan-editor")
    context.close()

    # The worker sees that a supervisor has it in hand.
    page.goto(incident_url)
    acknowledged = page.get_by_test_id("incident-timeline").locator("li").nth(1)
    expect(acknowledged).to_contain_text("已确认")
    expect(acknowledged).to_contain_text("李娟")  # the demo supervisor
    shot(page, "emergency-8-worker-sees-acknowledged")
