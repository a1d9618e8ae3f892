"""Check a record by its code or by uploading the PDF; the customer's link to view and download it
(its rating, problem and case forms post to hk.public.feedback)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from sqlalchemy import select

from hk.auth.access import public
from hk.database import reads_first
from hk.errors import too_many_requests
from hk.extensions import db, htmx
from hk.models import RecordStatus, RenderStatus, ServiceRecord
from hk.public import bp
from hk.public.views import customer_page, open_link
from hk.ratelimit import limited, retry_minutes
from hk.records import service as records
from hk.records.render import record_number
from hk.records.signing import Verdict
from hk.views_helpers import pdf_response

# Our records are well under 2 MB; a larger file cannot be one, and need not be read.
MAX_PDF_BYTES = 4 * 1024 * 1024


def _check_upload():
    """The uploaded PDF's verdict, or an error message and its status."""
    upload = request.files.get("pdf")
    if upload is None or not upload.filename:
        return None, _("Please choose the PDF file of the record."), 422
    data = upload.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        return None, _("The file is too large to be a service record (at most 4 MB)."), 413
    if not data.startswith(b"%PDF-"):
        return None, _("This file is not a PDF."), 422
    return records.verify_upload(data), None, 200


@bp.route("/verify", methods=["GET", "POST"])
@bp.route("/verify/<code>", methods=["GET", "POST"])
@public
@limited("verify_upload", "verify_lookup")  # every POST is an upload; every request with a code a look-up
@reads_first  # an upload is only read and checked: no write lock while the PDF is parsed
def verify(code: str | None = None):
    """Whether a record exists and is current; and whether an uploaded PDF is genuine."""
    record = None
    if code is not None:
        record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.code == code.strip().upper()))
    result, error, status = None, None, 200
    if request.method == "POST":
        result, error, status = _check_upload()
    latest = None
    if record is not None and record.status.value == "superseded":
        latest = db.session.scalar(
            select(ServiceRecord).where(
                ServiceRecord.job_id == record.job_id, ServiceRecord.status == RecordStatus.CURRENT
            )
        )
    return render_template(
        "public/verify.html",
        code=code,
        record=record,
        latest=latest,
        result=result,
        error=error,
        Verdict=Verdict,
        number=record_number(record) if record else None,
    ), status


@bp.errorhandler(RateLimitExceeded)
def too_many_checks(error: RateLimitExceeded):
    """A check refused for its address: the check page again, saying why and when to try again.

    Nothing was looked up or read. The customer's pages answer with the friendly 429 page.
    """
    if request.endpoint != "public.verify":
        return too_many_requests(error)
    refused = ngettext(
        "Too many checks from this network. Please try again in %(num)d minute.",
        "Too many checks from this network. Please try again in %(num)d minutes.",
        retry_minutes(),
    )
    code = (request.view_args or {}).get("code")
    return render_template("public/verify.html", code=code, refused=refused, Verdict=Verdict), 429


@bp.route("/r/<token>")
@public
@limited("customer_link")
def customer_record(token: str):
    """The customer's own page: their record to view and download, their rating, problems and cases."""
    link, error = open_link(token)
    if link is None:
        return error
    if htmx:  # the status fragment asks again every few seconds until the PDF is made
        record = records.current_record(link.job_id)
        return render_template(
            "public/_record_status.html",
            token=token,
            record=record,
            number=record_number(record) if record else None,
        )
    return customer_page(link, token)


@bp.route("/r/<token>/record.pdf")
@public
@limited("customer_link")
def customer_pdf(token: str):
    """Download the current signed PDF through the customer's link."""
    link, error = open_link(token)
    if link is None:
        return error
    record = records.current_record(link.job_id)
    if record is None or record.render_status != RenderStatus.DONE:
        abort(404)
    return pdf_response(record)
