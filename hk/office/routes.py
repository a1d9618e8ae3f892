"""Back-office screens for supervisors and admins. Routes parse forms and call hk.office.service."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hk.auth.access import roles_required
from hk.catalogue import export_service_types, store_catalogue
from hk.domain.catalogue import FORMAT, STAGE_KINDS, CatalogueError, check, load_text
from hk.domain.clock import local_today
from hk.domain.dispatch import Repeat
from hk.domain.qualification import EXPIRY_WARNING_DAYS, certificate_status
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.jobs.messages import photo_rejection_text
from hk.models import (
    Certificate,
    CertificateKind,
    Customer,
    Event,
    Job,
    PriceItem,
    Role,
    ServiceRecord,
    ServiceType,
    TrainingTopic,
    User,
    record_event,
)
from hk.office import bp, service
from hk.office.checklist_form import lines_of, parse_checklist
from hk.office.forms import (
    AssignForm,
    CertificateForm,
    CustomerForm,
    ImportForm,
    JobForm,
    NewWorkerForm,
    ReasonOnlyForm,
    TemplateForm,
    TrainingForm,
    WorkerForm,
)
from hk.office.messages import dispatch_texts
from hk.photos import PhotoRejected, process_photo
from hk.storage import get_storage
from hk.views_helpers import current_lang

OFFICE = (Role.SUPERVISOR, Role.ADMIN)
CUSTOMER_FIELDS = (
    "name",
    "phone",
    "address",
    "access_notes",
    "preferences",
    "household_notes",
    "has_pets",
    "has_children",
    "has_elderly",
)


def _tz() -> str:
    return current_app.config["TIMEZONE"]


def _events(subject: str, subject_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.subject_type == subject, Event.subject_id == subject_id)
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(100)
        )
    )


def _clean(value):
    return value.strip() if isinstance(value, str) else value


# --- customers ---------------------------------------------------------------------------------


@bp.route("/customers")
@roles_required(*OFFICE)
def list_customers():
    """Customers, searched by name, phone or address."""
    text = (request.args.get("q") or "").strip()[:100]
    archived = request.args.get("archived") == "1"
    return render_template(
        "office/customers.html", customers=service.search_customers(text, archived), q=text, archived=archived
    )


@bp.route("/customers/new", methods=["GET", "POST"])
@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_customer(customer_id: int | None = None):
    """A customer's profile, history and edit form (or a new customer)."""
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer_id and customer is None:
        abort(404)
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        values = {
            f: _clean(getattr(form, f).data) or (False if f.startswith("has_") else None)
            for f in CUSTOMER_FIELDS
        }
        other = service.phone_owner(values["phone"], customer.id if customer else None)
        customer = service.save_customer(current_user, customer, values)
        flash(_("Saved."), "success")
        if other is not None:
            flash(
                _(
                    "Note: %(name)s has the same phone number. Check that this is not the same customer.",
                    name=other.name,
                ),
                "warning",
            )
        return redirect(url_for("office.edit_customer", customer_id=customer.id), code=303)
    status = 422 if form.errors else 200
    jobs = records = []
    if customer is not None:
        jobs = list(
            db.session.scalars(
                select(Job)
                .where(Job.customer_id == customer.id)
                .order_by(Job.scheduled_start.desc())
                .limit(100)
            )
        )
        records = {
            r.job_id: r
            for r in db.session.scalars(
                select(ServiceRecord).where(
                    ServiceRecord.job_id.in_([j.id for j in jobs]), ServiceRecord.status == "current"
                )
            )
        }
    return render_template(
        "office/customer.html",
        customer=customer,
        form=form,
        jobs=jobs,
        records=records,
        events=_events("customer", customer.id) if customer else [],
    ), status


