"""Supervisors review service records: filter, read, approve, send back, correct."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/records")

from hk.review import routes  # noqa: E402,F401
