"""Back office: workers — accounts, profiles, certificates with their photos, training."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.domain.clock import local_today
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.jobs.messages import photo_rejection_text
from hk.mail.addresses import normal_address
from hk.models import Certificate, CertificateKind, Role, TrainingTopic, User
from hk.office import bp, queries, service, staff_service
from hk.office.common import ADMIN, OFFICE, account_refusals, events_page, tz
from hk.office.forms import CertificateForm, NewWorkerForm, TrainingForm, WorkerForm
from hk.photos import PhotoRejected
from hk.storage import get_storage


def _workers_page(form: NewWorkerForm, status: int = 200):
    """The workers page: every worker with their certificates' state, those needing attention first."""
    workers = queries.workers()
    today = local_today(tz())
    return render_template(
        "office/workers.html",
        workers=workers,
        states={w.id: queries.certificate_states(w, today) for w in workers},
        attention=queries.certificates_needing_attention(workers, today),
        form=form,
    ), status


@bp.route("/workers")
@roles_required(*OFFICE)
def list_workers():
    """Workers with their certificates' state; expiring and expired ones first in view."""
    return _workers_page(NewWorkerForm(formdata=None))


@bp.route("/workers/new", methods=["POST"])
@roles_required(*ADMIN)
def new_worker():
    """Create a worker account (only an administrator creates login accounts)."""
    form = NewWorkerForm()
    if form.validate():
        if queries.username_taken(form.username.data):
            form.username.errors.append(_("This username is taken."))
        if form.employee_no.data and queries.employee_no_taken(form.employee_no.data):
            form.employee_no.errors.append(_("This employee number is taken."))
    if form.errors:
        return _workers_page(form, 422)
    worker = staff_service.create_account(
        current_user,
        Role.WORKER,
        form.username.data,
        form.display_name.data,
        form.phone.data,
        form.password.data,
        form.employee_no.data,
    )
    flash(_("Worker created. Add their certificates before assigning jobs."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)


def _worker(worker_id: int) -> User:
    worker = db.get_or_404(User, worker_id)
    if worker.role != Role.WORKER:
        abort(404)
    return worker


def _certificate(worker_id: int, cert_id: int) -> Certificate:
    cert = db.get_or_404(Certificate, cert_id)
    if cert.worker_id != worker_id:
        abort(404)
    return cert


def _profile_form(worker: User, **kwargs) -> WorkerForm:
    """The profile form: the account's name and phone, the profile's emergency contact and notes."""
    profile = worker.profile
    return WorkerForm(
        obj=worker,
        emergency_contact=profile.emergency_contact if profile else None,
        notes=profile.notes if profile else None,
        **kwargs,
    )


def _worker_page(worker: User, form=None, cert_form=None, training_form=None, status: int = 200):
    """A worker's page: certificates, profile, training and change log, with whichever form was refused."""
    return render_template(
        "office/worker.html",
        worker=worker,
        form=form or _profile_form(worker, formdata=None),
        cert_form=cert_form or CertificateForm(formdata=None),
        training_form=training_form or TrainingForm(formdata=None),
        states=queries.certificate_states(worker, local_today(tz())),
        **events_page("user", worker.id),
    ), status


@bp.route("/workers/<int:worker_id>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_worker(worker_id: int):
    """A worker's profile, certificates and training."""
    worker = _worker(worker_id)
    form = _profile_form(worker)
    if not form.validate_on_submit():
        return _worker_page(worker, form=form, status=422 if form.errors else 200)
    service.update_worker(
        current_user,
        worker,
        {
            "display_name": form.display_name.data.strip(),
            "phone": form.phone.data or None,
            "email": normal_address(form.email.data),
        },
        {"emergency_contact": form.emergency_contact.data or None, "notes": form.notes.data or None},
    )
    flash(_("Saved."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)


@bp.route("/workers/<int:worker_id>/enabled", methods=["POST"])
@roles_required(*ADMIN)
def set_worker_enabled(worker_id: int):
    """Disable a worker (their sessions end at once) or enable them again."""
    worker = _worker(worker_id)
    enable = request.form.get("enable") == "1"
    try:
        staff_service.change_account(current_user, worker.id, enabled=enable)
    except WorkflowError as error:
        for text in account_refusals(error):
            flash(text, "error")
    else:
        flash(_("Worker enabled.") if enable else _("Worker disabled and logged out everywhere."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)


@bp.route("/workers/<int:worker_id>/certificates", methods=["POST"])
@roles_required(*OFFICE)
def add_certificate(worker_id: int):
    """Add a certificate with its number, issuer, validity and a photo of it."""
    worker = _worker(worker_id)
    form = CertificateForm()
    if not form.validate():
        return _worker_page(worker, cert_form=form, status=422)
    scan_key = None
    if form.scan.data and getattr(form.scan.data, "filename", ""):
        try:
            scan_key = service.store_certificate_scan(
                form.scan.data.read(), current_app.config["MAX_PHOTO_BYTES"], tz()
            )
        except PhotoRejected as error:
            form.scan.errors = [photo_rejection_text(error)]
            return _worker_page(worker, cert_form=form, status=422)
    values = {
        "kind": CertificateKind(form.kind.data),
        "name": form.name.data or None,
        "number": form.number.data.strip(),
        "issuer": form.issuer.data.strip(),
        "valid_from": form.valid_from.data,
        "valid_until": form.valid_until.data,
        "scan_key": scan_key,
    }
    service.add_certificate(current_user, worker, values)
    flash(_("Certificate added."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)


@bp.route("/workers/<int:worker_id>/certificates/<int:cert_id>/delete", methods=["POST"])
@roles_required(*OFFICE)
def remove_certificate(worker_id: int, cert_id: int):
    """Remove a certificate entered by mistake."""
    service.remove_certificate(current_user, _certificate(worker_id, cert_id))
    flash(_("Certificate removed."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker_id), code=303)


@bp.route("/workers/<int:worker_id>/certificates/<int:cert_id>/scan")
@roles_required(*OFFICE)
def certificate_scan(worker_id: int, cert_id: int):
    """The photo of a certificate, only for the office."""
    cert = _certificate(worker_id, cert_id)
    if not cert.scan_key:
        abort(404)
    response = make_response(get_storage().get(cert.scan_key))
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/workers/<int:worker_id>/trainings", methods=["POST"])
@roles_required(*OFFICE)
def add_training(worker_id: int):
    """Add a training record."""
    worker = _worker(worker_id)
    form = TrainingForm()
    if not form.validate():
        return _worker_page(worker, training_form=form, status=422)
    values = {
        "course": form.course.data.strip(),
        "topic": TrainingTopic(form.topic.data),
        "completed_on": form.completed_on.data,
        "score": form.score.data,
        "passed": bool(form.passed.data),
    }
    service.add_training(current_user, worker, values)
    flash(_("Training added."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)