@bp.route("/customers/<int:customer_id>/archive", methods=["POST"])
@roles_required(*OFFICE)
def archive_customer(customer_id: int):
    """Archive a customer, or bring one back."""
    customer = db.session.get(Customer, customer_id) or abort(404)
    restore = request.form.get("restore") == "1"
    service.archive_customer(current_user, customer, archive=not restore)
    flash(_("Customer restored.") if restore else _("Customer archived."), "success")
    return redirect(url_for("office.edit_customer", customer_id=customer.id), code=303)


# --- workers -----------------------------------------------------------------------------------


def _cert_states(worker: User) -> list[tuple[Certificate, str]]:
    today = local_today(_tz())
    return [(c, certificate_status(c.valid_from, c.valid_until, today).value) for c in worker.certificates]


@bp.route("/workers")
@roles_required(*OFFICE)
def list_workers():
    """Workers with their certificates' state; expiring and expired ones first in view."""
    workers = db.session.scalars(
        select(User).where(User.role == Role.WORKER).order_by(User.display_name)
    ).all()
    today = local_today(_tz())
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    attention = [
        (c, certificate_status(c.valid_from, c.valid_until, today).value)
        for w in workers
        if w.is_enabled
        for c in w.certificates
        if c.valid_until < horizon
    ]
    return render_template(
        "office/workers.html",
        workers=workers,
        states={w.id: _cert_states(w) for w in workers},
        attention=sorted(attention, key=lambda x: x[0].valid_until),
        form=NewWorkerForm(formdata=None),
    )


@bp.route("/workers/new", methods=["POST"])
@roles_required(*OFFICE)
def new_worker():
    """Create a worker account."""
    form = NewWorkerForm()
    if form.validate():
        if db.session.scalar(select(User.id).where(User.username == form.username.data.strip().lower())):
            form.username.errors.append(_("This username is taken."))
        else:
            worker = service.create_worker(
                current_user,
                form.username.data,
                form.display_name.data,
                form.phone.data or None,
                form.password.data,
                form.employee_no.data,
            )
            flash(_("Worker created. Add their certificates before assigning jobs."), "success")
            return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)
    workers = db.session.scalars(
        select(User).where(User.role == Role.WORKER).order_by(User.display_name)
    ).all()
    return render_template(
        "office/workers.html",
        workers=workers,
        states={w.id: _cert_states(w) for w in workers},
        attention=[],
        form=form,
    ), 422


def _worker(worker_id: int) -> User:
    worker = db.session.get(User, worker_id)
    if worker is None or worker.role != Role.WORKER:
        abort(404)
    return worker


@bp.route("/workers/<int:worker_id>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_worker(worker_id: int):
    """A worker's profile, certificates and training."""
    worker = _worker(worker_id)
    form = WorkerForm(
        obj=worker,
        emergency_contact=worker.profile.emergency_contact if worker.profile else None,
        notes=worker.profile.notes if worker.profile else None,
    )
    if form.validate_on_submit():
        service.apply_changes(
            current_user,
            worker,
            "user",
            "worker.update",
            {"display_name": form.display_name.data.strip(), "phone": form.phone.data or None},
        )
        if worker.profile is not None:
            service.apply_changes(
                current_user,
                worker.profile,
                "user",
                "worker.update",
                {"emergency_contact": form.emergency_contact.data or None, "notes": form.notes.data or None},
            )
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)
    return _worker_page(worker, form=form, status=422 if form.errors else 200)


def _worker_page(worker, form=None, cert_form=None, training_form=None, status=200):
    return render_template(
        "office/worker.html",
        worker=worker,
        form=form or WorkerForm(formdata=None, obj=worker),
        cert_form=cert_form or CertificateForm(formdata=None),
        training_form=training_form or TrainingForm(formdata=None),
        states=_cert_states(worker),
        events=_events("user", worker.id),
    ), status


