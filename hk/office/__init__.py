"""The back office: customers, workers and certificates, catalogue and prices, dispatch, follow-ups."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")

from hk.office import catalogue, customers, dispatch, followups, workers  # noqa: E402,F401
