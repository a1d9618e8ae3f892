"""The quality dashboard: /quality with its filters in the query string; htmx gets only the figures."""

from __future__ import annotations

from flask import current_app, render_template, request

from hk.auth.access import roles_required
from hk.domain.clock import local_today
from hk.extensions import htmx
from hk.models import Role
from hk.quality import bp
from hk.quality.filters import filter_form, quality_filter
from hk.quality.views import dashboard
from hk.views_helpers import current_lang

STAFF = (Role.SUPERVISOR, Role.ADMIN)


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
    return render_template("quality/dashboard.html", form=form, **context)
