"""Back office: follow-ups (回访) — who is due this quarter, resolved complaints to call, recording one."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.aftersales import followups
from hk.auth.access import roles_required
from hk.domain.clock import local_today
from hk.domain.feedback import FollowUpChannel, quarter_of
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.models import Complaint, Customer, FollowUp, utcnow
from hk.office import bp
from hk.office.common import OFFICE, tz
from hk.office.forms import FollowUpForm
from hk.pagination import page_arg
from hk.refusals import refusal_text


@bp.route("/follow-ups")
@roles_required(*OFFICE)
def list_follow_ups():
    """Resolved complaints waiting for their call, then the customers due this quarter."""
    today = local_today(tz())
    pages, rows = followups.due_customers(tz(), page_arg(), today=today)
    year, quarter = quarter_of(today)
    return render_template(
        "office/follow_ups.html",
        rows=rows,
        pages=pages,
        cases=followups.cases_to_follow_up(),
        year=year,
        quarter=quarter,
        now=utcnow(),
    )


def _subjects(customer_id: int) -> tuple[Customer, Complaint | None]:
    customer = db.get_or_404(Customer, customer_id)
    case_id = request.values.get("case", type=int)
    case = db.session.get(Complaint, case_id) if case_id else None
    if case_id and (case is None or case.customer_id != customer.id):
        abort(404)
    return customer, case


def _form_page(customer: Customer, case: Complaint | None, form: FollowUpForm, error=None, status=200):
    return render_template(
        "office/follow_up_new.html",
        customer=customer,
        case=case,
        form=form,
        error=error,
        **followups.history(customer, limit=5),
    ), status


@bp.route("/customers/<int:customer_id>/follow-ups/new", methods=["GET", "POST"])
@roles_required(*OFFICE)
def new_follow_up(customer_id: int):
    """Record a follow-up call, visit or message; a double tap records it once."""
    customer, case = _subjects(customer_id)
    if request.method == "GET":
        form = FollowUpForm(formdata=None, client_key=secrets.token_urlsafe(12))
        return _form_page(customer, case, form)
    form = FollowUpForm()
    if not form.validate() or not form.client_key.data:
        return _form_page(customer, case, form, status=422)
    try:
        follow_up = followups.record(
            customer=customer,
            by=current_user,
            channel=FollowUpChannel(form.channel.data),
            satisfied=form.satisfied.data == "yes",
            score=int(form.score.data) if form.score.data else None,
            notes=form.notes.data or "",
            next_step=form.next_step.data or "",
            client_key=form.client_key.data[:64],
            complaint=case,
        )
    except WorkflowError as refused:
        db.session.rollback()
        return _form_page(customer, case, form, error=refusal_text(refused.refusals[0]), status=422)
    flash(_("Follow-up recorded."), "success")
    return redirect(url_for("office.show_follow_up", follow_up_id=follow_up.id), code=303)


@bp.route("/follow-ups/<int:follow_up_id>")
@roles_required(*OFFICE)
def show_follow_up(follow_up_id: int):
    """One follow-up, with the next steps a supervisor takes from it in one tap."""
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    return render_template("office/follow_up.html", follow_up=follow_up)
