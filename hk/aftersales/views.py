"""The complaint screens in the person's language: a clock as "due in 3 h" / "overdue by 5 h" /
"paused" with its colour, refusals as sentences, and the reason written on a re-clean's quote."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from hk.domain.complaints import ClockReading, ClockState
from hk.domain.workflow import Refusal
from hk.models import Complaint
from hk.refusals import refusal_text
from hk.views_helpers import current_lang

# The colour of each state on the lists and the case page.
CLOCK_CLASS = {
    ClockState.RUNNING: "clock-ok",
    ClockState.DUE_SOON: "clock-amber",
    ClockState.OVERDUE: "clock-red",
    ClockState.BREACHED: "clock-red",
    ClockState.PAUSED: "clock-paused",
    ClockState.MET: "clock-done",
    ClockState.LATE: "clock-late",
}


def duration_text(span: timedelta) -> str:
    """A length of time as people say it: "40 min", "5 h", "3 d 4 h" (to the nearest hour past one)."""
    minutes = max(1, math.ceil(abs(span.total_seconds()) / 60))
    if minutes < 60:
        return _("%(n)d min", n=minutes)
    hours = (minutes + 30) // 60
    if hours < 48:
        return _("%(n)d h", n=hours)
    return _("%(d)d d %(h)d h", d=hours // 24, h=hours % 24)


@dataclass(frozen=True)
class ClockView:
    text: str
    css: str
    due: datetime | None


def clock_view(reading: ClockReading) -> ClockView:
    """One clock as the lists and the case page show it."""
    css = CLOCK_CLASS[reading.state]
    state = reading.state
    if state == ClockState.PAUSED:
        return ClockView(_("paused"), css, None)
    if state == ClockState.MET:
        return ClockView(_("done in time"), css, reading.due)
    if state == ClockState.LATE:
        return ClockView(_("done late"), css, reading.due)
    if state in (ClockState.OVERDUE, ClockState.BREACHED):
        return ClockView(_("overdue by %(t)s", t=duration_text(reading.left)), css, reading.due)
    return ClockView(_("due in %(t)s", t=duration_text(reading.left)), css, reading.due)


def refusal_texts(refusals: list[Refusal]) -> list[str]:
    """Each refusal as a sentence in the person's language."""
    return [refusal_text(r, lang=current_lang()) for r in refusals]


def reclean_reason(case: Complaint) -> str:
    """The reason written on a re-clean's quote and notes, in the company's language (what the customer
    and the worker read on the job, whoever booked it)."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return _("Re-clean for complaint %(number)s", number=case.number)
