"""The job's evidence on the phone: photos (checked, cleaned, stored) and incidents from any step."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.database import begin_writing, reads_first
from hk.extensions import db, htmx
from hk.jobs import bp, photo_service, service
from hk.jobs.access import EVERYONE, WORKERS, load_job
from hk.jobs.forms import IncidentForm
from hk.jobs.messages import photo_rejection_text
from hk.jobs.responses import guarded, redirect_to, render_stage
from hk.models import Incident, IncidentSeverity, IncidentType, Job, Photo, plan_of
from hk.photos import PhotoRejected, process_photo
from hk.storage import get_storage

# --- photos ------------------------------------------------------------------------------------


def _photo_error(message: str, status: int, job: Job, stage_code: str | None):
    if request.headers.get("X-Requested-With") == "fetch" or htmx:
        return render_template("jobs/_photo_error.html", message=message), status
    if stage_code:
        return render_stage(job, stage_code, errors=[message], status=status)
    return render_template("jobs/refused.html", job=job, messages=[message]), status


def _browser_taken_at(value: str | None) -> datetime | None:
    """The capture time the browser reports (ms since the epoch), when it is believable."""
    try:
        taken = datetime.fromtimestamp(int(value or "") / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    now = datetime.now(UTC)
    return taken if now - timedelta(days=30) <= taken <= now + timedelta(minutes=5) else None


@bp.route("/<int:job_id>/photos", methods=["POST"])
@roles_required(*WORKERS)
@reads_first
def upload_photo(job_id: int):
    """Take a photo for a stage, an item or an incident: checked, cleaned, stored, logged.

    The photo is checked and re-encoded before the write begins, so no one waits for the JPEG work.
    """
    job = load_job(job_id)
    stage_code = request.form.get("stage") or None
    item_code = request.form.get("item") or None
    client_key = (request.form.get("client_key") or "").strip()[:64] or secrets.token_urlsafe(12)
    incident = None
    if request.form.get("incident"):
        incident = db.session.get(Incident, request.form.get("incident", type=int) or 0)
        if incident is None or incident.job_id != job.id:
            abort(404)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return _photo_error(_("Please choose or take a photo first."), 422, job, stage_code)
    cfg = current_app.config
    upload.stream.seek(0)  # a request run again after a lost race reads the file again
    try:
        processed = process_photo(
            upload.read(),
            max_bytes=cfg["MAX_PHOTO_BYTES"],
            max_pixels=cfg["MAX_PHOTO_PIXELS"],
            tz=cfg["TIMEZONE"],
        )
    except PhotoRejected as error:
        return _photo_error(photo_rejection_text(error), 422, job, stage_code)
    if processed.taken_at is None:
        processed = replace(processed, taken_at=_browser_taken_at(request.form.get("taken_at")))
    refused = guarded(
        job, stage_code, lambda: photo_service.photo_place(job, g.device_id, stage_code, item_code, incident)
    )
    if refused:
        return refused
    stored = photo_service.store_photo_files(processed)  # flushed to disk before the short write
    begin_writing()
    job = load_job(job_id)
    if incident is not None:
        incident = db.session.get(Incident, incident.id)
    photo_holder = {}

    def store():
        photo_holder["photo"] = photo_service.add_photo(
            job, current_user, g.device_id, processed, client_key, stage_code, item_code, incident, stored
        )

    failed = guarded(job, stage_code, store)
    if failed:
        return failed
    photo = photo_holder["photo"]
    if request.headers.get("X-Requested-With") == "fetch" or htmx:
        return render_template("jobs/_photo.html", photo=photo, job=job), 201
    if incident is not None:
        return redirect(url_for("jobs.show_incident", job_id=job.id, incident_id=incident.id), code=303)
    anchor = f"#item-{item_code}" if item_code else "#stage-photos"
    return redirect(url_for("jobs.show_stage", job_id=job.id, stage_code=stage_code) + anchor, code=303)


@bp.route("/<int:job_id>/photos/<int:photo_id>")
@roles_required(*EVERYONE)
def show_photo(job_id: int, photo_id: int):
    """A stored photo, only to people allowed to see the job; never served from static/."""
    job = load_job(job_id)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.job_id != job.id:
        abort(404)
    key = photo.thumb_key if request.args.get("size") == "thumb" else photo.storage_key
    response = make_response(get_storage().get(key))
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{photo.id}.jpg"'
    return response


# --- incidents -------------------------------------------------------------------------------


def _incident_type(value: str | None) -> IncidentType | None:
    try:
        return IncidentType(value) if value else None
    except ValueError:
        return None


def _incident_page(job: Job, form: IncidentForm, status: int = 200):
    """The incident form: the kind first; once chosen, its emergency plan, then the report's fields.

    htmx asks for the part below the job's head only: choosing a kind swaps it in.
    """
    kind = _incident_type(form.type.data)
    context = {"job": job, "form": form, "kind": kind, "plan": plan_of(kind)}
    if htmx and not htmx.history_restore_request:
        return render_template("jobs/_incident_body.html", **context), status
    return render_template("jobs/incident_form.html", **context), status


@bp.route("/<int:job_id>/incidents/new")
@roles_required(*WORKERS)
def new_incident(job_id: int):
    """The incident form, reachable from every step; ?type=fire shows the plan for a fire first."""
    job = load_job(job_id)
    kind = _incident_type(request.args.get("type"))
    form = IncidentForm(
        formdata=None, type=kind.value if kind else None, client_key=secrets.token_urlsafe(12)
    )
    return _incident_page(job, form)


@bp.route("/<int:job_id>/incidents", methods=["POST"])
@roles_required(*WORKERS)
def report_incident(job_id: int):
    """Save the incident at once; a severe one alerts the supervisors and pauses the job."""
    job = load_job(job_id)
    form = IncidentForm()
    if not form.validate() or not form.client_key.data:
        return _incident_page(job, form, 422)
    holder = {}
    plan = plan_of(form.type.data)

    def save():
        holder["incident"] = service.report_incident(
            job,
            current_user,
            form.client_key.data,
            IncidentType(form.type.data),
            IncidentSeverity(form.severity.data),
            form.what_happened.data,
            form.action_taken.data or "",
            plan_version=plan.version if plan else None,
        )

    failed = guarded(job, None, save)
    if failed:
        return failed
    return redirect_to("jobs.show_incident", job_id=job.id, incident_id=holder["incident"].id)


@bp.route("/<int:job_id>/incidents/<int:incident_id>")
@roles_required(*EVERYONE)
def show_incident(job_id: int, incident_id: int):
    """The saved incident with its response timeline and emergency plan; photos can be added."""
    job = load_job(job_id)
    incident = db.session.get(Incident, incident_id)
    if incident is None or incident.job_id != job.id:
        abort(404)
    photos = list(
        db.session.scalars(db.select(Photo).where(Photo.incident_id == incident.id).order_by(Photo.id))
    )
    return render_template(
        "jobs/incident.html",
        job=job,
        incident=incident,
        plan=plan_of(incident.type),
        photos=photos,
        client_key=secrets.token_urlsafe(12),
    )
