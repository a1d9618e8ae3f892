"""Complaints (投诉): the list with its warnings and filters, and a new case entered by staff."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from hk.aftersales import bp, cases, queries
from hk.aftersales.case_page import tz
from hk.aftersales.clocks import open_cases_with_clocks, read_clocks, warnings_summary
from hk.aftersales.forms import NewCaseForm, known_id
from hk.aftersales.views import clock_view, refusal_texts
from hk.auth.access import roles_required
from hk.domain.complaints import STAFF_CHANNELS, Category, Channel, Severity
from hk.domain.workflow import Refusal, WorkflowError
from hk.extensions import db
from hk.formtools import options
from hk.models import Customer, Job, User, utcnow
from hk.office.queries import search_customers
from hk.pagination import page_arg
from hk.views_helpers import current_lang


@bp.route("")
@roles_required(*cases.STAFF)
def list_cases():
    """Cases under a filter, open ones first, each with both clocks; the warnings above."""
    show = request.args.get("show", "open")
    if show not in queries.FILTERS:
        show = "open"
    now = utcnow()
    open_clocks = open_cases_with_clocks(now)
    page = queries.list_cases(show, current_user.id, open_clocks, page_arg())
    return render_template(
        "complaints/list.html",
        cases=page.items,
        pages=page,
        show=show,
        filters=queries.FILTERS,
        summary=warnings_summary(open_clocks),
        clocks={c.id: read_clocks(c, now) for c in page.items},
        clock_view=clock_view,
    )


def _job_label(job: Job) -> str:
    """A job as the customer would recognise it: its day and service first, then its number."""
    day = format_date(job.scheduled_start, "medium")
    return f"{day} · {job.service_type.name(current_lang())} · {job.number}"


def _choices(form: NewCaseForm, customer: Customer, job_id: int) -> None:
    """The customer's recent jobs (and the job the form came with), and the staff who may own it."""
    jobs = queries.recent_jobs(customer.id)
    if job_id and job_id not in {j.id for j in jobs}:
        chosen = db.session.get(Job, job_id)
        if chosen is not None and chosen.customer_id == customer.id:
            jobs.insert(0, chosen)
    form.job.choices = options([(0, _("No particular job"))] + [(j.id, _job_label(j)) for j in jobs])
    form.owner.choices = options([(0, _("Nobody yet"))] + [(u.id, u.display_name) for u in queries.staff()])


def _pick_customer():
    """The step before the form: find the customer by name, phone or address."""
    text = (request.args.get("q") or "").strip()[:100]
    found = search_customers(text, False, page_arg())
    return render_template("complaints/pick_customer.html", customers=found.items, pages=found, q=text)


def _received_now() -> datetime:
    """Now, to the minute, as the form shows it in the company's zone."""
    return utcnow().astimezone(ZoneInfo(tz())).replace(second=0, microsecond=0)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*cases.STAFF)
def new_case():
    """A complaint taken by phone, email, WeChat, in person or at a follow-up, with the time it came in."""
    form = NewCaseForm()
    if request.method == "GET":
        customer_id = known_id(request.args.get("customer"))
        if not customer_id:
            return _pick_customer()
    else:
        customer_id = known_id(form.customer.data)
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        abort(404)
    if request.method == "GET":
        form.customer.data = str(customer.id)
        form.job.data = known_id(request.args.get("job"))
        if request.args.get("channel") in {c.value for c in STAFF_CHANNELS}:
            form.channel.data = request.args["channel"]  # e.g. raised during a follow-up call
        form.description.data = (request.args.get("description") or "")[:2000]
        form.received_at.data = _received_now()
        form.owner.data = current_user.id
        form.client_key.data = secrets.token_urlsafe(12)
    _choices(form, customer, form.job.data or 0)
    errors = []
    if form.validate_on_submit():
        try:
            case = _open(form, customer)
        except WorkflowError as error:
            db.session.rollback()
            errors = refusal_texts(error.refusals)
        else:
            flash(_("Complaint %(number)s opened.", number=case.number), "success")
            return redirect(url_for("complaints.show_case", case_id=case.id), code=303)
    status = 422 if form.errors else 409 if errors else 200
    return render_template("complaints/new.html", form=form, customer=customer, errors=errors), status


def _open(form: NewCaseForm, customer: Customer):
    """Open the case from a valid form; WorkflowError with every reason it is refused."""
    job = db.session.get(Job, form.job.data) if form.job.data else None
    if form.job.data and job is None:
        raise WorkflowError([Refusal("case_wrong_job")])
    owner = db.session.get(User, form.owner.data) if form.owner.data else None
    if form.owner.data and owner is None:
        raise WorkflowError([Refusal("owner_not_staff")])
    return cases.open_case(
        customer=customer,
        job=job,
        channel=Channel(form.channel.data),
        category=Category(form.category.data),
        severity=Severity(form.severity.data),
        description=form.description.data,
        received_at=form.received_at.data.astimezone(UTC),
        owner=owner,
        client_key=(form.client_key.data or "").strip()[:64] or secrets.token_urlsafe(12),
        actor=current_user,
    )
