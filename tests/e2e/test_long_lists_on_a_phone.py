"""A supervisor pages through a long customer list on a 390 px phone: links big enough, nothing cut off."""

import pytest
from playwright.sync_api import expect

from hk.extensions import db
from hk.models import Customer
from tests.builders import PASSWORD, make_user
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e


def test_paging_through_customers_on_a_phone(app, live_server, phone):
    with app.app_context():
        supervisor = make_user("supervisor")
        db.session.add_all(
            Customer(name=f"顾客{n:03d}", phone=f"1380000{n:04d}", address=f"上海市徐汇区测试路{n}号")
            for n in range(1, 121)
        )
        db.session.commit()
        username = supervisor.username
    log_in(phone, live_server, username, PASSWORD)
    phone.goto(f"{live_server}/office/customers")
    pager = phone.get_by_test_id("pager-page")
    expect(pager).to_contain_text("第 1 / 3 页 · 共 120 条")
    for link in (phone.get_by_text("‹ 上一页"), phone.get_by_text("下一页 ›")):
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen, not cut off
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_test_id("next-page").click()
    expect(pager).to_contain_text("第 2 / 3 页")
    phone.get_by_test_id("next-page").click()
    expect(pager).to_contain_text("第 3 / 3 页")
    expect(phone.get_by_test_id("customers")).to_contain_text("顾客120")
    shot(phone, "office-customers-last-page")
