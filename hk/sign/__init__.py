"""The customer reviews the job on the cleaner's phone and signs, or refuses with a reason."""

from flask import Blueprint

bp = Blueprint("sign", __name__)

from hk.sign import handback, routes  # noqa: E402,F401
