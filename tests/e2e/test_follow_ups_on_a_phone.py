"""A supervisor on a phone sees who is due a follow-up this quarter and records one by visible labels."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hk.demo import seed_demo
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Customer, Job, utcnow
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


def test_supervisor_records_a_follow_up(app, live_server, phone, browser):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
        job = db.session.scalars(select(Job).order_by(Job.id)).first()
        job.status = Status.COMPLETED
        job.scheduled_start = utcnow() - timedelta(days=12)
        job.scheduled_end = job.scheduled_start + timedelta(hours=3)
        db.session.commit()
        name = db.session.get(Customer, job.customer_id).name
    page = phone
    log_in(page, live_server, "supervisor", PASSWORD)
    page.get_by_role("link", name="回访").first.click()
    expect(page.get_by_role("heading", name="回访", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("due-follow-ups")).to_contain_text(name)
    shot(page, "follow-up-1-list-phone")

    page.get_by_test_id("due-follow-ups").get_by_role("link", name="记录").first.click()
    page.get_by_text("电话", exact=True).click()
    page.get_by_text("否", exact=True).click()  # not satisfied: the save must say nothing is missing
    page.get_by_text("3", exact=True).click()
    page.get_by_label("客户的反馈").fill("卫生间镜子还有水印，希望下次注意")
    page.get_by_label("下一步").fill("安排返工")
    shot(page, "follow-up-2-form-phone")
    page.get_by_test_id("save-follow-up").click()
    expect(page.get_by_text("回访已记录。")).to_be_visible()
    expect(page.get_by_test_id("follow-up")).to_contain_text("不满意")
    shot(page, "follow-up-3-recorded-phone")

    tablet = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN").new_page()
    log_in(tablet, live_server, "supervisor", PASSWORD)
    tablet.goto(f"{live_server}/office/customers/{job.customer_id}")
    expect(tablet.get_by_test_id("aftersales-history")).to_contain_text("卫生间镜子还有水印")
    shot(tablet, "follow-up-4-customer-tablet")
    tablet.context.close()
