"""What every back-office route module shares: who may open it, the company's zone, the change log."""

from __future__ import annotations

from flask import current_app

from hk.models import Role
from hk.office import queries
from hk.pagination import page_arg

OFFICE = (Role.SUPERVISOR, Role.ADMIN)


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


def events_page(subject: str, subject_id: int) -> dict:
    """The context of the change log box (office/_events.html): a page of events, paged by ?events=."""
    events = queries.events_of(subject, subject_id, page_arg("events"))
    endpoint, id_name = EVENTS_SHOWN_AT[subject]
    return {"events": events.items, "event_pages": events, "events_at": (endpoint, {id_name: subject_id})}
