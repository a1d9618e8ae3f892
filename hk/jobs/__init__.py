"""The cleaner's job on a phone: check-in, pre-service, safety, stages, photos, handover, incidents."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from hk.jobs import evidence, routes  # noqa: E402,F401
