"""Dispatch in the person's language: why an action was refused; a worker's name marked by certificates."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, format_time
from flask_babel import gettext as _

from hk.domain.qualification import Standing, certificate_standing
from hk.domain.workflow import Refusal
from hk.views_helpers import problem_text


def dispatch_text(refusal: Refusal, worker) -> str:
    """One refusal of an assignment, a window or a change as a sentence."""
    p = refusal.params
    day = f"{format_date(p['day'], 'medium')}: " if p.get("day") else ""
    name = worker.display_name if worker is not None else ""
    if refusal.code == "not_qualified":
        return day + _(
            "%(name)s cannot take this job: %(problems)s.",
            name=name,
            problems="; ".join(problem_text(x) for x in p["problems"]),
        )
    if refusal.code == "overlap":
        return day + _(
            "%(name)s already has job %(number)s from %(start)s to %(end)s.",
            name=name,
            number=p["number"],
            start=format_time(p["start"], "HH:mm"),
            end=format_time(p["end"], "HH:mm"),
        )
    texts = {
        "end_before_start": _("The end time must be after the start time."),
        "window_missing": _("Please enter the start and end time."),
        "window_too_long": _("A job may last at most 14 hours."),
        "worker_unavailable": _("This worker's account is disabled."),
        "already_started": _("The job has started; it can no longer be reassigned."),
        "quote_confirmed": _("The customer has confirmed this quote; it can no longer be changed."),
        "wrong_status": _("This cannot be done at this point of the job."),
    }
    return day + texts.get(refusal.code, _("This cannot be done at this point of the job."))


def dispatch_texts(refusals: list[Refusal], worker) -> list[str]:
    """Every refusal as a sentence."""
    return [dispatch_text(r, worker) for r in refusals]


def worker_label(worker, today: date) -> str:
    """A worker's name, marked when a certificate is missing or has expired, or expires soon."""
    standing = certificate_standing(worker.certificates, today)
    if standing == Standing.PROBLEM:
        return _("%(name)s (certificate problem)", name=worker.display_name)
    if standing == Standing.EXPIRING:
        return _("%(name)s (certificate expires soon)", name=worker.display_name)
    return worker.display_name
