"""Logging in and out, and who may open what."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from hk.auth import device, routes  # noqa: E402,F401
