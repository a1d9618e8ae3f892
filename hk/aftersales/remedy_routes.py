"""Remedies on a case: book a re-clean, propose a refund, compensation or an apology; an admin approves
or rejects a sum above the threshold; anyone on staff marks a remedy done."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_login import current_user

from hk.aftersales import bp, cases, remedies
from hk.aftersales.case_page import client_key, load_case, reclean_worker_choices, refused, render_case, tz
from hk.aftersales.forms import ApologyForm, CompensationForm, DecisionForm, RecleanForm, RefundForm, known_id
from hk.aftersales.views import reclean_reason
from hk.auth.access import roles_required
from hk.domain.complaints import RemedyKind, RemedyStatus
from hk.domain.remedies import RemedyAction
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.formtools import options
from hk.models import Complaint, Remedy, Role, User
from hk.office.messages import dispatch_texts

MONEY_FORMS = {
    RemedyKind.REFUND: RefundForm,
    RemedyKind.COMPENSATION: CompensationForm,
    RemedyKind.APOLOGY: ApologyForm,
}


def _to_remedies(case_id: int):
    return redirect(url_for("complaints.show_case", case_id=case_id) + "#remedies", code=303)


@bp.route("/<int:case_id>/remedies/<kind>", methods=["POST"])
@roles_required(*cases.STAFF)
def add_remedy(case_id: int, kind: str):
    """Add a remedy; the case moves to "remedy" when it has been answered."""
    try:
        kind = RemedyKind(kind)
    except ValueError:
        abort(404)
    case = load_case(case_id)
    if kind == RemedyKind.RECLEAN:
        return _book_reclean(case)
    form = MONEY_FORMS[kind](prefix=kind.value)
    if not form.validate():
        return render_case(case, forms={kind.value: form}, focus=kind.value, status=422)
    amount = form.amount.data if hasattr(form, "amount") else None
    try:
        remedy = remedies.propose(
            case,
            current_user,
            kind,
            client_key(form),
            amount=amount,
            description=form.description.data or "",
            threshold=current_app.config["REMEDY_APPROVAL_ABOVE"],
            by_admin=current_user.role == Role.ADMIN,
        )
    except WorkflowError as error:
        return refused(case, error, kind.value, {kind.value: form})
    if remedy.status == RemedyStatus.AWAITING_APPROVAL:
        limit = format_currency(current_app.config["REMEDY_APPROVAL_ABOVE"], "CNY")
        flash(_("Saved. An administrator approves sums above %(limit)s.", limit=limit), "warning")
    else:
        flash(_("Remedy saved."), "success")
    return _to_remedies(case.id)


def _book_reclean(case: Complaint):
    """A free job for the same customer and service, through the same gates as any other booking."""
    form = RecleanForm(prefix="reclean")
    form.worker.choices = options(reclean_worker_choices())
    if not form.validate():
        return render_case(case, forms={"reclean": form}, focus="reclean", status=422)
    worker = db.session.get(User, form.worker.data) if form.worker.data else None
    try:
        remedy = remedies.book_reclean(
            case,
            current_user,
            client_key(form),
            day=form.day.data,
            start_hm=(form.start.data.hour, form.start.data.minute),
            end_hm=(form.end.data.hour, form.end.data.minute),
            tz=tz(),
            worker=worker,
            reason=reclean_reason(case),
            notes=form.notes.data or "",
        )
    except WorkflowError as error:
        texts = dispatch_texts(error.refusals, worker)  # the gate's own sentences, with the worker's name
        return refused(case, error, "reclean", {"reclean": form}, texts=texts)
    flash(_("Re-clean booked: job %(number)s, free of charge.", number=remedy.reclean_job.number), "success")
    return _to_remedies(case.id)


def _decide(case_id: int, remedy_id: int, action: RemedyAction):
    case = load_case(case_id)
    remedy = db.session.get(Remedy, remedy_id) if known_id(remedy_id) else None
    if remedy is None or remedy.complaint_id != case.id:
        abort(404)
    reason = ""
    if action == RemedyAction.REJECT:
        form = DecisionForm(prefix=f"reject{remedy.id}")
        form.validate()
        reason = form.reason.data or ""
    try:
        changed = remedies.decide(remedy, action, current_user, current_user.role == Role.ADMIN, reason)
    except WorkflowError as error:
        return refused(case, error, "remedies")
    if changed:
        flash(
            {
                RemedyAction.APPROVE: _("Remedy approved."),
                RemedyAction.REJECT: _("Remedy rejected."),
                RemedyAction.DONE: _("Remedy marked as done."),
            }[action],
            "success",
        )
    return _to_remedies(case.id)


@bp.route("/<int:case_id>/remedies/<int:remedy_id>/approve", methods=["POST"])
@roles_required(Role.ADMIN)
def approve_remedy(case_id: int, remedy_id: int):
    """An admin agrees to a refund or compensation above the threshold."""
    return _decide(case_id, remedy_id, RemedyAction.APPROVE)


@bp.route("/<int:case_id>/remedies/<int:remedy_id>/reject", methods=["POST"])
@roles_required(Role.ADMIN)
def reject_remedy(case_id: int, remedy_id: int):
    """An admin refuses a refund or compensation above the threshold, with an optional reason."""
    return _decide(case_id, remedy_id, RemedyAction.REJECT)


@bp.route("/<int:case_id>/remedies/<int:remedy_id>/done", methods=["POST"])
@roles_required(*cases.STAFF)
def finish_remedy(case_id: int, remedy_id: int):
    """The remedy was carried out: paid, apologised, re-cleaned."""
    return _decide(case_id, remedy_id, RemedyAction.DONE)
