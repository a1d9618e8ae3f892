"""Landing pages: a worker's day, a supervisor's overview."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from hk.main import routes  # noqa: E402,F401
