"""The customer's word on their own link: rate the service, report a problem (with photos), write on
their case, confirm it is sorted or reopen it, and see the photos they sent.

Everything is under the link's token: a case of another job is "not found", an expired or withdrawn
link gets its 410 page. Each form is a plain POST (works without JavaScript) answered with 303 back
to the page, or with the same page and the message beside the form (422), or 403 on a phone of the
company's (hk.domain.feedback.check_rater). Each reads and checks first and writes late and short
(`reads_first`): a problem's photos are decoded and re-encoded before its write begins.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hk.aftersales import customer_cases, ratings
from hk.auth.access import public, staff_browser
from hk.database import begin_writing, reads_first
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.jobs.messages import photo_rejection_text
from hk.photos import PhotoRejected, process_photo
from hk.public import bp
from hk.public.forms import MessageForm, ProblemForm, RatingForm, ReopenForm, client_key_of
from hk.public.views import customer_page, open_link, texts
from hk.ratelimit import limited
from hk.storage import get_storage


def _back(token: str, anchor: str, *said: str):
    """Back to the customer's page, at the part just changed, with what was done said beside it
    (a message once, category "rating" or "case-<id>": customer.html shows it there)."""
    for message in said:
        flash(message, anchor)
    return redirect(url_for("public.customer_record", token=token) + f"#{anchor}", code=303)


def _form_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def _on_a_staff_phone(link, token: str):
    """A phone of the company's (hk.domain.feedback.check_rater): the record and the notice to use
    one's own phone, 403, before any form is read; None on the customer's own phone."""
    if staff_browser():
        return customer_page(link, token, status=403)
    return None


@bp.route("/r/<token>/rating", methods=["POST"])
@public
@limited("customer_feedback")
@reads_first
def rate_service(token: str):
    """Give or change the rating of the job on this link."""
    link, error = open_link(token)
    if link is None:
        return error
    refused = _on_a_staff_phone(link, token)
    if refused:
        return refused
    form = RatingForm()
    if not form.validate_on_submit():
        return customer_page(link, token, status=422, rating_form=form, rating_errors=_form_errors(form))
    scores = form.scores()
    refusals = ratings.check(scores, staff_browser=False)
    if refusals:
        return customer_page(link, token, status=422, rating_form=form, rating_errors=texts(refusals))
    begin_writing()
    try:
        rated = ratings.rate(link.job, scores)
    except WorkflowError as error:
        db.session.rollback()
        return customer_page(link, token, status=422, rating_form=form, rating_errors=texts(error.refusals))
    said = [_("Thank you for your rating.")]
    if rated.opened is not None:
        said.append(
            _(
                "We are sorry it was not good. We have opened case %(n)s for you and will answer within "
                "24 hours: see “Your cases” below.",
                n=rated.opened.number,
            )
        )
    return _back(token, "rating", *said)


@bp.route("/r/<token>/problems", methods=["POST"])
@public
@limited("customer_feedback", "customer_problem")
@reads_first  # the photos are checked and re-encoded before the short write
def report_problem(token: str):
    """Report a problem about the job on this link: a category, what happened, up to a few photos."""
    link, error = open_link(token)
    if link is None:
        return error
    refused = _on_a_staff_phone(link, token)
    if refused:
        return refused
    form = ProblemForm()
    uploads = [f for f in request.files.getlist("photos") if f and f.filename]

    def refuse(messages: list[str]):
        return customer_page(link, token, status=422, problem_form=form, problem_errors=messages)

    if not form.validate_on_submit():
        return refuse(_form_errors(form))
    description = form.description.data or ""
    refusals = customer_cases.check_report(form.category.data, description, len(uploads), staff_browser=False)
    if refusals:
        return refuse(texts(refusals))
    cfg = current_app.config
    processed = []
    for n, upload in enumerate(uploads, start=1):
        upload.stream.seek(0)  # a request run again after a lost race reads the file again
        try:
            processed.append(
                process_photo(
                    upload.read(),
                    max_bytes=cfg["MAX_PHOTO_BYTES"],
                    max_pixels=cfg["MAX_PHOTO_PIXELS"],
                    tz=cfg["TIMEZONE"],
                )
            )
        except PhotoRejected as rejected:
            return refuse(
                [
                    _("Photo %(n)d: %(reason)s", n=n, reason=photo_rejection_text(rejected)),
                    _("What you wrote is kept below. Please choose the photos again, or send without them."),
                ]
            )
    stored = [customer_cases.store_photo(p) for p in processed]  # on disk before the write begins
    begin_writing()
    try:
        case = customer_cases.report_problem(
            link.job,
            form.category.data,
            description,
            stored,
            client_key_of(form) or secrets.token_urlsafe(12),
        )
    except WorkflowError as error:
        db.session.rollback()
        return refuse(texts(error.refusals))
    said = _("Thank you. We have your report as case %(n)s and will answer within 24 hours.", n=case.number)
    return _back(token, f"case-{case.id}", said)


def _not_on_link(token: str):
    """404, with a way back to the record: the link does not cover what was asked for."""
    abort(make_response(render_template("public/not_on_link.html", token=token), 404))


def _case(link, case_id: int, token: str, lock: bool = False):
    """The case, when it is about the link's job; else 404."""
    case = customer_cases.case_of_job(case_id, link.job_id, lock=lock)
    if case is None:
        _not_on_link(token)
    return case