@bp.route("/workers/<int:worker_id>/enabled", methods=["POST"])
@roles_required(*OFFICE)
def set_worker_enabled(worker_id: int):
    """Disable a worker (their sessions end at once) or enable them again."""
    worker = _worker(worker_id)
    enable = request.form.get("enable") == "1"
    service.set_enabled(current_user, worker, enable)
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
            processed = process_photo(
                form.scan.data.read(), max_bytes=current_app.config["MAX_PHOTO_BYTES"], tz=_tz()
            )
        except PhotoRejected as error:
            form.scan.errors = [photo_rejection_text(error)]
            return _worker_page(worker, cert_form=form, status=422)
        scan_key = get_storage().put(processed.image, "certificates", ".jpg")
    service.add_certificate(
        current_user,
        worker,
        {
            "kind": CertificateKind(form.kind.data),
            "name": form.name.data or None,
            "number": form.number.data.strip(),
            "issuer": form.issuer.data.strip(),
            "valid_from": form.valid_from.data,
            "valid_until": form.valid_until.data,
            "scan_key": scan_key,
        },
    )
    flash(_("Certificate added."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)


@bp.route("/workers/<int:worker_id>/certificates/<int:cert_id>/delete", methods=["POST"])
@roles_required(*OFFICE)
def remove_certificate(worker_id: int, cert_id: int):
    """Remove a certificate entered by mistake."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or cert.worker_id != worker_id:
        abort(404)
    service.remove_certificate(current_user, cert)
    flash(_("Certificate removed."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker_id), code=303)


@bp.route("/workers/<int:worker_id>/certificates/<int:cert_id>/scan")
@roles_required(*OFFICE)
def certificate_scan(worker_id: int, cert_id: int):
    """The photo of a certificate, only for the office."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or cert.worker_id != worker_id or not cert.scan_key:
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
    service.add_training(
        current_user,
        worker,
        {
            "course": form.course.data.strip(),
            "topic": TrainingTopic(form.topic.data),
            "completed_on": form.completed_on.data,
            "score": form.score.data,
            "passed": bool(form.passed.data),
        },
    )
    flash(_("Training added."), "success")
    return redirect(url_for("office.edit_worker", worker_id=worker.id), code=303)


# --- dispatch ----------------------------------------------------------------------------------


def _job_form(form: JobForm) -> JobForm:
    customers = db.session.scalars(
        select(Customer).where(Customer.archived_at.is_(None)).order_by(Customer.name)
    )
    form.customer.choices = [(c.id, f"{c.name} · {c.phone}") for c in customers]
    services = db.session.scalars(
        select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.id)
    )
    form.service_type.choices = [(s.id, s.name(current_lang())) for s in services]
    workers = db.session.scalars(
        select(User).where(User.role == Role.WORKER, User.is_enabled.is_(True)).order_by(User.display_name)
    )
    form.worker.choices = [(0, _("Not assigned yet"))] + [(w.id, _worker_label(w)) for w in workers]
    return form


def _worker_label(worker: User) -> str:
    """A worker's name, marked when a certificate has expired or expires within 30 days."""
    today = local_today(_tz())
    states = {certificate_status(c.valid_from, c.valid_until, today).value for c in worker.certificates}
    kinds = {str(c.kind) for c in worker.certificates}
    if "expired" in states or not {"job", "health"} <= kinds:
        return _("%(name)s (certificate problem)", name=worker.display_name)
    if "expiring" in states:
        return _("%(name)s (certificate expires soon)", name=worker.display_name)
    return worker.display_name


