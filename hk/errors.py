"""Error pages in the person's language; never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException

from hk.extensions import db
from hk.phone_writes import AlreadyApplied, replayed_response
from hk.ratelimit import retry_minutes

MESSAGES = {
    400: (_l("Something in the request was wrong"), _l("Please go back and try again.")),
    403: (
        _l("You do not have access to this page"),
        _l("This page is for another role. If you think you need it, ask your supervisor."),
    ),
    404: (_l("Page not found"), _l("The page may have moved, or the link is wrong.")),
    405: (_l("That action is not allowed here"), _l("Please go back and use the buttons on the page.")),
    413: (
        _l("The file is too large"),
        _l("Please choose a smaller file. Nothing else you entered was lost."),
    ),
    429: (_l("Too many requests"), _l("Please wait a minute and try again.")),
    503: (
        _l("Many people are saving at this moment"),
        _l("Nothing you saved was lost. Please try again in a few seconds."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("What you saved before is safe. Please try again in a moment."),
    ),
}


class AdminOnly(Forbidden):
    """Refused because only an administrator may do this (a supervisor asking gets told so)."""


ADMIN_ONLY_TITLE = _l("Only an administrator can do this")
ADMIN_ONLY_DETAIL = {
    "page": _l("This page is for administrators. If you need something from it, ask an administrator."),
    "action": _l("Nothing was changed. If it needs doing, ask an administrator of your company."),
}


class AnotherWorkersJob(Forbidden):
    """Refused because the job belongs to another worker (not because of the person's role)."""


ANOTHER_WORKERS_JOB = (
    _l("This is another worker's job"),
    _l(
        "This job is assigned to another worker, so it is not shown to you. Your own jobs are under "
        "“My jobs today”. If it should be yours, ask your supervisor."
    ),
)

CSRF_MESSAGE = (
    _l("This form has expired"),
    _l("For your safety, forms expire after a while. Please go back, reload the page and try again."),
)


def _render(code: int, title, detail):
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def too_many_requests(_error=None):
    """A request refused by a rate limit: why, and in how many minutes to try again."""
    minutes = retry_minutes()
    detail = ngettext(
        "Too many requests from this network. Please try again in %(num)d minute.",
        "Too many requests from this network. Please try again in %(num)d minutes.",
        minutes,
    )
    return _render(429, MESSAGES[429][0], detail)


def register_error_handlers(app: Flask) -> None:
    """Install one friendly page for every HTTP error."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        from flask_login import current_user

        from hk.auth.access import asked_by_a_script, login_needed, needs_login

        if asked_by_a_script() and not current_user.is_authenticated and needs_login(request.endpoint):
            return login_needed()  # the token failed because the login ended: a script is told so
        return _render(400, *CSRF_MESSAGE)

    app.register_error_handler(RateLimitExceeded, too_many_requests)

    @app.errorhandler(AdminOnly)
    def admin_only(_error):
        detail = ADMIN_ONLY_DETAIL["page" if request.method in ("GET", "HEAD") else "action"]
        return _render(403, ADMIN_ONLY_TITLE, detail)

    @app.errorhandler(AlreadyApplied)
    def already_applied(_error):
        db.session.rollback()
        return replayed_response()

    @app.errorhandler(AnotherWorkersJob)
    def another_workers_job(_error):
        return _render(403, *ANOTHER_WORKERS_JOB)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        title, detail = MESSAGES.get(error.code, (error.name, ""))
        return _render(error.code or 500, title, detail)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error: %s", error)
        return _render(500, *MESSAGES[500])
