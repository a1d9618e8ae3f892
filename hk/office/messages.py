"""Dispatch in the person's language: why an action was refused; a worker's name marked by certificates."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from hk.domain.qualification import Standing, certificate_standing
from hk.domain.workflow import Refusal
from hk.refusals import refusal_text


def dispatch_text(refusal: Refusal, worker) -> str:
    """One refusal of an assignment, a window or a change as a sentence (with its day for a series)."""
    day = f"{format_date(refusal.params['day'], 'medium')}: " if refusal.params.get("day") else ""
    return day + refusal_text(refusal, name=worker.display_name if worker is not None else "")


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
