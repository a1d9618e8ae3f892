"""A supervisor takes a complaint by phone on a 390 px phone: opens the case, sees the clock, answers the
customer, books a free re-clean and resolves it with the root cause; the same case on a 1024 px tablet."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from hk.domain.clock import local_today
from hk.domain.complaints import Category
from hk.models import utcnow
from tests.aftersales.helpers import make_case
from tests.builders import PASSWORD, make_customer, make_job, make_user
from tests.conftest import post_form
from tests.e2e.conftest import ARTIFACTS, PHONE, log_in, shot
from tests.jobs.helpers import Phone
from tests.records.test_sign_flow import _sign

pytestmark = pytest.mark.e2e
TABLET = {"width": 1024, "height": 768}
TZ = "Asia/Shanghai"


def _signed_job(app):
    """A job the customer signed on the worker's phone: the record the complaint is about."""
    worker = make_user("worker")
    customer = make_customer(name="钱女士", phone="13966668888", address="上海市徐汇区漕溪北路88号12楼")
    job = make_job(worker, customer=customer, state="awaiting_signature")
    client = app.test_client()
    assert post_form(client, "/login", {"username": worker.username, "password": PASSWORD}).status_code == 303
    phone = Phone(client, job)
    assert phone.hand_to_customer().status_code == 303
    assert _sign(phone).status_code == 303
    return job, worker


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_supervisor_handles_a_phoned_in_complaint(app, live_server, browser):
    with app.app_context():
        job, worker = _signed_job(app)
        supervisor = make_user("supervisor")
        cleaner = make_user("worker")
        # Two older cases: one to answer within 4 hours (amber), one overdue (red).
        make_case(supervisor, customer=make_customer(name="赵先生"), hours_ago=21, owner=supervisor)
        make_case(supervisor, customer=make_customer(name="孙女士"), hours_ago=30, category=Category.LATENESS)
        job_id, worker_id, cleaner_id = job.id, worker.id, cleaner.id
        worker_name, cleaner_name, username = worker.display_name, cleaner.display_name, supervisor.username
        received = (utcnow() - timedelta(hours=2)).astimezone(ZoneInfo(TZ))
        tomorrow = local_today(TZ) + timedelta(days=1)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, username, PASSWORD)
    page.wait_for_url(f"{live_server}/overview")

    # The customer calls: find them by phone number, then the case.
    page.goto(f"{live_server}/complaints")
    page.get_by_test_id("new-complaint").click()
    page.get_by_test_id("customer-search").fill("13966668888")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name=re.compile("钱女士")).click()
    page.get_by_label("涉及的工单").select_option(str(job_id))
    page.get_by_label("投诉渠道").select_option("phone")
    page.get_by_label("类别", exact=True).select_option("cleaning_quality")
    page.get_by_label("严重程度").select_option("high")
    page.get_by_label("客户反映的问题").fill("卫生间镜子有水印，厨房台面也没擦干净。客户希望明天有人来处理。")
    page.get_by_label("受理时间").fill(received.strftime("%Y-%m-%dT%H:%M"))
    _fits(page, 390)
    shot(page, "complaint-1-new-case-phone")
    page.get_by_test_id("open-case").click()
    page.wait_for_url(re.compile(r"/complaints/\d+$"))
    case_url = page.url

    # The clock: 24 h to answer, two of them gone.
    expect(page.get_by_test_id("clock-first")).to_contain_text("还剩 22 小时")
    expect(page.get_by_test_id("case-status")).to_have_text("待响应")
    expect(page.get_by_test_id("evidence-signature")).to_contain_text("周丽")
    _fits(page, 390)
    shot(page, "complaint-2-case-phone")

    # Answer the customer: the first-response clock stops.
    page.get_by_label("内容", exact=True).fill(
        "钱女士您好，非常抱歉。我们明天上午安排免费返工，督导会到场检查。"
    )
    page.get_by_label("客户（在其链接中可见）").check()
    page.get_by_test_id("send-reply").click()
    expect(page.get_by_test_id("thread")).to_contain_text("非常抱歉")
    expect(page.get_by_test_id("clock-first")).to_contain_text("按时完成")
    expect(page.get_by_test_id("case-status")).to_have_text("已响应")

    # Book the re-clean through dispatch's gates.
    page.get_by_test_id("open-reclean").click()
    page.get_by_label("日期", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("从", exact=True).fill("09:00")
    page.get_by_label("至", exact=True).fill("11:00")
    page.get_by_label("服务人员", exact=True).select_option(str(cleaner_id))
    page.get_by_label("给服务人员的备注").fill("重点处理卫生间镜面和厨房台面")
    page.locator("#remedies").screenshot(path=str(ARTIFACTS / "complaint-3a-reclean-form-phone.png"))
    page.get_by_test_id("add-reclean").click()
    expect(page.locator(".flash-success")).to_contain_text("已安排免费返工")
    expect(page.get_by_test_id("remedies")).to_contain_text(cleaner_name)
    expect(page.get_by_test_id("case-status")).to_have_text("补救中")
    page.get_by_test_id("remedies").scroll_into_view_if_needed()
    shot(page, "complaint-3-reclean-phone")

    # Resolve with the root cause, put down to the worker who did the job.
    page.get_by_test_id("open-resolve").click()
    page.get_by_label("根本原因", exact=True).fill("镜面清洁剂用错，离场前未按标准复查")
    page.get_by_label("责任服务人员", exact=True).select_option(str(worker_id))
    page.get_by_test_id("act-resolve").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已办结")
    expect(page.get_by_test_id("attribution")).to_contain_text(worker_name)
    expect(page.get_by_test_id("timeline")).to_contain_text("镜面清洁剂用错")
    _fits(page, 390)
    shot(page, "complaint-4-resolved-phone")
    page.goto(f"{live_server}/complaints?show=all")
    expect(page.get_by_test_id("warn-red")).to_contain_text("1")
    expect(page.get_by_test_id("warn-amber")).to_contain_text("1")
    _fits(page, 390)
    shot(page, "complaint-5-list-phone")
    page.goto(f"{live_server}/overview")
    expect(page.get_by_test_id("complaint-warnings")).to_be_visible()
    shot(page, "complaint-5a-overview-phone")
    context.close()

    # The same case on a tablet: the evidence beside it.
    tablet = browser.new_context(viewport=TABLET, locale="zh-CN")
    page = tablet.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, username, PASSWORD)
    page.goto(case_url)
    evidence = page.get_by_test_id("evidence").bounding_box()
    actions = page.get_by_test_id("case-clocks").bounding_box()
    assert evidence["x"] > actions["x"] + actions["width"]  # beside, not below
    _fits(page, 1024)
    shot(page, "complaint-6-case-tablet")
    page.goto(f"{live_server}/complaints?show=all")
    shot(page, "complaint-7-list-tablet")
    page.get_by_test_id("switch-en").click()
    expect(page.get_by_test_id("warn-red")).to_contain_text("Overdue: 1")
    page.goto(case_url)
    expect(page.get_by_test_id("clock-first")).to_contain_text("done in time")
    shot(page, "complaint-8-case-tablet-english")
    tablet.close()
