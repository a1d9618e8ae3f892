"""Handing the phone to the customer and taking it back (customer mode, see customer_mode.py)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from hk.auth.access import roles_required
from hk.auth.forms import LanguageForm
from hk.database import reads_first
from hk.domain.workflow import Status
from hk.extensions import db
from hk.jobs.access import load_job
from hk.models import Job, Role
from hk.sign import bp
from hk.sign.customer_mode import (
    LANGUAGES,
    HandBack,
    allows,
    first_language,
    hand_back,
    hand_back_offline,
    hand_over,
    set_language,
    tries_left,
)
from hk.sign.forms import HandBackForm, OfflineHandBackForm
from hk.views_helpers import current_lang, safe_next


@bp.before_app_request
def keep_to_the_customer_screens():
    """While the phone is in the customer's hands, refuse every page but that job's signing screens."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    if getattr(current_app.view_functions.get(endpoint), "hk_public", False):
        return None  # public pages hold nothing of the worker's
    if not current_user.is_authenticated:
        return None
    job_id = current_user.customer_job_id
    if job_id is None or allows(job_id, endpoint, request.view_args):
        return None
    return render_template("sign/customer_mode.html", job_id=job_id), 403


@bp.route("/jobs/<int:job_id>/customer-mode", methods=["POST"])
@roles_required(Role.WORKER)
def hand_to_customer(job_id: int):
    """The worker hands the phone over: from now on it shows only this job's review and signature."""
    job = load_job(job_id)
    if job.status != Status.AWAITING_SIGNATURE:
        return redirect(url_for("jobs.show_job", job_id=job.id), code=303)
    hand_over(job, current_user, first_language(job, current_lang()))
    return redirect(url_for("sign.review_job", job_id=job.id), code=303)


@bp.route("/customer-mode/language", methods=["POST"])
@roles_required(Role.WORKER)
def set_customer_language():
    """The customer's language switch: the customer screens, the record and their emails follow it.

    The worker's own language setting is left alone; it comes back with the phone.
    """
    form = LanguageForm()
    if current_user.customer_job_id is None:  # not (or no longer) in customer mode
        return redirect(url_for("main.home"), code=303)
    if form.validate_on_submit():
        set_language(current_user, form.lang.data)
        db.session.commit()
    job_id = current_user.customer_job_id
    review = url_for("sign.review_job", job_id=job_id)
    # back to the page the switch was on, when it is one to go back to (a refused form's page was the
    # answer to a POST: its address is the form's, so the review again)
    back = safe_next(form.next.data, review)
    pages = (review, url_for("sign.show_signed", job_id=job_id))
    return redirect(back if back.split("?", 1)[0] in pages else review, code=303)


def _worker_lang() -> str:
    """The worker's own language, for the page where the worker takes the phone back."""
    for lang in (current_user.locale, session.get("lang")):
        if lang in LANGUAGES:
            return lang
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")


def _handback_page(form: HandBackForm, error: str | None = None, status: int = 200):
    return render_template(
        "sign/hand_back.html", form=form, error=error, job_id=current_user.customer_job_id
    ), status


def _after_handback(job_id: int):
    job = db.session.get(Job, job_id)
    flash(_("You have the phone back."), "success")
    if job is not None and job.status == Status.AWAITING_SIGNATURE:
        return redirect(url_for("jobs.show_job", job_id=job_id), code=303)
    return redirect(url_for("main.home"), code=303)


@bp.route("/customer-mode/hand-back", methods=["GET", "POST"])
@roles_required(Role.WORKER)
@reads_first  # the password hash is checked before the short write
def hand_back_phone():
    """The worker takes the phone back by entering their password (a page in the worker's language)."""
    with force_locale(_worker_lang()):
        return _hand_back_phone()


def _hand_back_phone():
    job_id = current_user.customer_job_id
    if job_id is None:  # not in customer mode (a second tap, or already handed back)
        return redirect(url_for("main.home"), code=303)
    if request.method == "POST" and "secret" in request.form:  # taken back offline, sent now
        offline = OfflineHandBackForm()
        if not offline.validate_on_submit():
            return _handback_page(HandBackForm(formdata=None), status=422)
        outcome = hand_back_offline(current_user, offline.secret.data)
    else:
        form = HandBackForm()
        if request.method == "GET" or not form.validate_on_submit():
            return _handback_page(form, status=200 if request.method == "GET" else 422)
        outcome = hand_back(current_user, form.password.data)
    if outcome == HandBack.OK:
        return _after_handback(job_id)
    if outcome == HandBack.LOGGED_OUT:
        flash(
            _("Too many wrong passwords: this phone has been logged out. Log in again to continue."), "info"
        )
        return redirect(url_for("auth.login"), code=303)
    left = tries_left(current_user)
    error = ngettext(
        "Wrong password. %(num)d try left before this phone is logged out.",
        "Wrong password. %(num)d tries left before this phone is logged out.",
        left,
    )
    return _handback_page(HandBackForm(formdata=None), error=error, status=401)
