"""Incidents to handle, jobs to resume or unblock, and the evidence of one job."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from hk.auth.access import roles_required
from hk.domain.emergency import CloseProblem
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.jobs import service
from hk.jobs.messages import refusal_texts
from hk.jobs.views import steps
from hk.models import STAFF, Incident, IncidentStatus, Job, Photo, events_of, photos_of, utcnow
from hk.pagination import page_arg, paginate
from hk.supervise import bp
from hk.supervise import service as incidents
from hk.supervise.forms import CloseIncidentForm
from hk.views_helpers import current_lang

SUPERVISORS = STAFF
FIGURES_DAYS = 30
CLOSE_PROBLEM_TEXTS = {
    CloseProblem.RESOLUTION: ("resolution", _l("Please say how it was resolved.")),
    CloseProblem.WORKED: ("worked", _l("A severe incident needs its evaluation: what worked?")),
    CloseProblem.TO_CHANGE: ("to_change", _l("A severe incident needs its evaluation: what should change?")),
}


def _incidents_page(refused: tuple[Incident, CloseIncidentForm] | None = None, status: int = 200):
    """Open incidents first, severe first, newest first; the figures of the last 30 days above.

    A refused close shows the same page with that incident's form as it was filled in.
    """
    severity_order = case({"severe": 0, "moderate": 1, "minor": 2}, value=Incident.severity)
    query = (
        select(Incident)
        .options(
            selectinload(Incident.job).selectinload(Job.customer),
            selectinload(Incident.reported_by),
            selectinload(Incident.acknowledged_by),
            selectinload(Incident.closed_by),
        )
        .order_by(
            case((Incident.status == IncidentStatus.OPEN, 0), else_=1),
            severity_order,
            Incident.reported_at.desc(),
            Incident.id.desc(),
        )
    )
    page = paginate(query, page_arg())
    shown = list(page.items)
    if refused and refused[0] not in shown:
        shown.insert(0, refused[0])  # the refused form is shown, wherever its incident is listed
    return render_template(
        "supervise/incidents.html",
        incidents=shown,
        pages=page,
        form=CloseIncidentForm(formdata=None),
        refused=refused,
        figures=incidents.figures_since(utcnow() - timedelta(days=FIGURES_DAYS)),
        figures_days=FIGURES_DAYS,
    ), status


@bp.route("/incidents")
@roles_required(*SUPERVISORS)
def list_incidents():
    """Every incident with its response timeline, and the response figures."""
    return _incidents_page()


@bp.route("/incidents/<int:incident_id>/acknowledge", methods=["POST"])
@roles_required(*SUPERVISORS)
def acknowledge_incident(incident_id: int):
    """A supervisor takes a severe incident in hand: the banner goes; then to the incident."""
    incident = db.session.get(Incident, incident_id) or abort(404)
    incidents.acknowledge_incident(incident.id, current_user)
    return redirect(url_for("jobs.show_incident", job_id=incident.job_id, incident_id=incident.id), code=303)


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@roles_required(*SUPERVISORS)
def close_incident(incident_id: int):
    """Close an incident with how it was resolved, and for a severe one the after-action evaluation."""
    incident = db.session.get(Incident, incident_id) or abort(404)
    form = CloseIncidentForm()
    if form.validate():
        problems = incidents.close_incident(
            incident.id, current_user, form.resolution.data, form.worked.data, form.to_change.data
        )
        if not problems:
            flash(_("Incident closed."), "success")
            return redirect(url_for("supervise.list_incidents"), code=303)
        db.session.rollback()
        for problem in problems:
            name, message = CLOSE_PROBLEM_TEXTS[problem]
            form[name].errors = [*form[name].errors, message]
    db.session.refresh(incident)
    return _incidents_page(refused=(incident, form), status=422)


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
