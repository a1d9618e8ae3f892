"""The monthly quality report: the month's figures beside the month before, the weekly charts, the
worst cases and each worker, as a PDF for the management meeting (WeasyPrint, the records' fonts).

Made on request (a download, or `flask hk quality-report --month 2026-11`): about a second of CPU
for a report a supervisor asks for once a month, so it is not queued.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from hk.aftersales.views import clock_view
from hk.domain.complaints import ClockReading, ClockState, Severity, first_response_clock, resolution_clock
from hk.domain.periods import month_of
from hk.extensions import db
from hk.models import Complaint, Job, Rating
from hk.models.types import utcnow
from hk.quality.cases import complaint_scope
from hk.quality.filters import QualityFilter
from hk.quality.sql import jobs_done
from hk.quality.views import dashboard

STYLESHEET = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "quality-report.css"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
WORST = 10  # cases and ratings listed


class BadMonth(ValueError):
    """A month that is not written as YYYY-MM, or is not a month."""


def parse_month(text: str | None, today: date) -> date:
    """The first day of the month asked for ("2026-11"); without one, last month (the one to report)."""
    if not text:
        return month_of(today.replace(day=1) - timedelta(days=1)).start
    match = MONTH.match(text.strip())
    if not match:
        raise BadMonth(text)
    try:
        return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise BadMonth(text) from None


def worst_cases(f: QualityFilter) -> list[tuple[Complaint, ClockReading, ClockReading]]:
    """The month's complaints that went worst: a clock breached or answered late, or high severity."""
    now, found = utcnow(), []
    cases = db.session.scalars(
        select(Complaint)
        .where(*complaint_scope(f))
        .options(selectinload(Complaint.pauses), selectinload(Complaint.customer))
        .order_by(Complaint.received_at)
    )
    for case in cases:
        facts = case.facts()
        response, resolution = first_response_clock(facts, now), resolution_clock(facts, now)
        bad = {ClockState.LATE, ClockState.BREACHED, ClockState.OVERDUE}
        score = (resolution.state in bad) * 2 + (response.state in bad) + (case.severity == Severity.HIGH)
        if score:
            found.append((score, case, response, resolution))
    found.sort(key=lambda item: (-item[0], item[1].received_at))
    return [(case, response, resolution) for _, case, response, resolution in found[:WORST]]


def lowest_ratings(f: QualityFilter) -> list[Rating]:
    """The month's lowest ratings (3 or less), lowest first, with their jobs."""
    return list(
        db.session.scalars(
            select(Rating)
            .join(Job, Job.id == Rating.job_id)
            .where(*jobs_done(f), Rating.overall <= 3)
            .options(selectinload(Rating.job).selectinload(Job.worker), selectinload(Rating.customer))
            .order_by(Rating.overall, Rating.rated_at)
            .limit(WORST)
        )
    )


class _NothingFetched(URLFetcher):
    """The report is self-contained (inline SVG charts): WeasyPrint fetches nothing, not even a file."""

    def fetch(self, url: str, headers=None):
        raise ValueError(f"not fetched while rendering a report: {url[:40]}")


def render_report(first_day: date, today: date, lang: str) -> bytes:
    """The PDF of one month's report in a language."""
    f = QualityFilter(month_of(first_day), tz=current_app.config["TIMEZONE"])
    with force_locale(lang):
        context = dashboard(f, today, lang, sort="jobs")
        html = render_template(
            "quality/report.html",
            worst=worst_cases(f),
            clock_view=clock_view,
            lowest=lowest_ratings(f),
            made_at=utcnow(),
            company_name=current_app.config.get("COMPANY_NAME") or "hk",
            lang=lang,
            **context,
        )
        document = HTML(string=html, url_fetcher=_NothingFetched(), base_url="hk-report:/")
        return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
