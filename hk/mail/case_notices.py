"""The customer's messages about their complaint case, in the language they signed in.

Each function queues one message in the caller's transaction and returns it (None when the customer
gave no address, or this message was queued before: its dedupe key names the one event it is about).
What the customer reads is what their link shows: the company's replies signed "Customer service",
never an internal note, never a staff member's name. hk.aftersales.notify decides when each is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select

from hk.domain.complaints import AUTO_CLOSE_AFTER
from hk.extensions import db
from hk.mail.notices import sign_off
from hk.mail.service import queue_message
from hk.models import CaseReply, Complaint, Message, RecipientKind, ServiceRecord, SignOff, record_event
from hk.records.links import customer_url, latest_link, new_customer_link

DEFAULT_LANGUAGE = "zh_CN"


def customer_language(case: Complaint) -> str:
    """The language the customer signed in: the case's record, else the job's newest record or
    sign-off; zh_CN when there is none (a case about no job)."""
    if case.record is not None:
        return case.record.language
    if case.job_id is None:
        return DEFAULT_LANGUAGE
    language = db.session.scalar(
        select(ServiceRecord.language)
        .where(ServiceRecord.job_id == case.job_id)
        .order_by(ServiceRecord.id.desc())
        .limit(1)
    ) or db.session.scalar(select(SignOff.language).where(SignOff.job_id == case.job_id))
    return language or DEFAULT_LANGUAGE


def case_link(case: Complaint) -> str | None:
    """The customer's page for the case: the job's record link (its newest valid one, or a new one);
    None for a case about no job."""
    if case.job is None:
        return None
    return customer_url(latest_link(case.job_id) or new_customer_link(case.job))


def _about(case: Complaint, lang: str) -> str:
    """ "the Daily cleaning on 3 May 2025", or "your service" for a case about no job."""
    if case.job is None:
        return _("your service")
    return _(
        "the %(service)s on %(date)s",
        service=case.job.service_type.name(lang),
        date=format_date(case.job.scheduled_start, "long"),
    )


def _follow(url: str | None) -> list[str]:
    """Where the customer follows the case and writes to us."""
    if url is None:
        return []
    return ["", _("Follow your case and write to us on your page:"), url]


def _to_customer(
    case: Complaint, kind: str, dedupe_key: str, write: Callable[[str, str | None], tuple[str, list[str]]]
) -> Message | None:
    """Queue one message to the case's customer: `write(lang, url)` gives its subject and lines."""
    customer = case.customer
    if not customer.email:
        return None
    lang = customer_language(case)
    url = case_link(case)
    with force_locale(lang):
        subject, lines = write(lang, url)
        lines = [_("Hello %(name)s,", name=customer.name), "", *lines, *sign_off()]
    message = queue_message(
        kind,
        customer.email,
        lang,
        subject,
        "\n".join(lines) + "\n",
        dedupe_key,
        RecipientKind.CUSTOMER,
        customer.id,
        subject_type="complaint",
        subject_id=case.id,
    )
    if message is not None:
        record_event(
            None, "complaint", case.id, "message.queue", message=message.id, kind=kind, to="customer"
        )
    return message


def case_opened(case: Complaint) -> Message | None:
    """The receipt: the case number, the answer within 24 hours, the page to follow it on."""

    def write(lang, url):
        subject = _("We have received your complaint %(number)s", number=case.number)
        lines = [
            _(
                "We have received your complaint about %(about)s. Its number is %(number)s.",
                about=_about(case, lang),
                number=case.number,
            ),
            _("We will answer you within 24 hours."),
            *_follow(url),
        ]
        return subject, lines

    return _to_customer(case, "case_opened", f"case_opened:{case.id}", write)


def reply_posted(reply: CaseReply) -> Message | None:
    """A reply from the company that the customer may read (never an internal note)."""
    if reply.internal or reply.from_customer:
        return None
    case = reply.complaint

    def write(lang, url):
        subject = _("A reply on your complaint %(number)s", number=case.number)
        quoted = [f"  {line}" if line.strip() else "" for line in reply.body.splitlines()]
        lines = [
            _("We have replied on your complaint %(number)s:", number=case.number),
            "",
            *quoted,
            "",
            "— " + _("Customer service"),
            *_follow(url),
        ]
        return subject, lines

    return _to_customer(case, "case_reply", f"case_reply:{reply.id}", write)


def case_resolved(case: Complaint) -> Message | None:
    """We think it is sorted: is it? Confirm, or tell us it is not, on the page."""

    def write(lang, url):
        subject = _("Your complaint %(number)s: is it sorted?", number=case.number)
        lines = [
            _("We believe the problem in your complaint %(number)s is sorted now.", number=case.number),
        ]
        if url is not None:
            lines += [
                _("Is it? Please confirm on your page, or tell us it is not and we will take it up again:"),
                url,
            ]
        if case.resolved_at is not None:
            closes = format_date(case.resolved_at + AUTO_CLOSE_AFTER, "long")
            lines += [
                "",
                _("If we do not hear from you, the case closes by itself on %(date)s.", date=closes),
            ]
        return subject, lines

    key = f"case_resolved:{case.id}:{case.reopen_count}"
    return _to_customer(case, "case_resolved", key, write)


def case_closed(case: Complaint, auto: bool = False) -> Message | None:
    """The case is closed: thanks for confirming (on the link, or to staff who closed it), or, `auto`,
    closed after a week without an answer."""

    def write(lang, url):
        subject = _("Your complaint %(number)s is closed", number=case.number)
        if not auto:
            lines = [
                _("Thank you for confirming. We have closed your complaint %(number)s.", number=case.number)
            ]
        else:
            lines = [
                _(
                    "We have closed your complaint %(number)s, as we did not hear from you within a week.",
                    number=case.number,
                )
            ]
        if url is not None:
            lines += ["", _("If the problem comes back, tell us on your page and we will reopen it:"), url]
        return subject, lines

    return _to_customer(case, "case_closed", f"case_closed:{case.id}:{case.reopen_count}", write)


def case_reopened(case: Complaint) -> Message | None:
    """The case is open again: we are on it."""

    def write(lang, url):
        subject = _("We have reopened your complaint %(number)s", number=case.number)
        lines = [
            _(
                "We have reopened your complaint %(number)s and are looking into it again.",
                number=case.number,
            ),
            _("We aim to resolve it within 72 hours."),
            *_follow(url),
        ]
        return subject, lines

    return _to_customer(case, "case_reopened", f"case_reopened:{case.id}:{case.reopen_count}", write)
