"""Pages anyone may open: checking a record, and the customer's own record link with their rating,
problems and cases."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from hk.public import feedback, routes  # noqa: E402,F401
