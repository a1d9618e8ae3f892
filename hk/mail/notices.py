"""The messages hk sends, written in the recipient's language when they are queued.

Each function queues one kind of message in the caller's transaction and returns it (None when
there is no address to send to, or it was queued before); the caller commits, then send_soon().
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from hk.mail.service import queue_message
from hk.models import Message, RecipientKind, ServiceRecord, record_event
from hk.records.links import customer_url, latest_link, new_customer_link


def sign_off() -> list[str]:
    """The last lines of every message: the company, and its phone number when it has one."""
    config = current_app.config
    lines = ["", "—", config.get("COMPANY_NAME") or "hk"]
    if config.get("COMPANY_PHONE"):
        lines.append(_("Questions? Call us at %(phone)s.", phone=config["COMPANY_PHONE"]))
    lines.append(_("This message was sent automatically."))
    return lines


def record_ready(record: ServiceRecord) -> Message | None:
    """The customer's record is made: its link (the job's link, or a new one), and the invitation to
    rate the service and report a problem on the same page. In the language the customer signed in."""
    job = record.job
    customer = job.customer
    if not customer.email:
        return None
    link = latest_link(job.id) or new_customer_link(job)
    with force_locale(record.language):
        service, day = job.service_type.name(record.language), format_date(job.scheduled_start, "long")
        subject = _("Your service record: %(service)s on %(date)s", service=service, date=day)
        lines = [
            _("Hello %(name)s,", name=customer.name),
            "",
            _(
                "Thank you for choosing %(company)s. The record of the %(service)s on %(date)s is ready:",
                company=current_app.config.get("COMPANY_NAME") or "hk",
                service=service,
                date=day,
            ),
            "",
            customer_url(link),
            "",
            _("On the same page you can download the PDF, rate the service and tell us about any problem."),
            _("The link works until %(date)s.", date=format_date(link.expires_at, "long")),
        ]
        if record.version > 1:
            lines += ["", _("This is a corrected version of the record (version %(n)d).", n=record.version)]
        lines += sign_off()
    message = queue_message(
        "record_ready",
        customer.email,
        record.language,
        subject,
        "\n".join(lines) + "\n",
        f"record_ready:{record.id}",
        RecipientKind.CUSTOMER,
        customer.id,
        subject_type="job",
        subject_id=job.id,
    )
    if message is not None:
        record_event(None, "job", job.id, "message.queue", message=message.id, kind=message.kind)
    return message
