"""The back office: customers, workers and certificates, catalogue and prices, dispatch, follow-ups,
staff accounts."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")

from hk.office import catalogue, customers, dispatch, emergency, followups, staff, workers  # noqa: E402,F401
