"""The back office: customers, workers and certificates, catalogue and prices, dispatch, follow-ups,
staff accounts, the outbox."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")

from hk.office import (  # noqa: E402,F401
    catalogue,
    customers,
    dispatch,
    emergency,
    followups,
    outbox,
    staff,
    workers,
)
