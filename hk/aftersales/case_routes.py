"""One complaint case: the page, its owner, the thread of replies, the steps of the flow, its photos."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.aftersales import bp, cases
from hk.aftersales.case_page import blame_choices, client_key, load_case, owner_choices, refused, render_case
from hk.aftersales.forms import OwnerForm, ReasonForm, ReplyForm, ResolveForm, known_id
from hk.auth.access import roles_required
from hk.domain.complaints import CaseAction
from hk.domain.workflow import Refusal, WorkflowError
from hk.extensions import db
from hk.formtools import options
from hk.models import CasePhoto, User
from hk.storage import get_storage


def _back(case_id: int, anchor: str = ""):
    return redirect(url_for("complaints.show_case", case_id=case_id) + anchor, code=303)


@bp.route("/<int:case_id>")
@roles_required(*cases.STAFF)
def show_case(case_id: int):
    """The case: clocks, owner, thread, what may be done now, remedies, the job's evidence, timeline."""
    return render_case(load_case(case_id))


@bp.route("/<int:case_id>/owner", methods=["POST"])
@roles_required(*cases.STAFF)
def assign_case(case_id: int):
    """Name (or change) the person responsible; only a supervisor or an admin may be."""
    case = load_case(case_id)
    form = OwnerForm(prefix="owner")
    form.owner.choices = options(owner_choices(case))
    form.validate()
    owner = db.session.get(User, form.owner.data) if form.owner.data else None
    try:
        if owner is None:
            raise WorkflowError([Refusal("owner_not_staff")])
        changed = cases.assign(case, owner, current_user)
    except WorkflowError as error:
        return refused(case, error, "owner", {"owner": form})
    if changed:
        flash(_("%(name)s is now responsible for this case.", name=owner.display_name), "success")
    return _back(case.id)


@bp.route("/<int:case_id>/replies", methods=["POST"])
@roles_required(*cases.STAFF)
def reply_to_case(case_id: int):
    """A reply the customer sees, an internal note, or a note that the customer was answered by phone."""
    case = load_case(case_id)
    form = ReplyForm(prefix="reply")
    if not form.validate():
        return render_case(case, forms={"reply": form}, focus="reply", status=422)
    kind = form.kind.data
    try:
        cases.reply(
            case,
            current_user,
            form.body.data,
            client_key(form),
            internal=kind != "customer",
            responded_by_phone=kind == "phone",
        )
    except WorkflowError as error:
        return refused(case, error, "reply", {"reply": form})
    flash(_("Reply sent.") if kind == "customer" else _("Note saved."), "success")
    return _back(case.id, "#thread")


DONE = {
    CaseAction.INVESTIGATE: lambda: _("Investigation started."),
    CaseAction.PROPOSE_REMEDY: lambda: _("The case is now in remedy."),
    CaseAction.RESOLVE: lambda: _(
        "Case resolved. The customer can confirm it on their link; otherwise it closes by itself in 7 days."
    ),
    CaseAction.CLOSE: lambda: _("Case closed."),
    CaseAction.REOPEN: lambda: _("Case reopened."),
    CaseAction.PAUSE: lambda: _("The resolution clock is paused."),
    CaseAction.RESUME: lambda: _("The resolution clock is running again."),
}


@bp.route("/<int:case_id>/actions/<action>", methods=["POST"])
@roles_required(*cases.STAFF)
def act_on_case(case_id: int, action: str):
    """One step of the flow (investigate, resolve, close, reopen) or pausing/resuming the resolution
    clock; the first response is given by replying."""
    try:
        step = CaseAction(action)
    except ValueError:
        abort(404)
    if step == CaseAction.RESPOND:
        abort(404)
    case = load_case(case_id)
    form, details = None, {}
    if step in (CaseAction.PAUSE, CaseAction.REOPEN):
        form = ReasonForm(prefix=step.value)
        if not form.validate():
            return render_case(case, forms={step.value: form}, focus=step.value, status=422)
        details["reason"] = form.reason.data
    elif step == CaseAction.RESOLVE:
        form = ResolveForm(prefix="resolve")
        form.worker.choices = options(blame_choices(case))
        if not form.validate():
            return render_case(case, forms={"resolve": form}, focus="resolve", status=422)
        details["root_cause"] = form.root_cause.data or ""
        details["responsible_worker"] = db.session.get(User, form.worker.data) if form.worker.data else None
    try:
        changed = cases.act(case, step, current_user, **details)
    except WorkflowError as error:
        return refused(case, error, step.value, {step.value: form} if form is not None else None)
    if changed:
        flash(DONE[step](), "success")
    return _back(case.id)


@bp.route("/<int:case_id>/photos/<int:photo_id>")
@roles_required(*cases.STAFF)
def show_case_photo(case_id: int, photo_id: int):
    """A photo the customer sent with the complaint; never served from static/."""
    photo = db.session.get(CasePhoto, photo_id) if known_id(photo_id) else None
    if photo is None or photo.complaint_id != case_id:
        abort(404)
    key = photo.thumb_key if request.args.get("size") == "thumb" else photo.storage_key
    try:
        data = get_storage().get(key)
    except (OSError, ValueError):
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="complaint-photo-{photo.id}.jpg"'
    return response
