"""The records list with filters, a record's detail, and what a supervisor does with it."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from hk.auth.access import roles_required
from hk.domain.clock import day_bounds
from hk.extensions import db
from hk.models import (
    STAFF,
    CustomerLink,
    Job,
    RecordStatus,
    RenderStatus,
    Role,
    ServiceRecord,
    ServiceType,
    SignOff,
    User,
    events_of,
    record_event,
    utcnow,
)
from hk.pagination import page_arg, paginate
from hk.queue import enqueue, make_record
from hk.records import service as records
from hk.records.links import customer_url
from hk.records.making import make_record as make_record_now
from hk.records.making import stuck_records
from hk.records.review import photo_pairs, review_data
from hk.review import bp
from hk.views_helpers import current_lang, pdf_response

SUPERVISORS = STAFF


class ReasonForm(FlaskForm):
    reason = TextAreaField(validators=[DataRequired(), Length(max=2000)])


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _active_filters(args, workers, services, lang: str) -> list[str]:
    """What the list is filtered by, in words, for the folded filter's summary."""
    active = []
    start, end = _date(args.get("from")), _date(args.get("to"))
    if start or end:
        active.append(f"{format_date(start) if start else '…'} – {format_date(end) if end else '…'}")
    names = {str(w.id): w.display_name for w in workers}
    if args.get("worker") in names:
        active.append(names[args["worker"]])
    if customer := (args.get("customer") or "").strip():
        active.append(customer)
    kinds = {str(s.id): s.name(lang) for s in services}
    if args.get("service") in kinds:
        active.append(kinds[args["service"]])
    flags = {
        "incident": _("Incident"),
        "refused": _("Refused signature"),
        "missing_photos": _("Missing photos"),
    }
    active += [label for name, label in flags.items() if args.get(name)]
    if args.get("failed"):
        active.append(_("PDF not made"))
    return active


@bp.route("")
@roles_required(*SUPERVISORS)
def list_records():
    """Records, newest first, filtered by date, worker, customer, service type and flags."""
    args = request.args
    query = (
        select(ServiceRecord)
        .join(Job, ServiceRecord.job_id == Job.id)
        .options(
            selectinload(ServiceRecord.job).selectinload(Job.customer),
            selectinload(ServiceRecord.job).selectinload(Job.worker),
            selectinload(ServiceRecord.job).selectinload(Job.service_type),
        )
        .order_by(ServiceRecord.created_at.desc(), ServiceRecord.id.desc())
    )
    tz = current_app.config["TIMEZONE"]
    if (start := _date(args.get("from"))) is not None:
        query = query.where(Job.scheduled_start >= day_bounds(start, tz)[0])
    if (end := _date(args.get("to"))) is not None:
        query = query.where(Job.scheduled_start < day_bounds(end, tz)[1])
    if args.get("worker", type=int):
        query = query.where(Job.worker_id == args.get("worker", type=int))
    if args.get("service", type=int):
        query = query.where(Job.service_type_id == args.get("service", type=int))
    if customer := (args.get("customer") or "").strip():
        from hk.models import Customer

        query = query.join(Customer, Job.customer_id == Customer.id).where(Customer.name.contains(customer))
    flags = {
        "incident": ServiceRecord.flag_incident,
        "refused": ServiceRecord.flag_refused,
        "missing_photos": ServiceRecord.flag_missing_photos,
    }
    for name, column in flags.items():
        if args.get(name):
            query = query.where(column.is_(True))
    if args.get("failed"):
        query = query.where(ServiceRecord.render_status != RenderStatus.DONE)
    if args.get("current", "1") == "1":
        query = query.where(ServiceRecord.status == RecordStatus.CURRENT)
    rows = paginate(query, page_arg())
    workers = db.session.scalars(
        select(User).where(User.role == Role.WORKER).order_by(User.display_name)
    ).all()
    services = db.session.scalars(select(ServiceType).order_by(ServiceType.id)).all()
    stuck = stuck_records(limit=1)
    return render_template(
        "records_review/list.html",
        rows=rows.items,
        pages=rows,
        workers=workers,
        services=services,
        args=args,
        active_filters=_active_filters(args, workers, services, current_lang()),
        any_failed=bool(stuck),
    )


