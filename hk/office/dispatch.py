"""Back office: dispatch (派单) — new jobs and series, the job page (assign, cancel, quote), the schedule."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hk.aftersales.queries import cases_about_job, reclean_remedy_of
from hk.auth.access import roles_required
from hk.domain.clock import local_today
from hk.domain.dispatch import Repeat
from hk.domain.workflow import Status, WorkflowError, may_assign
from hk.extensions import db
from hk.formtools import options
from hk.models import Customer, Job, ServiceType, User
from hk.office import bp, dispatch_service, queries
from hk.office.common import OFFICE, events_page, tz
from hk.office.forms import AssignForm, JobForm, QuoteForm, ReasonOnlyForm
from hk.office.messages import dispatch_texts, worker_label
from hk.views_helpers import current_lang


def _worker_choices() -> list[tuple[int, str]]:
    """Enabled workers, each marked when their certificates need attention."""
    today = local_today(tz())
    return [(0, _("Not assigned yet"))] + [(w.id, worker_label(w, today)) for w in queries.workers(True)]


def _job_form(form: JobForm) -> JobForm:
    form.customer.choices = options([(c.id, f"{c.name} · {c.phone}") for c in queries.active_customers()])
    form.service_type.choices = options(
        [(s.id, s.name(current_lang())) for s in queries.active_service_types()]
    )
    form.worker.choices = options(_worker_choices())
    return form


@bp.route("/jobs/new", methods=["GET", "POST"])
@roles_required(*OFFICE)
def new_job():
    """Create a job (or a regular series) from the catalogue, with its quote; assign a worker."""
    form = _job_form(JobForm())
    if request.method == "GET":
        form.day.data = form.day.data or local_today(tz()) + timedelta(days=1)
        form.customer.data = request.args.get("customer", type=int) or form.customer.data
    errors = []
    if form.validate_on_submit():
        worker = db.session.get(User, form.worker.data) if form.worker.data else None
        try:
            created = dispatch_service.create_jobs(
                current_user,
                db.session.get(Customer, form.customer.data),
                db.session.get(ServiceType, form.service_type.data),
                form.day.data,
                (form.start.data.hour, form.start.data.minute),
                (form.end.data.hour, form.end.data.minute),
                tz(),
                worker,
                form.notes.data,
                Repeat(form.repeat.data),
                form.count.data,
                form.area_m2.data,
            )
        except WorkflowError as error:
            errors = dispatch_texts(error.refusals, worker)
        else:
            flash(_("%(n)d job(s) created.", n=len(created.jobs)), "success")
            return redirect(url_for("office.show_job", job_id=created.jobs[0].id), code=303)
    status = 422 if (form.errors or errors) else 200
    return render_template("office/job_new.html", form=form, errors=errors), status


def _quote_rows(job: Job, form: QuoteForm) -> list:
    """Each quote line with its row of the form; a line the form lacks gets a row of its stored values."""
    sent = {str(entry.form.line_id.data): entry.form for entry in form.lines}
    rows = []
    for line in job.quote_lines:
        row = sent.get(str(line.id))
        if row is None:
            data = {"line_id": line.id, "quantity": line.quantity, "unit_price": line.unit_price}
            row = form.lines.append_entry(data).form
        rows.append((line, row))
    return rows


def _job_page(job: Job, errors=(), quote_form=None, cancel_form=None, status: int = 200):
    """The job as the office sees it: assignment, cancelling, the quote and the change log."""
    assign_form = AssignForm(formdata=None, worker=job.worker_id or 0)
    assign_form.worker.choices = options(_worker_choices())
    quote_form = quote_form or QuoteForm(formdata=None)
    return render_template(
        "office/job.html",
        job=job,
        can_assign=may_assign(Status(job.status)),
        assign_form=assign_form,
        cancel_form=cancel_form or ReasonOnlyForm(formdata=None),
        quote_form=quote_form,
        quote_rows=_quote_rows(job, quote_form),
        reclean_for=reclean_remedy_of(job.id),
        complaints=cases_about_job(job.id),
        errors=list(errors),
        **events_page("job", job.id),
    ), status


@bp.route("/jobs/<int:job_id>")
@roles_required(*OFFICE)
def show_job(job_id: int):
    """A job as the office sees it: quote, assignment, cancel, history."""
    return _job_page(db.get_or_404(Job, job_id))


@bp.route("/jobs/<int:job_id>/assign", methods=["POST"])
@roles_required(*OFFICE)
def assign_job(job_id: int):
    """Assign or reassign; refused with the reason when the worker cannot take the job."""
    job = db.get_or_404(Job, job_id)
    worker_id = request.form.get("worker", type=int) or 0
    worker = db.session.get(User, worker_id) if worker_id else None
    try:
        dispatch_service.assign(current_user, job, worker, tz())
    except WorkflowError as error:
        return _job_page(job, dispatch_texts(error.refusals, worker), status=409)
    flash(_("Assignment saved."), "success")
    return redirect(url_for("office.show_job", job_id=job.id), code=303)


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@roles_required(*OFFICE)
def cancel_job(job_id: int):
    """Cancel a job with a reason."""
    job = db.get_or_404(Job, job_id)
    form = ReasonOnlyForm()
    if not form.validate():
        return _job_page(job, [_("Please give a reason.")], cancel_form=form, status=422)
    try:
        dispatch_service.cancel(current_user, job, form.reason.data)
    except WorkflowError as error:
        return _job_page(job, dispatch_texts(error.refusals, None), status=409)
    flash(_("Job cancelled."), "success")
    return redirect(url_for("office.show_job", job_id=job.id), code=303)


def _quote_problems(job: Job, form: QuoteForm) -> list[str]:
    """What is wrong with each line, named in the person's language."""
    lang = current_lang()
    return [
        _(
            "Quote line “%(item)s”: %(problem)s",
            item=line.name(lang),
            problem=" ".join(e[0] for e in row.errors.values()),
        )
        for line, row in _quote_rows(job, form)
        if row.errors
    ]


@bp.route("/jobs/<int:job_id>/quote", methods=["POST"])
@roles_required(*OFFICE)
def adjust_quote(job_id: int):
    """Change the quote's quantities or prices, with a reason, before the customer confirms it."""
    job = db.get_or_404(Job, job_id)
    form = QuoteForm()
    if not form.validate():
        return _job_page(job, _quote_problems(job, form), quote_form=form, status=422)
    quantities, prices = {}, {}
    for line, row in _quote_rows(job, form):
        quantities[line.id], prices[line.id] = row.quantity.data, row.unit_price.data
    try:
        dispatch_service.adjust_quote(current_user, job, quantities, prices, form.reason.data)
    except WorkflowError as error:
        return _job_page(job, dispatch_texts(error.refusals, None), status=409)
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
        start = local_today(tz())
    if view == "week":
        start -= timedelta(days=start.weekday())
    days = 7 if view == "week" else 1
    worker_id = request.args.get("worker", type=int)
    jobs = queries.jobs_between(start, days, tz(), worker_id)
    workers = queries.workers(True)
    today = local_today(tz())
    return render_template(
        "office/schedule.html",
        worker_labels={w.id: worker_label(w, today) for w in workers},
        view=view,
        start=start,
        dates=[start + timedelta(days=n) for n in range(days)],
        workers=workers,
        shown=[w for w in workers if not worker_id or w.id == worker_id],
        grid=queries.schedule_grid(jobs, tz()),
        worker_id=worker_id,
        unassigned=[j for j in jobs if j.worker_id is None],
        prev_day=start - timedelta(days=days),
        next_day=start + timedelta(days=days),
    )
