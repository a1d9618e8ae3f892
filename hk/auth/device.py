"""Which phone a request comes from: a random id in a long-lived cookie.

The id is given on the first page a browser opens (the login page, usually), never lazily on a job
request: the job screens are fetched several at once (the service worker keeps today's jobs for a
time without signal), and each of those, finding no id, would have made its own. The last answer's
cookie wins, so the phone checked in under one id and its next tick came with another: "this job is
open on another phone", on a phone that never had a second one.
"""

from __future__ import annotations

import secrets

from flask import current_app, g, request

from hk.auth import bp

COOKIE = "hk_device"
# Files, and the service worker's script, never start an id: they are fetched in parallel. The
# customer's own pages (their record's link, the feedback form) are not a worker's phone.
_NO_ID = {"static", "main.service_worker", "main.not_kept"}
_NO_ID_SCREENS = {"public"}


def _known(value: str) -> bool:
    return 16 <= len(value) <= 64


@bp.before_app_request
def _read_device():
    """g.device_id: this phone's id (a new one when the browser has none yet)."""
    if request.endpoint in _NO_ID or request.blueprint in _NO_ID_SCREENS:
        return
    value = request.cookies.get(COOKIE) or ""
    g.new_device = not _known(value)
    g.device_id = secrets.token_urlsafe(16) if g.new_device else value


@bp.after_app_request
def _give_device(response):
    if g.get("new_device"):
        response.set_cookie(
            COOKIE,
            g.device_id,
            max_age=400 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response
