"""Home, a worker's jobs today, and the supervisors' overview of the day."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, redirect, render_template, send_from_directory, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hk.aftersales.clocks import open_cases_with_clocks, warnings_summary
from hk.auth.access import any_role, public, roles_required
from hk.domain.clock import day_bounds, local_today
from hk.domain.qualification import (
    EXPIRY_WARNING_DAYS,
    CertificateStatus,
    certificate_status,
    qualification_problems,
)
from hk.extensions import db
from hk.mail.service import failed_count
from hk.main import bp
from hk.models import Certificate, Incident, IncidentStatus, Job, JobStatus, Role, User, utcnow
from hk.records.making import stuck_records
from hk.static_files import served_name


def _jobs_on(day, worker_id: int | None = None) -> list[Job]:
    start, end = day_bounds(day, current_app.config["TIMEZONE"])
    query = (
        select(Job)
        .where(Job.scheduled_start >= start, Job.scheduled_start < end)
        .where(Job.status != JobStatus.CANCELLED)
        .options(selectinload(Job.customer), selectinload(Job.service_type), selectinload(Job.worker))
        .order_by(Job.scheduled_start, Job.id)
    )
    if worker_id is not None:
        query = query.where(Job.worker_id == worker_id)
    return list(db.session.scalars(query))


UPCOMING_DAYS = 7


@bp.route("/")
@any_role
def home():
    """Send each person to their own start page."""
    if current_user.role == Role.WORKER:
        return redirect(url_for("main.today"))
    return redirect(url_for("main.overview"))


@bp.route("/today")
@roles_required(Role.WORKER)
def today():
    """The logged-in worker's jobs today, in time order."""
    day = local_today(current_app.config["TIMEZONE"])
    jobs = _jobs_on(day, current_user.id)
    problems = qualification_problems(current_user.certificates, day)
    expiring = [
        c
        for c in current_user.certificates
        if certificate_status(c.valid_from, c.valid_until, day) == CertificateStatus.EXPIRING
    ]
    start, _ = day_bounds(day + timedelta(days=1), current_app.config["TIMEZONE"])
    _, end = day_bounds(day + timedelta(days=UPCOMING_DAYS), current_app.config["TIMEZONE"])
    upcoming = db.session.scalars(
        select(Job)
        .where(Job.worker_id == current_user.id, Job.scheduled_start >= start, Job.scheduled_start < end)
        .where(Job.status != JobStatus.CANCELLED)
        .options(selectinload(Job.customer), selectinload(Job.service_type))
        .order_by(Job.scheduled_start)
    ).all()
    return render_template(
        "main/today.html", jobs=jobs, day=day, problems=problems, expiring=expiring, upcoming=upcoming
    )


@bp.route("/overview")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def overview():
    """Today's jobs of every worker, complaints due soon or overdue, and certificates that need attention."""
    day = local_today(current_app.config["TIMEZONE"])
    jobs = _jobs_on(day)
    horizon = day + timedelta(days=EXPIRY_WARNING_DAYS)
    certificates = db.session.scalars(
        select(Certificate)
        .join(User, Certificate.worker_id == User.id)
        .where(User.is_enabled.is_(True), Certificate.valid_until < horizon)
        .options(selectinload(Certificate.worker))
        .order_by(Certificate.valid_until)
    ).all()
    alerts = [(c, certificate_status(c.valid_from, c.valid_until, day)) for c in certificates]
    workers = db.session.scalars(
        select(User).where(User.role == Role.WORKER, User.is_enabled.is_(True)).order_by(User.username)
    ).all()
    unqualified = {w.id: qualification_problems(w.certificates, day) for w in workers}
    open_incidents = db.session.scalars(
        select(Incident)
        .where(Incident.status == IncidentStatus.OPEN)
        .options(selectinload(Incident.job).selectinload(Job.customer))
        .order_by(Incident.reported_at.desc())
    ).all()
    return render_template(
        "main/overview.html",
        jobs=jobs,
        day=day,
        alerts=alerts,
        unqualified=unqualified,
        open_incidents=open_incidents,
        stuck=stuck_records(),
        complaint_warnings=warnings_summary(open_cases_with_clocks(utcnow())),
        failed_messages=failed_count() if current_user.role == Role.ADMIN else 0,
    )


@bp.route("/healthz")
@public
def healthz():
    """A liveness probe for the process supervisor."""
    db.session.execute(select(1))
    return {"status": "ok"}


@bp.route("/csrf-token")
@any_role
def csrf_token():
    """A fresh CSRF token for the phone's outbox, when the one its page held has expired."""
    return {"token": generate_csrf()}, 200, {"Cache-Control": "no-store"}


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole app (static/js/sw.js)."""
    name = served_name(current_app.static_folder, "js/sw.js")
    response = send_from_directory(current_app.static_folder, name, max_age=0)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
@public
def not_kept():
    """What the service worker shows for a screen it had not kept when the signal went (static/js/sw.js).

    Fetched once when the worker is installed, so it says it in both languages: the phone's language
    may have changed since.
    """
    texts = []
    for lang in ("zh_CN", "en"):
        with force_locale(lang):
            texts.append(
                {
                    "lang": lang.replace("_", "-"),
                    "title": _("This screen is not on this phone yet"),
                    "detail": _(
                        "It was not kept before the signal went. Everything you did is kept on the"
                        " phone and is sent when the signal returns."
                    ),
                    "again": _("Try again"),
                    "today": _("Today's jobs"),
                }
            )
    return render_template("main/not_kept.html", texts=texts)