@bp.route("/r/<token>/cases/<int:case_id>/reply", methods=["POST"])
@public
@limited("customer_feedback")
@reads_first
def reply_to_case(token: str, case_id: int):
    """The customer's message on their case."""
    link, error = open_link(token)
    if link is None:
        return error
    refused = _on_a_staff_phone(link, token)
    if refused:
        return refused
    _case(link, case_id, token)
    form = MessageForm()

    def refuse(messages: list[str]):
        said = {"case_id": case_id, "message_form": form, "errors": messages}
        return customer_page(link, token, status=422, case_refused=said)

    if not form.validate_on_submit():
        return refuse(_form_errors(form))
    begin_writing()
    try:
        customer_cases.write(
            _case(link, case_id, token, lock=True),
            form.body.data or "",
            client_key_of(form) or secrets.token_urlsafe(12),
        )
    except WorkflowError as error:
        db.session.rollback()
        return refuse(texts(error.refusals))
    return _back(token, f"case-{case_id}", _("Your message has been sent."))


@bp.route("/r/<token>/cases/<int:case_id>/confirm", methods=["POST"])
@public
@limited("customer_feedback")
@reads_first
def confirm_case(token: str, case_id: int):
    """ "Yes, it is sorted": the customer closes their resolved case."""
    link, error = open_link(token)
    if link is None:
        return error
    refused = _on_a_staff_phone(link, token)
    if refused:
        return refused
    _case(link, case_id, token)
    begin_writing()
    try:
        customer_cases.confirm(_case(link, case_id, token, lock=True))
    except WorkflowError as error:
        db.session.rollback()
        refused = {"case_id": case_id, "errors": texts(error.refusals)}
        return customer_page(link, token, status=422, case_refused=refused)
    return _back(token, f"case-{case_id}", _("Thank you for confirming. The case is closed."))


@bp.route("/r/<token>/cases/<int:case_id>/reopen", methods=["POST"])
@public
@limited("customer_feedback")
@reads_first
def reopen_case(token: str, case_id: int):
    """ "No, still a problem": the customer reopens their case, saying what is still wrong."""
    link, error = open_link(token)
    if link is None:
        return error
    refused = _on_a_staff_phone(link, token)
    if refused:
        return refused
    _case(link, case_id, token)
    form = ReopenForm()

    def refuse(messages: list[str]):
        said = {"case_id": case_id, "reopen_form": form, "errors": messages}
        return customer_page(link, token, status=422, case_refused=said)

    if not form.validate_on_submit():
        return refuse(_form_errors(form))
    begin_writing()
    try:
        customer_cases.reopen(
            _case(link, case_id, token, lock=True),
            form.reason.data or "",
            client_key_of(form) or secrets.token_urlsafe(12),
        )
    except WorkflowError as error:
        db.session.rollback()
        return refuse(texts(error.refusals))
    return _back(token, f"case-{case_id}", _("The case is open again. We will look into it and answer you."))


@bp.route("/r/<token>/cases/<int:case_id>/photos/<int:photo_id>")
@public
@limited("customer_link")
def show_case_photo(token: str, case_id: int, photo_id: int):
    """A photo the customer sent with their case, only through the link of that case's job."""
    link, error = open_link(token)
    if link is None:
        return error
    refused = _on_a_staff_phone(link, token)  # the cases are not shown there either
    if refused:
        return refused
    case = _case(link, case_id, token)
    photo = next((p for p in case.photos if p.id == photo_id), None)
    if photo is None:
        _not_on_link(token)
    key = photo.thumb_key if request.args.get("size") == "thumb" else photo.storage_key
    response = make_response(get_storage().get(key))
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="case-photo-{photo.id}.jpg"'
    return response
