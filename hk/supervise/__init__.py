"""What supervisors do about jobs in the field: incidents, paused and blocked jobs, a job's record."""

from flask import Blueprint

bp = Blueprint("supervise", __name__)

from hk.supervise import routes  # noqa: E402,F401