def _record(record_id: int) -> ServiceRecord:
    return db.session.get(ServiceRecord, record_id) or abort(404)


@bp.route("/<int:record_id>")
@roles_required(*SUPERVISORS)
def show_record(record_id: int):
    """One record: the PDF, the job's timeline and photos, versions, links, and the review."""
    record = _record(record_id)
    job = record.job
    versions = db.session.scalars(
        select(ServiceRecord).where(ServiceRecord.job_id == job.id).order_by(ServiceRecord.version)
    ).all()
    events = events_of("job", job.id)
    links = db.session.scalars(
        select(CustomerLink).where(CustomerLink.job_id == job.id).order_by(CustomerLink.id)
    ).all()
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    return render_template(
        "records_review/detail.html",
        record=record,
        job=job,
        versions=versions,
        events=events,
        links=links,
        signoff=signoff,
        form=ReasonForm(formdata=None),
        customer_url=customer_url,
        now=utcnow(),
        pairs=photo_pairs(review_data(job)),
    )


@bp.route("/<int:record_id>/pdf")
@roles_required(*SUPERVISORS)
def record_pdf(record_id: int):
    """The signed PDF of any version."""
    record = _record(record_id)
    if record.render_status != RenderStatus.DONE:
        abort(404)
    return pdf_response(record, inline=True)


def _reason_or_back(record):
    form = ReasonForm()
    if not form.validate():
        flash(_("Please give a reason."), "error")
        return None
    return form.reason.data


@bp.route("/<int:record_id>/approve", methods=["POST"])
@roles_required(*SUPERVISORS)
def approve_record(record_id: int):
    """Approve a record."""
    records.review(_record(record_id), current_user, approve=True)
    flash(_("Record approved."), "success")
    return redirect(url_for("review.show_record", record_id=record_id), code=303)


@bp.route("/<int:record_id>/send-back", methods=["POST"])
@roles_required(*SUPERVISORS)
def send_back_record(record_id: int):
    """Send a record back with a reason."""
    record = _record(record_id)
    reason = _reason_or_back(record)
    if reason:
        records.review(record, current_user, approve=False, reason=reason)
        flash(_("Record sent back."), "success")
    return redirect(url_for("review.show_record", record_id=record_id), code=303)


@bp.route("/<int:record_id>/correct", methods=["POST"])
@roles_required(*SUPERVISORS)
def correct_record(record_id: int):
    """Make a corrected version; the old one stays in the archive, marked superseded."""
    record = _record(record_id)
    if record.status != RecordStatus.CURRENT:
        flash(_("Only the current version can be corrected."), "error")
        return redirect(url_for("review.show_record", record_id=record_id), code=303)
    reason = _reason_or_back(record)
    if not reason:
        return redirect(url_for("review.show_record", record_id=record_id), code=303)
    new = records.correct_record(record, current_user, reason)
    enqueue(make_record, new.id)
    flash(_("A corrected version is being made."), "success")
    return redirect(url_for("review.show_record", record_id=new.id), code=303)


@bp.route("/<int:record_id>/retry", methods=["POST"])
@roles_required(*SUPERVISORS)
def retry_record(record_id: int):
    """Try again to render a record whose PDF could not be made."""
    record = _record(record_id)
    if record.render_status != RenderStatus.DONE:
        if make_record_now(record.id):
            flash(_("The record was made."), "success")
        else:
            flash(_("The record still could not be made. The error is shown below."), "error")
    return redirect(url_for("review.show_record", record_id=record_id), code=303)


@bp.route("/links/<int:link_id>/revoke", methods=["POST"])
@roles_required(*SUPERVISORS)
def revoke_link(link_id: int):
    """Withdraw a customer link at once."""
    link = db.session.get(CustomerLink, link_id) or abort(404)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record_event(current_user, "job", link.job_id, "link.revoke", link=link.id)
        db.session.commit()
    flash(_("The link no longer works."), "success")
    record = records.current_record(link.job_id)
    return redirect(
        url_for("review.show_record", record_id=record.id) if record else url_for("review.list_records"),
        code=303,
    )


@bp.route("/chain")
@roles_required(*SUPERVISORS)
def show_chain():
    """Check the whole archive chain now."""
    problems = records.verify_chain()
    return render_template("records_review/chain.html", problems=problems, count=records.records_count())
