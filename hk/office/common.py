"""What every back-office route module shares: who may open it, the company's zone, the change log,
refused account changes."""

from __future__ import annotations

from flask import current_app

from hk.domain.workflow import RefusalCode, WorkflowError
from hk.errors import AdminOnly
from hk.models import STAFF, Role
from hk.office import queries
from hk.pagination import page_arg
from hk.refusals import refusal_text

OFFICE = STAFF
# Accounts and what the company sells and charges: the administrator's alone (SECURITY.md).
ADMIN = (Role.ADMIN,)


def tz() -> str:
    """The company's time zone."""
    return current_app.config["TIMEZONE"]


# Where each subject's change log is shown: its page's endpoint and the name of its id there.
EVENTS_SHOWN_AT = {
    "customer": ("office.edit_customer", "customer_id"),
    "user": ("office.edit_worker", "worker_id"),
    "job": ("office.show_job", "job_id"),
    "service_type": ("office.edit_service_type", "service_id"),
}


def events_page(subject: str, subject_id: int, shown_at: tuple[str, str] | None = None) -> dict:
    """The context of the change log box (office/_events.html): a page of events, paged by ?events=.

    `shown_at` (endpoint, name of the id) when the log is shown on another page than its usual one.
    """
    events = queries.events_of(subject, subject_id, page_arg("events"))
    endpoint, id_name = shown_at or EVENTS_SHOWN_AT[subject]
    return {"events": events.items, "event_pages": events, "events_at": (endpoint, {id_name: subject_id})}


def account_refusals(error: WorkflowError) -> list[str]:
    """A refused account change as sentences; a sender who is no longer an administrator gets the 403."""
    if any(r.code == RefusalCode.NOT_ADMIN for r in error.refusals):
        raise AdminOnly()
    return [refusal_text(r) for r in error.refusals]
