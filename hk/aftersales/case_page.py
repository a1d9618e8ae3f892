"""The case page, built in one place for the case and remedy routes: a refused form shows the same page
as a fresh one, with what was typed, why it was refused, and its part of the page open."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hk.aftersales import cases, queries
from hk.aftersales.clocks import read_clocks
from hk.aftersales.evidence import evidence_of
from hk.aftersales.forms import (
    ApologyForm,
    CompensationForm,
    DecisionForm,
    OwnerForm,
    ReasonForm,
    RecleanForm,
    RefundForm,
    ReplyForm,
    ResolveForm,
    known_id,
)
from hk.aftersales.views import clock_view, refusal_texts
from hk.database import wants_write
from hk.domain.clock import local_today
from hk.domain.complaints import OPEN_STATUSES, RemedyStatus, allowed_actions
from hk.domain.remedies import remedy_totals
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.formtools import options
from hk.models import Complaint, Role, User, events_of, utcnow
from hk.office.messages import worker_label

# Each form of the page and the prefix of its fields (several forms share field names).
PREFIXES = ("owner", "reply", "pause", "reopen", "resolve", "refund", "compensation", "apology", "reclean")


def tz() -> str:
    """The company's time zone."""
    return current_app.config["TIMEZONE"]


def _key() -> str:
    return secrets.token_urlsafe(12)


def client_key(form) -> str:
    """The key a create form was shown with (a fresh one if a client sent none)."""
    return (form.client_key.data or "").strip()[:64] or _key()


def _reclean_defaults(case: Complaint) -> dict:
    """Tomorrow, at the hours of the job complained about."""
    defaults = {"day": local_today(tz()) + timedelta(days=1), "client_key": _key()}
    if case.job is not None:
        zone = ZoneInfo(tz())
        defaults["start"] = case.job.scheduled_start.astimezone(zone).time()
        defaults["end"] = case.job.scheduled_end.astimezone(zone).time()
    return defaults


def fresh_forms(case: Complaint) -> dict:
    """Every form of the page, empty, each with a new client key where it creates something."""
    return {
        "owner": OwnerForm(formdata=None, prefix="owner", owner=case.owner_id or 0),
        "reply": ReplyForm(formdata=None, prefix="reply", client_key=_key()),
        "pause": ReasonForm(formdata=None, prefix="pause"),
        "reopen": ReasonForm(formdata=None, prefix="reopen"),
        "resolve": ResolveForm(
            formdata=None,
            prefix="resolve",
            root_cause=case.root_cause or "",
            worker=case.responsible_worker_id or 0,
        ),
        "refund": RefundForm(formdata=None, prefix="refund", client_key=_key()),
        "compensation": CompensationForm(formdata=None, prefix="compensation", client_key=_key()),
        "apology": ApologyForm(formdata=None, prefix="apology", client_key=_key()),
        "reclean": RecleanForm(formdata=None, prefix="reclean", **_reclean_defaults(case)),
    }


def load_case(case_id: int) -> Complaint:
    """The case, locked for the change when the request writes (one change to a case at a time)."""
    if not known_id(case_id):
        abort(404)
    case = cases.lock_case(case_id) if wants_write() else db.session.get(Complaint, case_id)
    if case is None:
        abort(404)
    return case


def owner_choices(case: Complaint) -> list[tuple[int, str]]:
    """Enabled supervisors and admins; "nobody yet" only while nobody is named."""
    staff = [(u.id, u.display_name) for u in queries.staff()]
    if case.owner is not None and case.owner_id not in {i for i, _name in staff}:
        staff.insert(0, (case.owner_id, case.owner.display_name))  # disabled since: still shown as owner
    return staff if case.owner_id else [(0, _("Nobody yet")), *staff]


def blame_choices(case: Complaint) -> list[tuple[int, str]]:
    """Whom a resolved case is put down to: nobody, the job's worker (first), or any other worker."""
    job_worker = case.job.worker if case.job is not None else None
    choices = [(0, _("Nobody: not a worker's fault"))]
    if job_worker is not None:
        choices.append((job_worker.id, _("%(name)s (did the job)", name=job_worker.display_name)))
    return choices + [(w.id, w.display_name) for w in queries.workers() if w != job_worker]


def reclean_worker_choices() -> list[tuple[int, str]]:
    """Enabled workers for a re-clean, each marked when a certificate needs attention."""
    today = local_today(tz())
    workers = [(w.id, worker_label(w, today)) for w in queries.workers() if w.is_enabled]
    return [(0, _("Not assigned yet")), *workers]


def set_choices(forms: dict, case: Complaint) -> dict:
    """The people each form offers."""
    forms["owner"].owner.choices = options(owner_choices(case))
    forms["resolve"].worker.choices = options(blame_choices(case))
    forms["reclean"].worker.choices = options(reclean_worker_choices())
    return forms


def _names(case: Complaint, events) -> dict[int, str]:
    """The names of the people the events mention (owners, the worker responsible, whom an email went to)."""
    ids = {e.data.get(k) for e in events for k in ("owner", "before", "worker")} - {None}
    ids |= {e.data["to"] for e in events if e.action == "message.queue" and isinstance(e.data.get("to"), int)}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _offered(case: Complaint) -> set[str]:
    """The steps to offer now: those the flow allows, a root cause being written in the resolve form."""
    facts = case.facts()
    facts.root_cause = facts.root_cause or "-"
    return {a.value for a in allowed_actions(facts)}


def render_case(
    case: Complaint,
    *,
    errors: list[str] | tuple = (),
    forms: dict | None = None,
    focus: str | None = None,
    status: int = 200,
    now: datetime | None = None,
):
    """The case with its clocks, owner, thread, actions, remedies, evidence and timeline."""
    now = now or utcnow()
    all_forms = fresh_forms(case)
    all_forms.update(forms or {})
    set_choices(all_forms, case)
    clocks = read_clocks(case, now)
    events = events_of("complaint", case.id)
    remedies = list(case.remedies)
    return render_template(
        "complaints/case.html",
        case=case,
        clocks=clocks,
        first_clock=clock_view(clocks.first_response),
        resolution_clock=clock_view(clocks.resolution),
        actions=_offered(case),
        is_open=case.status in OPEN_STATUSES,
        forms=all_forms,
        reject_forms={r.id: DecisionForm(formdata=None, prefix=f"reject{r.id}") for r in remedies},
        focus=focus,
        errors=list(errors),
        evidence=evidence_of(case.job),
        remedies=remedies,
        totals=remedy_totals((r.kind, r.status, r.amount) for r in remedies),
        awaiting=RemedyStatus.AWAITING_APPROVAL,
        is_admin=current_user.role == Role.ADMIN,
        threshold=current_app.config["REMEDY_APPROVAL_ABOVE"],
        events=events,
        names=_names(case, events),
    ), status


def refused(
    case: Complaint,
    error: WorkflowError,
    focus: str,
    forms: dict | None = None,
    texts: list[str] | None = None,
):
    """The page again, saying why the change was refused (nothing was saved)."""
    db.session.rollback()
    errors = texts if texts is not None else refusal_texts(error.refusals)
    return render_case(case, errors=errors, forms=forms, focus=focus, status=409)
