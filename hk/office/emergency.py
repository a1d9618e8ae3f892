"""Back office: the emergency plan of each incident type (numbers to call, steps in both languages)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.database import lock_for_write
from hk.domain.emergency import MAX_STEPS, IncidentType, PlanError, check_plan, steps_from_rows
from hk.formtools import options
from hk.labels import CALL_LABELS
from hk.models import EmergencyPlan, plan_of
from hk.office import bp, queries, service
from hk.office.common import ADMIN, OFFICE
from hk.office.forms import EmergencyPlanForm
from hk.pagination import page_arg


def _form(plan: EmergencyPlan | None) -> EmergencyPlanForm:
    """The plan's form, with two empty rows to add steps; the numbers it calls come first, in its
    order, so that saving keeps the order."""
    if request.method == "GET":
        steps = [{"zh": s["zh_CN"], "en": s["en"]} for s in plan.steps] if plan else []
        form = EmergencyPlanForm(
            formdata=None, data={"calls": list(plan.calls) if plan else [], "steps": steps}
        )
    else:
        form = EmergencyPlanForm()
    while len(form.steps) < min(len([s for s in form.steps if s.zh.data or s.en.data]) + 2, MAX_STEPS + 2):
        form.steps.append_entry()
    first = list(plan.calls) if plan is not None else []
    form.calls.choices = options(
        [(c, CALL_LABELS[c]) for c in first]
        + [(c, label) for c, label in CALL_LABELS.items() if c not in first]
    )
    return form


def _kind_and_plan(kind: str) -> EmergencyPlan | None:
    if kind not in {t.value for t in IncidentType}:
        abort(404)
    return plan_of(kind)


def _plan_page(kind: str, plan: EmergencyPlan | None, form: EmergencyPlanForm, error: str | None = None):
    events = queries.events_of("emergency_plan", plan.id, page_arg("events")) if plan else None
    status = 422 if (error or form.errors) else 200
    return render_template(
        "office/emergency_plan.html",
        kind=IncidentType(kind),
        plan=plan,
        form=form,
        error=error,
        events=events.items if events else [],
        event_pages=events,
        events_at=("office.edit_emergency_plan", {"kind": kind}),
    ), status


@bp.route("/emergency-plans/<kind>")
@roles_required(*OFFICE)
def edit_emergency_plan(kind: str):
    """One incident type's emergency plan: supervisors read it, administrators edit it."""
    plan = _kind_and_plan(kind)
    return _plan_page(kind, plan, _form(plan))


@bp.route("/emergency-plans/<kind>", methods=["POST"])
@roles_required(*ADMIN)
def save_emergency_plan(kind: str):
    """Save an emergency plan; a change raises its version and is logged."""
    plan = _kind_and_plan(kind)
    if plan is not None:
        plan = lock_for_write(EmergencyPlan, plan.id)  # two editors at once: one after the other
    form = _form(plan)
    if not form.validate_on_submit():
        return _plan_page(kind, plan, form)
    try:
        steps = steps_from_rows([(row.zh.data, row.en.data) for row in form.steps])
        data = check_plan({"incident_type": kind, "calls": form.calls.data, "steps": steps}, "plan")
    except PlanError as exc:
        return _plan_page(kind, plan, form, error=str(exc))
    before = plan.version if plan is not None else None
    saved = service.save_emergency_plan(current_user, data)
    if saved.version != before:
        flash(_("Saved as version %(v)d.", v=saved.version), "success")
    else:
        flash(_("Saved. The plan did not change."), "success")
    return redirect(url_for("office.edit_emergency_plan", kind=kind), code=303)
