"""What a quality page or export is counted over: a period, and optionally a service type and a worker.

The filters come in the query string (a GET form: a bookmarked or shared address shows the same
figures). Anything unknown or malformed falls back to "this month, everything".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField

from hk.domain.clock import day_bounds, local_today
from hk.domain.periods import PeriodKind, Span, span_for
from hk.extensions import db
from hk.formtools import options
from hk.models import Role, ServiceType, User
from hk.models.catalog import pick

# Chosen days outside these are a slip of the keyboard (a year typed as 0202 or 9999): no days chosen.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _day(value: date | None) -> date | None:
    return value if value is not None and EARLIEST_DAY <= value <= LATEST_DAY else None


def _known_id(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    period = SelectField(
        _l("Period"),
        choices=options(
            [
                (PeriodKind.WEEK.value, _l("This week")),
                (PeriodKind.MONTH.value, _l("This month")),
                (PeriodKind.QUARTER.value, _l("This quarter")),
                (PeriodKind.YEAR.value, _l("This year")),
                (PeriodKind.CUSTOM.value, _l("Chosen days")),
            ]
        ),
        default=PeriodKind.MONTH.value,
        validate_choice=False,
    )
    first = DateField(_l("From"), validators=[])
    last = DateField(_l("To"), validators=[])
    service_type = SelectField(_l("Service"), coerce=_known_id, default=0, validate_choice=False)
    worker = SelectField(_l("Worker"), coerce=_known_id, default=0, validate_choice=False)


@dataclass(frozen=True)
class QualityFilter:
    span: Span
    service_type_id: int | None = None
    worker_id: int | None = None
    tz: str = "Asia/Shanghai"

    def bounds(self, span: Span | None = None) -> tuple[datetime, datetime]:
        """The span's first and end instants (UTC) in the company's time zone."""
        span = span or self.span
        return day_bounds(span.start, self.tz)[0], day_bounds(span.end, self.tz)[0]

    def previous(self) -> QualityFilter:
        return QualityFilter(self.span.previous(), self.service_type_id, self.worker_id, self.tz)

    def query_args(self) -> dict:
        """The query string that shows these figures again (for links and exports)."""
        args = {"period": self.span.kind.value}
        if self.span.kind == PeriodKind.CUSTOM:
            args.update(first=self.span.start.isoformat(), last=self.span.last_day.isoformat())
        if self.service_type_id:
            args["service_type"] = self.service_type_id
        if self.worker_id:
            args["worker"] = self.worker_id
        return args


def filter_form(lang: str) -> FilterForm:
    """The filter form filled from the query string, with the service types and workers to choose."""
    form = FilterForm(request.args)
    services = db.session.scalars(select(ServiceType).order_by(ServiceType.id))
    form.service_type.choices = options(
        [(0, _l("All services"))] + [(s.id, pick(s.name_zh, s.name_en, lang)) for s in services]
    )
    workers = db.session.scalars(select(User).where(User.role == Role.WORKER).order_by(User.display_name))
    form.worker.choices = options([(0, _l("All workers"))] + [(w.id, w.display_name) for w in workers])
    return form


def quality_filter(form: FilterForm, today: date | None = None) -> QualityFilter:
    """The filter the form asks for; what it does not say (or says wrongly) is "this month, everything"."""
    tz = current_app.config["TIMEZONE"]
    try:
        kind = PeriodKind(form.period.data)
    except ValueError:
        kind = PeriodKind.MONTH
    first, last = _day(form.first.data), _day(form.last.data)  # None when malformed
    span = span_for(kind, today or local_today(tz), first, last)
    service_ids = {c.value for c in form.service_type.choices}
    worker_ids = {c.value for c in form.worker.choices}
    return QualityFilter(
        span,
        form.service_type.data if form.service_type.data in service_ids and form.service_type.data else None,
        form.worker.data if form.worker.data in worker_ids and form.worker.data else None,
        tz,
    )
