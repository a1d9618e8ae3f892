"""The job screens. Routes parse, call hk.jobs.service, and render a page or a fragment."""

from __future__ import annotations

import secrets
from functools import partial

from flask import (
    abort,
    current_app,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.domain.catalogue import StageKind
from hk.domain.clock import local_today
from hk.domain.qualification import qualification_problems
from hk.domain.workflow import Answer, Status, WorkflowError
from hk.extensions import htmx
from hk.jobs import bp, service
from hk.jobs.access import EVERYONE, WORKERS, load_job
from hk.jobs.forms import (
    CheckInForm,
    HandoverForm,
    HandoverItemForm,
    ItemForm,
    PreServiceForm,
)
from hk.jobs.messages import refusal_texts
from hk.jobs.responses import guarded, redirect_to, refused_completion, render_stage, to_current_screen
from hk.jobs.views import current_stage_code, item_context, item_photos, stage_context
from hk.models import Job, Role, utcnow
from hk.views_helpers import current_lang


def _today():
    return local_today(current_app.config["TIMEZONE"])


@bp.route("/<int:job_id>")
@roles_required(*EVERYONE)
def show_job(job_id: int):
    """The job's current screen: check-in, the open stage, or where it stands."""
    job = load_job(job_id)
    if current_user.role != Role.WORKER:
        return redirect(url_for("supervise.show_job_record", job_id=job.id))
    if job.status == Status.SCHEDULED:
        problems = qualification_problems(current_user.certificates, _today())
        return render_template(
            "jobs/checkin.html", job=job, form=CheckInForm(formdata=None), problems=problems
        )
    code = current_stage_code(job)
    if code:
        return redirect(url_for("jobs.show_stage", job_id=job.id, stage_code=code))
    return render_template("jobs/status.html", job=job, incidents=job.incidents)


@bp.route("/<int:job_id>/check-in", methods=["POST"])
@roles_required(*WORKERS)
def check_in_job(job_id: int):
    """Record arrival, with the location only when the person agreed to share it."""
    job = load_job(job_id)
    form = CheckInForm()
    location = None
    if (
        form.validate()
        and form.share_location.data
        and form.lat.data is not None
        and form.lng.data is not None
    ):
        location = service.Location(form.lat.data, form.lng.data, form.accuracy.data)
    failed = guarded(job, None, lambda: service.check_in(job, current_user, g.device_id, _today(), location))
    if failed:
        if job.status == Status.SCHEDULED:
            problems = qualification_problems(current_user.certificates, _today())
            return render_template("jobs/checkin.html", job=job, form=form, problems=problems), 409
        return failed
    return to_current_screen(job)


@bp.route("/<int:job_id>/stages/<stage_code>")
@roles_required(*WORKERS)
def show_stage(job_id: int, stage_code: str):
    """One stage: its items, photos and, by kind, the quote or the handover."""
    job = load_job(job_id)
    if not any(s["code"] == stage_code for s in job.stages):
        abort(404)
    if job.status == Status.SCHEDULED:
        return redirect(url_for("jobs.show_job", job_id=job.id))
    return render_stage(job, stage_code)


def _item_fragment(job: Job, stage_code: str, item_code: str, errors=None, status=200, photos=None):
    ctx = item_context(job, stage_code, item_code, current_lang(), photos)
    return render_template("jobs/_item.html", errors=errors or [], **ctx), status


@bp.route("/<int:job_id>/stages/<stage_code>/items/<item_code>", methods=["POST"])
@roles_required(*WORKERS)
def answer_item(job_id: int, stage_code: str, item_code: str):
    """Tick, answer, undo or annotate one item; htmx gets the item back as a fragment."""
    job = load_job(job_id)
    stage = next((s for s in job.stages if s["code"] == stage_code), None)
    if stage is None or not any(i["code"] == item_code for i in stage["items"]):
        abort(404)
    form = ItemForm()
    if not form.validate():
        errors = [m for msgs in form.errors.values() for m in msgs]
        if htmx:
            return _item_fragment(job, stage_code, item_code, errors=errors, status=422)
        return render_stage(job, stage_code, errors=errors, status=422)
    if form.action.data == "note":
        call = partial(
            service.set_note, job, current_user, g.device_id, stage_code, item_code, form.note.data or ""
        )
    else:
        try:
            answer = Answer(form.answer.data) if form.answer.data else None
        except ValueError:
            abort(400)
        call = partial(service.set_answer, job, current_user, g.device_id, stage_code, item_code, answer)
    # Read under the job's lock, before the commit: the answer then needs no second transaction.
    photos = item_photos(job, stage_code, item_code) if htmx else None

    def next_to_the_item(error: WorkflowError):
        # The refusal is shown on the item that was tapped, where the eye is (htmx); else on the page.
        messages = refusal_texts(error.refusals, job.stages, current_lang())
        if htmx:
            return _item_fragment(job, stage_code, item_code, errors=messages, status=409, photos=photos)
        return render_stage(job, stage_code, errors=messages, status=409)

    failed = guarded(job, stage_code, call, on_refusal=next_to_the_item)
    if failed:
        return failed
    if job.status == Status.BLOCKED:
        return redirect_to("jobs.show_job", job_id=job.id)
    if htmx:
        return _item_fragment(job, stage_code, item_code, photos=photos)
    return redirect(
        url_for("jobs.show_stage", job_id=job.id, stage_code=stage_code) + f"#item-{item_code}", code=303
    )


@bp.route("/<int:job_id>/stages/<stage_code>/complete", methods=["POST"])
@roles_required(*WORKERS)
def complete_stage(job_id: int, stage_code: str):
    """Complete a stage when its standard is met, and go on to the next step."""
    job = load_job(job_id)
    failed = guarded(
        job,
        stage_code,
        lambda: service.complete_stage(job, current_user, g.device_id, stage_code),
        on_refusal=lambda error: refused_completion(job, error, stage_code),
    )
    if failed:
        return failed
    return to_current_screen(job)


@bp.route("/<int:job_id>/pre-service", methods=["POST"])
@roles_required(*WORKERS)
def save_pre_service(job_id: int):
    """Keep valuables, special requests and the customer's agreement to the quote."""
    job = load_job(job_id)
    form = PreServiceForm()
    code = next(s["code"] for s in job.stages if s["kind"] == StageKind.PRE_SERVICE)
    if not form.validate():
        return render_stage(job, code, status=422, pre_form=form)
    failed = guarded(
        job,
        code,
        lambda: service.save_pre_service(
            job,
            current_user,
            g.device_id,
            form.valuables.data or "",
            form.requests.data or "",
            bool(form.confirm_quote.data),
        ),
    )
    if failed:
        return failed
    if htmx:
        return _saved()
    return redirect(url_for("jobs.show_stage", job_id=job.id, stage_code=code) + "#pre-service", code=303)


def _saved():
    """The quiet "saved" line of a form kept as it is filled in."""
    message = _("Saved %(time)s", time=format_time(utcnow(), "HH:mm"))
    return render_template("jobs/_saved.html", message=message)


def _handover_code(job: Job) -> str:
    return next(s["code"] for s in job.stages if s["kind"] == StageKind.POST_SERVICE)


@bp.route("/<int:job_id>/handover", methods=["POST"])
@roles_required(*WORKERS)
def save_handover(job_id: int):
    """Keep the handover remarks and the tools-removed confirmation."""
    job = load_job(job_id)
    form = HandoverForm()
    code = _handover_code(job)
    if not form.validate():
        return render_stage(job, code, status=422, handover_form=form)
    failed = guarded(
        job,
        code,
        lambda: service.save_handover(
            job, current_user, g.device_id, bool(form.tools_removed.data), form.remarks.data or ""
        ),
    )
    if failed:
        return failed
    if htmx:
        return _saved()
    return redirect(url_for("jobs.show_stage", job_id=job.id, stage_code=code) + "#handover", code=303)


def _handover_items_fragment(job: Job, form: HandoverItemForm | None = None, status: int = 200):
    form = form or HandoverItemForm(formdata=None, client_key=secrets.token_urlsafe(12))
    ctx = stage_context(job, _handover_code(job), current_lang())
    return render_template("jobs/_handover_items.html", handover_item_form=form, **ctx), status


def _handover_items_changed(job: Job, code: str):
    """After the handed-back list changed: the list as a fragment, or back to the handover."""
    if htmx:
        return _handover_items_fragment(job)
    return redirect(url_for("jobs.show_stage", job_id=job.id, stage_code=code) + "#handover-items", code=303)


@bp.route("/<int:job_id>/handover/items", methods=["POST"])
@roles_required(*WORKERS)
def add_handover_item(job_id: int):
    """Add a handed-back item (keys, cards, things) with its quantity."""
    job = load_job(job_id)
    form = HandoverItemForm()
    code = _handover_code(job)
    if not form.validate() or not form.client_key.data:
        if htmx:
            return _handover_items_fragment(job, form, 422)
        return render_stage(job, code, status=422, handover_item_form=form)
    failed = guarded(
        job,
        code,
        lambda: service.add_handover_item(
            job, current_user, g.device_id, form.description.data, form.quantity.data, form.client_key.data
        ),
    )
    return failed or _handover_items_changed(job, code)


@bp.route("/<int:job_id>/handover/items/<int:item_id>/delete", methods=["POST"])
@roles_required(*WORKERS)
def remove_handover_item(job_id: int, item_id: int):
    """Remove a handover line added by mistake."""
    job = load_job(job_id)
    code = _handover_code(job)
    failed = guarded(job, code, lambda: service.remove_handover_item(job, current_user, g.device_id, item_id))
    return failed or _handover_items_changed(job, code)


@bp.route("/<int:job_id>/take-over", methods=["POST"])
@roles_required(*WORKERS)
def take_over_job(job_id: int):
    """Continue the job on this phone; the other device is told when it next saves."""
    job = load_job(job_id)
    service.take_over(job, current_user, g.device_id)
    return to_current_screen(job)
