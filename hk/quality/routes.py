"""The quality dashboard: /quality with its filters in the query string; htmx gets only the figures."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from hk.auth.access import roles_required
from hk.domain.clock import local_today
from hk.domain.periods import PeriodKind
from hk.extensions import htmx
from hk.models import STAFF
from hk.quality import bp
from hk.quality.filters import filter_form, quality_filter
from hk.quality.report import BadMonth, parse_month, render_report
from hk.quality.views import dashboard
from hk.views_helpers import current_lang


@bp.route("")
@roles_required(*STAFF)
def show_dashboard():
    """This period's quality figures beside the previous period's, trends, channels and each worker."""
    lang = current_lang()
    form = filter_form(lang)
    today = local_today(current_app.config["TIMEZONE"])
    f = quality_filter(form, today)
    context = dashboard(f, today, lang, request.args.get("sort", "jobs"))
    if htmx and htmx.target == "figures":
        return render_template("quality/_figures.html", **context)
    # The report button: this month's when a month is shown, else last month's (the one to report).
    month = f.span.start if f.span.kind == PeriodKind.MONTH else parse_month(None, today)
    return render_template("quality/dashboard.html", form=form, report_month=f"{month:%Y-%m}", **context)


@bp.route("/report.pdf")
@roles_required(*STAFF)
def download_report():
    """The monthly report as a PDF (?month=2026-11; without it, last month)."""
    today = local_today(current_app.config["TIMEZONE"])
    try:
        first_day = parse_month(request.args.get("month"), today)
    except BadMonth:
        abort(404)
    pdf = render_report(first_day, today, current_lang())
    name = f"quality-{first_day:%Y-%m}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
