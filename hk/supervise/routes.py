"""Incidents to handle, jobs to resume or unblock, and the evidence of one job."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from hk.auth.access import roles_required
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.jobs import service
from hk.jobs.forms import ResolveForm
from hk.jobs.messages import refusal_texts
from hk.jobs.views import steps
from hk.models import Incident, IncidentStatus, Job, Photo, Role, events_of, photos_of
from hk.pagination import page_arg, paginate
from hk.supervise import bp
from hk.views_helpers import current_lang

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


@bp.route("/incidents")
@roles_required(*SUPERVISORS)
def list_incidents():
    """Open incidents first, severe first, newest first."""
    severity_order = case({"severe": 0, "moderate": 1, "minor": 2}, value=Incident.severity)
    query = (
        select(Incident)
        .options(selectinload(Incident.job).selectinload(Job.customer), selectinload(Incident.reported_by))
        .order_by(
            case((Incident.status == IncidentStatus.OPEN, 0), else_=1),
            severity_order,
            Incident.reported_at.desc(),
            Incident.id.desc(),
        )
    )
    incidents = paginate(query, page_arg())
    return render_template(
        "supervise/incidents.html",
        incidents=incidents.items,
        pages=incidents,
        form=ResolveForm(formdata=None),
    )


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@roles_required(*SUPERVISORS)
def close_incident(incident_id: int):
    """Close an incident with how it was resolved."""
    incident = db.session.get(Incident, incident_id) or abort(404)
    form = ResolveForm()
    if not form.validate():
        flash(" ".join(str(m) for msgs in form.errors.values() for m in msgs), "error")
        return redirect(url_for("supervise.list_incidents"), code=303)
    service.close_incident(incident, current_user, form.resolution.data)
    flash(_("Incident closed."), "success")
    return redirect(url_for("supervise.list_incidents"), code=303)


@bp.route("/jobs/<int:job_id>/record")
@roles_required(*SUPERVISORS)
def show_job_record(job_id: int):
    """A job's evidence so far: steps, answers, photos, incidents and its event log."""
    job = db.session.get(Job, job_id) or abort(404)
    facts = service.facts_for(job)
    events = events_of("job", job.id)
    incident_photos = db.session.scalars(
        select(Photo).where(Photo.job_id == job.id, Photo.incident_id.is_not(None)).order_by(Photo.id)
    ).all()
    return render_template(
        "supervise/job_record.html",
        job=job,
        steps=steps(job, facts, current_lang()),
        answers={(c.stage_code, c.item_code): c for c in job.checks},
        photos=photos_of(job),
        incident_photos=incident_photos,
        events=events,
    )


def _supervisor_action(job_id: int, action) -> object:
    job = db.session.get(Job, job_id) or abort(404)
    try:
        action(job, current_user)
    except WorkflowError as error:
        db.session.rollback()
        for message in refusal_texts(error.refusals, job.stages, current_lang()):
            flash(message, "error")
    return redirect(url_for("supervise.show_job_record", job_id=job.id), code=303)


@bp.route("/jobs/<int:job_id>/resume", methods=["POST"])
@roles_required(*SUPERVISORS)
def resume_job(job_id: int):
    """Let a paused job go on."""
    return _supervisor_action(job_id, service.resume)


@bp.route("/jobs/<int:job_id>/unblock", methods=["POST"])
@roles_required(*SUPERVISORS)
def unblock_job(job_id: int):
    """Clear a safety block once the hazard is dealt with."""
    return _supervisor_action(job_id, service.unblock)
