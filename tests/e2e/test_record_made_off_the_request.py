"""The signing answers at once; the thanks page and the customer's page update when the queue made the PDF."""

import pytest
from playwright.sync_api import expect

from hk.demo import seed_demo
from hk.queue import run_pending
from tests.e2e.conftest import log_in, shot
from tests.e2e.test_sign_on_a_phone import PASSWORD, _draw, _walk_to_signature

pytestmark = pytest.mark.e2e


def test_the_pages_update_themselves_when_the_record_is_made(app, live_server, phone, browser, queued):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    job_id, username = _walk_to_signature(app, "-01")
    page = phone
    log_in(page, live_server, username, PASSWORD)
    page.goto(f"{live_server}/jobs/{job_id}")
    page.get_by_test_id("to-review").click()  # the phone goes to the customer
    page.get_by_test_id("signer-name").fill("周丽")
    page.get_by_test_id("consent").check()
    _draw(page)
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("signed")).to_be_visible(timeout=20_000)  # the signing, on a busy machine
    expect(page.get_by_test_id("record-pending")).to_be_visible()
    shot(page, "record-1-being-made")

    customer_url = page.get_by_test_id("customer-link").inner_text()
    customer = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    customer.goto(f"{live_server}{customer_url[customer_url.index('/r/') :]}")
    expect(customer.get_by_test_id("record-pending")).to_be_visible()
    shot(customer, "record-2-customer-waiting")

    with app.app_context():  # the queue worker's turn
        assert run_pending() == 2  # the record, then the email with its link (the demo customer has one)
    # nobody reloads: both pages ask by themselves and show the result
    expect(page.get_by_test_id("record-ready")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("record-pending")).to_have_count(0)
    shot(page, "record-3-ready")
    expect(customer.get_by_test_id("download-pdf")).to_be_visible(timeout=10_000)
    shot(customer, "record-4-customer-ready")
    with customer.expect_download() as download:
        customer.get_by_test_id("download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    customer.context.close()
