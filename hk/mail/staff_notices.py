"""Work messages to staff, each in the person's own language (their `locale`, else zh_CN).

A complaint case that is now theirs, a customer's message on it, its first-response clock running
out, a clock breached; a severe incident. Each function queues one message in the caller's
transaction and returns it (None when the person has no address, or this message was queued before).
A message links to the page in hk where the work is done; it never holds a customer's door code.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from hk import labels
from hk.domain.complaints import first_response_due
from hk.mail.notices import sign_off
from hk.mail.service import queue_message
from hk.models import CaseReply, Complaint, Incident, Message, RecipientKind, User, record_event

DEFAULT_LANGUAGE = "zh_CN"


def staff_language(user: User) -> str:
    return user.locale or DEFAULT_LANGUAGE


def hk_url(path: str) -> str:
    """An address in hk, on its public address (HK_PUBLIC_URL)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}"


def _to_staff(
    user: User,
    kind: str,
    dedupe_key: str,
    subject_type: str,
    subject_id: int,
    write: Callable[[], tuple[str, list[str]]],
) -> Message | None:
    """Queue one message to a member of staff: `write()` gives its subject and lines, in their language."""
    if not user.email or not user.is_enabled:
        return None
    lang = staff_language(user)
    with force_locale(lang):
        subject, lines = write()
        lines = [_("Hello %(name)s,", name=user.display_name), "", *lines, *sign_off()]
    return queue_message(
        kind,
        user.email,
        lang,
        subject,
        "\n".join(lines) + "\n",
        dedupe_key,
        RecipientKind.STAFF,
        user.id,
        subject_type=subject_type,
        subject_id=subject_id,
    )


def _about_case(case: Complaint) -> list[str]:
    """What the case is, for the person who works on it."""
    category = labels.CATEGORY_LABELS.get(case.category.value, case.category.value)
    return [
        _("Customer: %(name)s", name=case.customer.name),
        _("Category: %(category)s", category=category),
        _("Received: %(when)s", when=format_datetime(case.received_at, "short")),
    ]


def _on_case(user: User, case: Complaint, kind: str, dedupe_key: str, write) -> Message | None:
    message = _to_staff(user, kind, dedupe_key, "complaint", case.id, write)
    if message is not None:
        record_event(None, "complaint", case.id, "message.queue", message=message.id, kind=kind, to=user.id)
    return message


def case_assigned(case: Complaint, owner: User, assignment_id: int) -> Message | None:
    """The case is now theirs (at opening or later); `assignment_id` is the event that named them."""

    def write():
        subject = _("Complaint %(number)s is now yours", number=case.number)
        lines = [
            _("You are now responsible for complaint %(number)s.", number=case.number),
            *_about_case(case),
        ]
        if case.first_response_at is None:
            due = format_datetime(first_response_due(case.facts()), "short")
            lines.append(_("Answer the customer by %(when)s.", when=due))
        lines += ["", hk_url(f"/complaints/{case.id}")]
        return subject, lines

    return _on_case(owner, case, "case_assigned", f"case_assigned:{assignment_id}", write)


def customer_wrote(reply: CaseReply, owner: User) -> Message | None:
    """The customer wrote on the case (a message, or their reason for reopening it)."""
    case = reply.complaint

    def write():
        subject = _("Complaint %(number)s: the customer wrote", number=case.number)
        quoted = [f"  {line}" if line.strip() else "" for line in reply.body.splitlines()]
        lines = [
            _("%(name)s wrote on complaint %(number)s:", name=case.customer.name, number=case.number),
            "",
            *quoted,
            "",
            hk_url(f"/complaints/{case.id}"),
        ]
        return subject, lines

    return _on_case(owner, case, "case_customer_wrote", f"case_customer_wrote:{reply.id}:{owner.id}", write)


def first_response_due_soon(case: Complaint, user: User) -> Message | None:
    """Less than 4 hours left to answer the customer (once per case)."""

    def write():
        due = format_datetime(first_response_due(case.facts()), "short")
        subject = _("Complaint %(number)s: less than 4 hours left to answer", number=case.number)
        lines = [
            _("Complaint %(number)s must be answered by %(when)s.", number=case.number, when=due),
            *_about_case(case),
        ]
        if case.owner_id is None:
            lines.append(_("Nobody is responsible for it yet."))
        lines += ["", hk_url(f"/complaints/{case.id}")]
        return subject, lines

    return _on_case(user, case, "case_warn_first", f"case_warn_first:{case.id}:{user.id}", write)


def first_response_breached(case: Complaint, admin: User) -> Message | None:
    """No answer 48 hours after the complaint was received (once per case)."""

    def write():
        subject = _("Complaint %(number)s: no answer after 48 hours", number=case.number)
        lines = [
            _("Complaint %(number)s has had no answer for more than 48 hours.", number=case.number),
            *_about_case(case),
            _("Responsible: %(name)s", name=case.owner.display_name if case.owner else _("nobody")),
            "",
            hk_url(f"/complaints/{case.id}"),
        ]
        return subject, lines

    key = f"case_breach_first:{case.id}:{admin.id}"
    return _on_case(admin, case, "case_breach_first", key, write)


def resolution_breached(case: Complaint, admin: User) -> Message | None:
    """Not resolved within its 72 hours (once per case and reopening)."""

    def write():
        subject = _("Complaint %(number)s: not resolved within 72 hours", number=case.number)
        lines = [
            _("Complaint %(number)s was not resolved within 72 hours.", number=case.number),
            *_about_case(case),
            _("Responsible: %(name)s", name=case.owner.display_name if case.owner else _("nobody")),
            "",
            hk_url(f"/complaints/{case.id}"),
        ]
        return subject, lines

    key = f"{breach_prefix(case)}{admin.id}"
    return _on_case(admin, case, "case_breach_resolution", key, write)


def breach_prefix(case: Complaint) -> str:
    """The keys of one resolution breach's messages begin so (one breach per case and reopening)."""
    return f"case_breach_resolution:{case.id}:{case.reopen_count}:"


def severe_incident(incident: Incident, user: User) -> Message | None:
    """A severe incident was just reported: the supervisors and administrators are told at once."""
    job = incident.job

    def write():
        kind = labels.INCIDENT_TYPE_LABELS.get(incident.type.value, incident.type.value)
        subject = _("Severe incident: %(kind)s, job %(number)s", kind=kind, number=job.number)
        reporter = incident.reported_by
        lines = [
            _("A severe incident was reported on job %(number)s.", number=job.number),
            _("What: %(kind)s", kind=kind),
            _("When: %(when)s", when=format_datetime(incident.reported_at, "short")),
            _("Customer: %(name)s", name=job.customer.name),
        ]
        if reporter is not None:
            phone = f" ({reporter.phone})" if reporter.phone else ""
            lines.append(_("Reported by: %(name)s", name=reporter.display_name) + phone)
        lines += [
            "",
            incident.what_happened,
            "",
            _("Acknowledge it in hk:"),
            hk_url(f"/jobs/{job.id}/incidents/{incident.id}"),
        ]
        return subject, lines

    key = f"incident_alert:{incident.id}:{user.id}"
    return _to_staff(user, "incident_alert", key, "job", job.id, write)
