"""A supervisor opens the quality figures, changes the period and the worker (only the figures are
swapped: the filters keep their place and the address keeps the filters) and downloads the report."""

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from hk.demo import seed_demo
from hk.extensions import db
from hk.models import Role, User
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e
PASSWORD = "demo-e2e-password"


def test_a_supervisor_reads_the_figures_and_filters_them(app, queued, live_server, phone, browser):
    with app.app_context():
        # months of past work to chart; their records wait in the queue (held), as before a worker runs
        seed_demo(PASSWORD, app.config["TIMEZONE"], history=True)
        worker = db.session.scalars(select(User).where(User.role == Role.WORKER).order_by(User.id)).first()
        worker_id, worker_name = worker.id, worker.display_name
    page = phone
    log_in(page, live_server, "supervisor", PASSWORD)
    page.get_by_test_id("nav-quality").click()
    expect(page.get_by_role("heading", name="质量数据")).to_be_visible()
    expect(page.get_by_test_id("satisfied")).to_contain_text("目标：90%")
    shot(page, "quality-1-month-phone")

    filters = page.get_by_test_id("quality-filters")
    marker = filters.evaluate("form => (form.dataset.kept = 'yes')")  # lost if the whole page reloads
    assert marker == "yes"
    page.get_by_label("时间段").select_option("quarter")
    page.wait_for_url("**period=quarter**")
    expect(page.get_by_test_id("period-line")).to_contain_text("对比")
    page.get_by_label("服务人员", exact=True).select_option(str(worker_id))
    page.wait_for_url(f"**worker={worker_id}**")
    expect(page.get_by_test_id("workers").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("workers")).to_contain_text(worker_name)
    assert filters.evaluate("form => form.dataset.kept") == "yes"  # htmx swapped only the figures
    shot(page, "quality-2-quarter-one-worker-phone")

    with page.expect_download() as download:
        page.get_by_test_id("download-report").click()
    pdf = Path(download.value.path())
    assert download.value.suggested_filename.startswith("quality-") and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "质量报告" in text and "本月数据" in text

    with page.expect_download() as download:
        page.get_by_test_id("export-complaints-csv").click()
    assert download.value.suggested_filename.startswith("投诉-")  # the name in the reader's language
    header = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()[0]
    assert "受理时间" in header
    with page.expect_download() as download:
        page.get_by_test_id("export-ratings-xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True).active
    assert "总体评价" in [cell.value for cell in next(sheet.iter_rows(max_row=1))]

    tablet = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN").new_page()
    log_in(tablet, live_server, "supervisor", PASSWORD)
    tablet.goto(f"{live_server}/quality?period=quarter")
    expect(tablet.get_by_test_id("weeks")).to_be_visible()
    shot(tablet, "quality-3-quarter-tablet")
    tablet.context.close()