@bp.route("/jobs/new", methods=["GET", "POST"])
@roles_required(*OFFICE)
def new_job():
    """Create a job (or a regular series) from the catalogue, with its quote; assign a worker."""
    form = _job_form(JobForm())
    if request.method == "GET":
        form.day.data = form.day.data or local_today(_tz()) + timedelta(days=1)
        if request.args.get("customer", type=int):
            form.customer.data = request.args.get("customer", type=int)
    errors = []
    if form.validate_on_submit():
        customer = db.session.get(Customer, form.customer.data)
        service_type = db.session.get(ServiceType, form.service_type.data)
        worker = db.session.get(User, form.worker.data) if form.worker.data else None
        try:
            created = service.create_jobs(
                current_user,
                customer,
                service_type,
                form.day.data,
                (form.start.data.hour, form.start.data.minute),
                (form.end.data.hour, form.end.data.minute),
                _tz(),
                worker,
                form.notes.data,
                Repeat(form.repeat.data),
                form.count.data,
                form.area_m2.data,
            )
        except WorkflowError as error:
            db.session.rollback()
            errors = dispatch_texts(error.refusals, worker)
        else:
            flash(_("%(n)d job(s) created.", n=len(created.jobs)), "success")
            return redirect(url_for("office.show_job", job_id=created.jobs[0].id), code=303)
    status = 422 if (form.errors or errors) else 200
    return render_template("office/job_new.html", form=form, errors=errors), status


def _office_job(job_id: int) -> Job:
    return db.session.get(Job, job_id) or abort(404)


@bp.route("/jobs/<int:job_id>")
@roles_required(*OFFICE)
def show_job(job_id: int):
    """A job as the office sees it: quote, assignment, cancel, history."""
    job = _office_job(job_id)
    assign_form = _job_form(JobForm(formdata=None)).worker  # reuse the worker choices
    form = AssignForm(formdata=None, worker=job.worker_id or 0)
    form.worker.choices = assign_form.choices
    return render_template(
        "office/job.html",
        job=job,
        assign_form=form,
        cancel_form=ReasonOnlyForm(formdata=None),
        events=_events("job", job.id),
        errors=[],
    )


def _job_errors(job, errors, status=409):
    assign = AssignForm(formdata=None, worker=job.worker_id or 0)
    assign.worker.choices = _job_form(JobForm(formdata=None)).worker.choices
    return render_template(
        "office/job.html",
        job=job,
        assign_form=assign,
        cancel_form=ReasonOnlyForm(formdata=None),
        events=_events("job", job.id),
        errors=errors,
    ), status


@bp.route("/jobs/<int:job_id>/assign", methods=["POST"])
@roles_required(*OFFICE)
def assign_job(job_id: int):
    """Assign or reassign; refused with the reason when the worker cannot take the job."""
    job = _office_job(job_id)
    worker_id = request.form.get("worker", type=int) or 0
    worker = db.session.get(User, worker_id) if worker_id else None
    try:
        service.assign(current_user, job, worker, _tz())
    except WorkflowError as error:
        db.session.rollback()
        return _job_errors(job, dispatch_texts(error.refusals, worker))
    flash(_("Assignment saved."), "success")
    return redirect(url_for("office.show_job", job_id=job.id), code=303)


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@roles_required(*OFFICE)
def cancel_job(job_id: int):
    """Cancel a job with a reason."""
    job = _office_job(job_id)
    form = ReasonOnlyForm()
    if not form.validate():
        return _job_errors(job, [_("Please give a reason.")], 422)
    try:
        service.cancel(current_user, job, form.reason.data)
    except WorkflowError as error:
        db.session.rollback()
        return _job_errors(job, dispatch_texts(error.refusals, None))
    flash(_("Job cancelled."), "success")
    return redirect(url_for("office.show_job", job_id=job.id), code=303)


def _decimal(value: str | None) -> Decimal | None:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return (
        number if number.is_finite() and number >= 0 and number == number.quantize(Decimal("0.01")) else None
    )


