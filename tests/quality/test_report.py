"""The monthly quality report: a PDF of the month's figures, worst cases and workers, on a download
button and from `flask hk quality-report`."""

import subprocess
from datetime import date, timedelta

import pytest

from hk.cli import quality_report_command
from hk.domain.clock import local_today
from hk.extensions import db
from hk.quality.report import BadMonth, parse_month
from tests.builders import make_customer, make_user
from tests.quality.helpers import at, complaint, done_job, rate


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _last_month(app):
    today = local_today(app.config["TIMEZONE"])
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    worker, customer = make_user(), make_customer()
    worker.display_name = "赵阿姨"
    db.session.commit()
    job = done_job(worker, customer, first + timedelta(days=3))
    rating = rate(job, 2, recommend=3)
    rating.comment = "厨房油污没有清理干净"
    late = complaint(customer, at(first + timedelta(days=4), 10), job=job, answered_after=timedelta(hours=30))
    db.session.commit()
    return first, late


def test_parse_month():
    assert parse_month("2026-11", date(2027, 1, 5)) == date(2026, 11, 1)
    assert parse_month(None, date(2027, 1, 5)) == date(2026, 12, 1)  # last month
    assert parse_month("", date(2026, 3, 31)) == date(2026, 2, 1)
    for bad in ("2026-13", "26-11", "2026/11", "2026-1", "x"):
        with pytest.raises(BadMonth):
            parse_month(bad, date(2026, 11, 29))


def test_the_download_holds_the_months_figures_worst_cases_and_workers(app, client, login, tmp_path):
    first, late = _last_month(app)
    login("supervisor")
    response = client.get("/quality/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f'filename="quality-{first:%Y-%m}.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    assert "质量报告" in text and "满意率" in text and "0.0%" in text  # the one rating is a 2
    assert late.number in text  # answered after 30 hours: a worst case
    assert "厨房油污没有清理干净" in text and "赵阿姨" in text


def test_a_month_written_wrongly_is_a_404_and_workers_get_no_report(app, client, login):
    login("supervisor")
    assert client.get("/quality/report.pdf?month=2026-13").status_code == 404
    login("worker")
    assert client.get("/quality/report.pdf").status_code == 403


def test_the_command_writes_the_report_in_english(app, tmp_path):
    first, _ = _last_month(app)
    out = tmp_path / "r.pdf"
    result = app.test_cli_runner().invoke(
        quality_report_command, ["--month", f"{first:%Y-%m}", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Quality report" in text and "Satisfied (4–5 of 5)" in text
    bad = app.test_cli_runner().invoke(quality_report_command, ["--month", "November"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
