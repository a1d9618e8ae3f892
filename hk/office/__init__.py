"""The back office: customers, workers and certificates, catalogue and prices, dispatch, the outbox."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")

from hk.office import catalogue, customers, dispatch, outbox, workers  # noqa: E402,F401