@bp.route("/jobs/<int:job_id>/quote", methods=["POST"])
@roles_required(*OFFICE)
def adjust_quote(job_id: int):
    """Change the quote's quantities or prices, with a reason, before the customer confirms it."""
    job = _office_job(job_id)
    quantities, prices, errors = {}, {}, []
    for line in job.quote_lines:
        qty, price = (
            _decimal(request.form.get(f"qty-{line.id}")),
            _decimal(request.form.get(f"price-{line.id}")),
        )
        if qty is None or price is None:
            errors.append(
                _(
                    "%(item)s: quantity and price must be numbers of 0 or more, with at most two decimals.",
                    item=line.name_zh if str(request.accept_languages) else line.name_en,
                )
            )
            continue
        quantities[line.id], prices[line.id] = qty, price
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        errors.append(_("Please give a reason for the change."))
    if errors:
        return _job_errors(job, errors, 422)
    try:
        service.adjust_quote(current_user, job, quantities, prices, reason)
    except WorkflowError as error:
        db.session.rollback()
        return _job_errors(job, dispatch_texts(error.refusals, None))
    flash(_("Quote updated."), "success")
    return redirect(url_for("office.show_job", job_id=job.id), code=303)


@bp.route("/schedule")
@roles_required(*OFFICE)
def schedule():
    """Jobs per worker for a day or a week."""
    view = "week" if request.args.get("view") == "week" else "day"
    try:
        start = date.fromisoformat(request.args.get("day") or "")
    except ValueError:
        start = local_today(_tz())
    if view == "week":
        start -= timedelta(days=start.weekday())
    days = 7 if view == "week" else 1
    worker_id = request.args.get("worker", type=int)
    jobs = service.jobs_between(start, days, _tz(), worker_id)
    workers = db.session.scalars(
        select(User).where(User.role == Role.WORKER, User.is_enabled.is_(True)).order_by(User.display_name)
    ).all()
    shown = [w for w in workers if not worker_id or w.id == worker_id]
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(_tz())
    grid = {(j.worker_id, j.scheduled_start.astimezone(zone).date()): [] for j in jobs}
    for job in jobs:
        grid[(job.worker_id, job.scheduled_start.astimezone(zone).date())].append(job)
    dates = [start + timedelta(days=n) for n in range(days)]
    return render_template(
        "office/schedule.html",
        worker_labels={w.id: _worker_label(w) for w in workers},
        view=view,
        start=start,
        dates=dates,
        workers=workers,
        shown=shown,
        grid=grid,
        worker_id=worker_id,
        unassigned=[j for j in jobs if j.worker_id is None],
        prev_day=start - timedelta(days=days),
        next_day=start + timedelta(days=days),
    )


# --- catalogue and prices ----------------------------------------------------------------------


@bp.route("/catalogue")
@roles_required(*OFFICE)
def list_catalogue():
    """Service types with their checklist versions and prices."""
    services = db.session.scalars(select(ServiceType).order_by(ServiceType.id)).all()
    return render_template("office/catalogue.html", services=services, import_form=ImportForm(formdata=None))


def _service_type(service_id: int) -> ServiceType:
    return db.session.get(ServiceType, service_id) or abort(404)


def _store_checklist(st: ServiceType, data: dict, endpoint: str):
    """Store checked catalogue data for one service type, log the version change, and go back."""
    before = st.current_template.version
    store_catalogue(data)
    db.session.refresh(st)
    after = st.current_template.version
    record_event(current_user, "service_type", st.id, "catalogue.edit", changes={"version": [before, after]})
    db.session.commit()
    flash(
        _("Saved as version %(v)d. Jobs already created keep their version.", v=after)
        if after != before
        else _("Saved. The checklist did not change."),
        "success",
    )
    return redirect(url_for(endpoint, service_id=st.id), code=303)


