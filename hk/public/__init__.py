"""Pages anyone may open: checking a record, and the customer's own record link."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from hk.public import routes  # noqa: E402,F401
