"""Template filters and globals shared by every page."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote, urlsplit

from babel import support
from flask import Flask, Response, current_app, has_request_context, make_response, request
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    ngettext,
)
from wtforms.i18n import messages_path

from hk import labels
from hk.alerts import open_alerts
from hk.domain.catalogue import StageKind
from hk.domain.qualification import QualificationProblem
from hk.models import RecordStatus, ServiceRecord
from hk.pagination import page_url
from hk.records.render import record_number
from hk.storage import get_storage

# Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so "/\t/evil" and
# "/\\evil" lead to another site: a target with any control character, space or backslash is refused.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None, default: str) -> str:
    """A path on this site to go back to after login or a language change; anything else, `default`."""
    if not target or len(target) > 2000 or _UNSAFE.search(target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


@dataclass(frozen=True)
class CallTarget:
    """Whom a worker's call button on a job rings: the customer, or the office."""

    number: str
    customer: bool


CLOSED_JOB_STATES = frozenset({"completed", "cancelled"})


def call_for(job) -> CallTarget | None:
    """The number a worker's job card and job screen call: the customer's while the job is open and
    the company lets workers see customers' numbers (HK_WORKERS_SEE_CUSTOMER_PHONE), else the office's.

    Only ever rendered on the worker's own jobs (the job list and load_job check whose job it is).
    """
    config = current_app.config
    phone = job.customer.phone if job.customer else None
    if config.get("WORKERS_SEE_CUSTOMER_PHONE") and phone and str(job.status) not in CLOSED_JOB_STATES:
        return CallTarget(phone, True)
    office = config.get("COMPANY_PHONE")
    return CallTarget(office, False) if office else None


def map_url(address: str) -> str:
    """The map search for an address (HK_MAP_SEARCH_URL), which opens the phone's map app."""
    return current_app.config["MAP_SEARCH_URL"].replace("{address}", quote(address or "", safe=""))


def tel_href(number: str) -> str:
    """A tel: link's target: the digits and a leading +, nothing a dialler would choke on."""
    return "tel:" + re.sub(r"[^0-9+]", "", number or "")


def current_lang() -> str:
    """The active language code: "zh_CN" or "en"."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def client_address() -> str:
    """The address a request comes from, as login throttling and the rate limits count it.

    It is the TCP peer's, or with HK_TRUSTED_PROXIES=n the one the n-th proxy saw (ProxyFix in
    create_app); an X-Forwarded-For header is never believed otherwise.
    """
    return request.remote_addr or "?"


def pdf_response(record: ServiceRecord, inline: bool = False) -> Response:
    """A record's signed PDF, to show in the browser (inline) or to download; never cached."""
    response = make_response(get_storage().get(record.pdf_key))
    response.headers["Content-Type"] = "application/pdf"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="record-{record_number(record)}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def problem_text(problem: QualificationProblem) -> str:
    """One qualification problem as a sentence in the person's language."""
    kind = labels.CERTIFICATE_KIND_LABELS.get(problem.kind, problem.kind)
    template = labels.PROBLEM_REASON_LABELS[str(problem.reason)]
    return str(template) % {
        "kind": kind,
        "date": format_date(problem.date, "medium") if problem.date else "",
    }


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the language active at the moment (force_locale included).

    Flask-WTF would read the catalogue from disk on every request that makes a form; this loads each
    language once per process.
    """

    def ugettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


def register(app: Flask) -> None:
    """Install filters and context for templates."""

    @app.before_request
    def _wtforms_messages():
        request.wtforms_translations = _WTFORMS_MESSAGES  # where Flask-WTF looks first

    app.jinja_env.filters["hhmm"] = lambda dt: format_time(dt, "HH:mm") if dt else ""
    app.jinja_env.filters["day"] = lambda d: format_date(d, "medium") if d else ""
    app.jinja_env.filters["when"] = lambda dt: format_datetime(dt, "medium") if dt else ""
    app.jinja_env.filters["problem_text"] = problem_text
    app.jinja_env.filters["iso_when"] = lambda v: (
        format_datetime(datetime.fromisoformat(v), "medium") if v else "—"
    )
    app.jinja_env.filters["iso_time"] = lambda v: format_time(datetime.fromisoformat(v), "HH:mm") if v else ""
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["StageKind"] = StageKind
    app.jinja_env.globals["RecordStatus"] = RecordStatus
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["call_for"] = call_for
    app.jinja_env.globals["map_url"] = map_url
    app.jinja_env.filters["tel"] = tel_href
    # Called by base.html on supervisors' pages only: the banner of unacknowledged severe incidents.
    app.jinja_env.globals["severe_alerts"] = open_alerts
    app.jinja_env.globals["new_client_key"] = lambda: secrets.token_urlsafe(12)
    app.jinja_env.filters["money"] = lambda v: format_currency(v, "CNY") if v is not None else ""
    app.jinja_env.filters["qty"] = lambda v: format_decimal(v, "#,##0.##") if v is not None else ""
    app.jinja_env.filters["qty_unit"] = quantity_with_unit

    @app.context_processor
    def _page_context():
        lang = current_lang()
        return {
            "lang": lang,
            "html_lang": "zh-CN" if lang == "zh_CN" else "en",
            "company_name": current_app.config.get("COMPANY_NAME") or "hk",
            "company_phone": current_app.config.get("COMPANY_PHONE"),
            "current_path": request.full_path.rstrip("?") if has_request_context() else "/",
        }


def quantity_with_unit(quantity, unit: str) -> str:
    """A quote line's quantity with its unit in the plural form the number takes: "1 hour", "3 hours"."""
    quantity = Decimal(str(quantity))  # the review's data keeps it as text
    num = format_decimal(quantity, "#,##0.##")
    n = int(quantity) if quantity == int(quantity) else 2  # 1.5 hours: a fraction takes the plural
    forms = {
        "hour": lambda: ngettext("%(qty)s hour", "%(qty)s hours", n, qty=num),
        "m2": lambda: ngettext("%(qty)s m²", "%(qty)s m²", n, qty=num),
        "item": lambda: ngettext("%(qty)s item", "%(qty)s items", n, qty=num),
        "job": lambda: ngettext("%(qty)s job", "%(qty)s jobs", n, qty=num),
    }
    return forms[unit]() if unit in forms else f"{num} {unit}"