@bp.route("/catalogue/<int:service_id>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_service_type(service_id: int):
    """Edit a checklist and its prices in the catalogue format; a change makes a new version."""
    st = _service_type(service_id)
    form = TemplateForm()
    error = None
    if form.validate_on_submit():
        try:
            data = load_text(form.text.data)
            codes = [entry["code"] for entry in data["service_types"]]
            if codes != [st.code]:
                raise CatalogueError(f"service_types: must hold exactly this service type ({st.code})")
            return _store_checklist(st, data, "office.edit_service_type")
        except CatalogueError as exc:
            db.session.rollback()
            error = str(exc)
    if request.method == "GET":
        form.text.data = export_service_types([st])
    status = 422 if (error or form.errors) else 200
    return render_template(
        "office/service_type.html", st=st, form=form, error=error, events=_events("service_type", st.id)
    ), status


@bp.route("/catalogue/<int:service_id>/checklist", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_checklist(service_id: int):
    """The checklist as a form: stages and items in order, flags, labels in both languages."""
    import yaml

    st = _service_type(service_id)
    entry = yaml.safe_load(export_service_types([st]))["service_types"][0]
    error = None
    if request.method == "POST":
        edited = parse_checklist(request.form, entry)
        try:
            return _store_checklist(
                st, check({"format": FORMAT, "service_types": [edited]}), "office.edit_checklist"
            )
        except CatalogueError as exc:
            db.session.rollback()
            error = str(exc)
            entry = edited
    return render_template(
        "office/checklist.html", st=st, entry=entry, error=error, lines_of=lines_of, kinds=STAGE_KINDS
    ), 422 if error else 200


@bp.route("/catalogue/export.yaml")
@bp.route("/catalogue/<int:service_id>/export.yaml")
@roles_required(*OFFICE)
def export_catalogue(service_id: int | None = None):
    """Download service types in the catalogue file format."""
    services = (
        [_service_type(service_id)]
        if service_id
        else db.session.scalars(select(ServiceType).order_by(ServiceType.id)).all()
    )
    response = make_response(export_service_types(list(services)))
    response.headers["Content-Type"] = "application/x-yaml; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="hk-catalogue.yaml"'
    return response


@bp.route("/catalogue/import", methods=["POST"])
@roles_required(*OFFICE)
def import_catalogue():
    """Load a catalogue file; a wrong file is refused with the line named, and nothing changes."""
    upload = request.files.get("file")
    error = None
    if upload is None or not upload.filename:
        error = _("Please choose a catalogue file.")
    else:
        raw = upload.read(2_000_001)
        try:
            if len(raw) > 2_000_000:
                raise CatalogueError("the file is larger than 2 MB")
            summary = store_catalogue(load_text(raw.decode("utf-8")))
        except UnicodeDecodeError:
            error = _("The file is not UTF-8 text.")
        except CatalogueError as exc:
            db.session.rollback()
            error = _("The file was not loaded: %(problem)s", problem=str(exc))
        else:
            record_event(
                current_user,
                "catalogue",
                0,
                "catalogue.import",
                changes={"created": summary.created, "new_versions": summary.new_versions},
            )
            db.session.commit()
            flash(
                _(
                    "Catalogue loaded: %(c)d new, %(v)d new versions, %(u)d unchanged.",
                    c=len(summary.created),
                    v=len(summary.new_versions),
                    u=len(summary.unchanged),
                ),
                "success",
            )
            return redirect(url_for("office.list_catalogue"), code=303)
    services = db.session.scalars(select(ServiceType).order_by(ServiceType.id)).all()
    return render_template(
        "office/catalogue.html", services=services, import_form=ImportForm(formdata=None), error=error
    ), 422


@bp.route("/catalogue/prices/<int:price_id>", methods=["POST"])
@roles_required(*OFFICE)
def update_price(price_id: int):
    """Change one price item's unit price; a negative or non-numeric price is refused."""
    item = db.session.get(PriceItem, price_id) or abort(404)
    price = _decimal(request.form.get("unit_price"))
    if price is None:
        flash(_("The price must be a number of 0 or more, with at most two decimals."), "error")
        return redirect(url_for("office.list_catalogue"), code=303)
    if price != item.unit_price:
        record_event(
            current_user,
            "service_type",
            item.service_type_id,
            "price.update",
            changes={item.code: [str(item.unit_price), str(price)]},
        )
        item.unit_price = price
        db.session.commit()
    flash(_("Price saved."), "success")
    return redirect(url_for("office.list_catalogue"), code=303)
