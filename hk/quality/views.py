"""What the quality pages show: this period's figures beside the previous period's, the weekly trends
and the charts drawn from them, gathered in one place so templates never query."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hk.domain.quality import SATISFACTION_TARGET, share
from hk.extensions import db
from hk.labels import CHANNEL_LABELS
from hk.models import ServiceType
from hk.models.catalog import pick
from hk.quality.charts import bar_chart, line_chart, nice_top
from hk.quality.counted import count
from hk.quality.figures import by_service, figures
from hk.quality.filters import QualityFilter
from hk.quality.process import certificate_counts, process_figures
from hk.quality.sql import Stretches, without_jit
from hk.quality.trends import trend_weeks, weekly
from hk.quality.workers import worker_rows


def satisfaction_target() -> float:
    return float(current_app.config.get("SATISFACTION_TARGET") or SATISFACTION_TARGET)


def percent(value: float | None, digits: int = 1) -> str:
    """A share as people read it ("92.5%"), or a dash when there is nothing to count."""
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def hours(value: float | None) -> str:
    """Hours as people read them ("5.5 h"), or a dash when there is nothing to count."""
    return "—" if value is None else gettext("%(h)s h", h=f"{value:.1f}")


def dashboard(f: QualityFilter, today: date, lang: str, sort: str = "jobs") -> dict:
    """Everything /quality shows for a filter. The jobs, records, incidents and complaints of the period,
    the period before and the trend's weeks are each read once (counted.py), and every figure takes
    its share of them."""
    without_jit()
    before = f.previous()
    _, week_starts, end = trend_weeks(f)
    counted = count(f, Stretches(*f.bounds(), *week_starts, end), before.bounds(), customers=True)
    now, then = figures(f, counted=counted), figures(before, counted=counted)
    customers, customers_then = counted.customers
    weeks = weekly(f, counted)
    labels = [format_date(w.monday, "M/d") for w in weeks]
    target = satisfaction_target()
    names = {s.id: pick(s.name_zh, s.name_en, lang) for s in db.session.scalars(select(ServiceType))}
    services = by_service(f, counted)
    certificates = certificate_counts(f, today)
    return {
        "f": f,
        "now": now,
        "then": then,
        "customers": customers,
        "customers_then": customers_then,
        "process": process_figures(f, now.jobs, today, counted, certificates),
        "process_then": process_figures(before, then.jobs, today, counted, certificates),
        "weeks": weeks,
        "week_labels": labels,
        "target": target,
        "satisfaction_chart": line_chart(
            [w.satisfaction for w in weeks], labels, 1, target=target, bottom=0.6
        ),
        "complaints_chart": line_chart(
            [w.complaints_per_hundred for w in weeks],
            labels,
            nice_top(max([w.complaints_per_hundred or 0 for w in weeks] + [1])),
            percent=False,
        ),
        "timeliness_chart": line_chart([w.response_share for w in weeks], labels, 1, target=0.9),
        "channel_chart": bar_chart(
            [
                (str(CHANNEL_LABELS.get(c.channel, c.channel)), c.cases, str(c.cases))
                for c in now.complaints.channels
            ]
        ),
        "services": [
            (names.get(sid, "?"), jobs, rated, satisfied) for sid, jobs, rated, satisfied in services
        ],
        "service_chart": bar_chart([(names.get(sid, "?"), jobs, str(jobs)) for sid, jobs, _, _ in services]),
        "workers": worker_rows(f, today, sort, counted),
        "sort": sort,
        "percent": percent,
        "number": number,
        "hours": hours,
        "share": share,
        "no_data": _l("No data yet"),
    }
