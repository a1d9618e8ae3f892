"""The customer signs by drawing on the phone; the PDF is downloaded, validated, looked at, verified."""

import re
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hk.demo import seed_demo
from hk.extensions import db
from hk.models import Job, ServiceRecord, User
from hk.records.service import company_keys
from hk.records.signing import Verdict, check_pdf
from tests.e2e.conftest import ARTIFACTS, log_in, shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


def _walk_to_signature(app, job_number_suffix):
    """Bring a demo job to awaiting signature directly in the database: walking it is tested over
    HTTP (tests/jobs, tests/records) and in the browser (test_job_on_a_phone)."""
    from tests.builders import advance_job

    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number.like(f"%{job_number_suffix}")))
        advance_job(job, "awaiting_signature")
        return job.id, db.session.get(User, job.worker_id).username


def _draw(page):
    # Drawn once the page's script holds the box (a finger before that draws nothing, as on a phone).
    expect(page.locator("form[data-signature-form][data-ready]")).to_have_count(1)
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for x, y in ((70, 60), (110, 140), (160, 50), (210, 130), (260, 70), (300, 110)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
    page.mouse.up()


def _pdf_pages_to_png(pdf_path, prefix):
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(prefix)], check=True)
    return sorted(prefix.parent.glob(prefix.name + "*.png"))


@pytest.mark.parametrize(("lang", "suffix"), [("zh_CN", "-01"), ("en", "-03")])
def test_the_customer_signs_and_the_pdf_is_genuine(app, live_server, phone, tmp_path, lang, suffix):
    with app.app_context():
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    job_id, username = _walk_to_signature(app, suffix)
    page = phone
    log_in(page, live_server, username, PASSWORD)
    page.goto(f"{live_server}/jobs/{job_id}")
    page.get_by_test_id("to-review").click()
    if lang == "en":
        page.get_by_test_id("switch-en").click()
        expect(page.get_by_role("heading", name="Please review and sign")).to_be_visible()
    else:
        expect(page.get_by_role("heading", name="请核对并签字")).to_be_visible()
    shot(page, f"sign-1-review-{lang}")

    # An empty signature is refused with a message, and nothing is lost.
    page.get_by_test_id("signer-name").fill("Zhou Li" if lang == "en" else "周丽")
    page.get_by_test_id("consent").check()
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("signature-error")).to_be_visible()
    expect(page.get_by_test_id("signature-error")).to_be_focused()
    expect(page.get_by_test_id("signer-name")).to_have_value("Zhou Li" if lang == "en" else "周丽")

    _draw(page)
    shot(page, f"sign-2-drawn-{lang}")
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("signed")).to_be_visible(timeout=20_000)  # the signing, on a busy machine
    shot(page, f"sign-3-done-{lang}")

    # The customer's link: open it and download the PDF.
    customer_url = page.get_by_test_id("customer-link").inner_text()
    path = customer_url[customer_url.index("/r/") :]
    customer = page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    customer.goto(f"{live_server}{path}")
    with customer.expect_download() as download_info:
        customer.get_by_test_id("download-pdf").click()
    pdf_path = tmp_path / "record.pdf"
    download_info.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()

    with app.app_context():
        record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job_id))
        assert record.language == lang and record.pages >= 3
        ca = company_keys().ca_cert_pem
        code = record.code
    result = check_pdf(pdf, ca)
    assert result.verdict == Verdict.GENUINE and result.intact and result.trusted and result.covers_whole_file
    pdfsig = subprocess.run(["pdfsig", str(pdf_path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in pdfsig
    pages = _pdf_pages_to_png(pdf_path, ARTIFACTS / f"record-{lang}")
    assert len(pages) >= 3

    # The public check page: genuine for the PDF, altered for a copy with one byte changed.
    customer.goto(f"{live_server}/verify/{code}")
    customer.get_by_test_id("verify-file").set_input_files(str(pdf_path))
    customer.get_by_test_id("verify-submit").click()
    expect(customer.get_by_test_id("verdict")).to_have_attribute("data-verdict", "genuine")
    shot(customer, f"verify-genuine-{lang}")
    altered = bytearray(pdf)
    altered[len(pdf) // 2] ^= 0x01
    bad_path = tmp_path / "altered.pdf"
    bad_path.write_bytes(bytes(altered))
    customer.get_by_test_id("verify-file").set_input_files(str(bad_path))
    customer.get_by_test_id("verify-submit").click()
    expect(customer.get_by_test_id("verdict")).not_to_have_attribute("data-verdict", "genuine")
    expect(customer.get_by_test_id("verdict")).to_contain_text(
        re.compile("已被改动|无法确认为真实记录|Altered|Not a genuine record")
    )
    shot(customer, f"verify-altered-{lang}")
