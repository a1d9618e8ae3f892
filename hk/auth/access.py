"""Access rules: every endpoint is public by declaration or needs a login and, usually, a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from hk.errors import AdminOnly
from hk.extensions import login_manager
from hk.models import Role

ADMIN_ONLY = frozenset({Role.ADMIN})


def public(view: Callable) -> Callable:
    """Mark a view as open to anonymous visitors."""
    view.hk_public = True
    return view


def roles_required(*roles: Role) -> Callable:
    """Allow a view only to logged-in users holding one of the roles; others get 403.

    A view for administrators alone says so on its 403 page ("Only an administrator can do this").
    """
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                if allowed == ADMIN_ONLY:
                    raise AdminOnly()
                abort(403)
            return view(*args, **kwargs)

        wrapper.hk_roles = allowed
        return wrapper

    return decorator


def any_role(view: Callable) -> Callable:
    """Allow a view to every logged-in user, whatever the role."""
    return roles_required(*Role)(view)


def may(endpoint: str) -> bool:
    """Whether the person logged in may use an endpoint, by the roles it declares.

    Pages show a link or a button only when its endpoint says yes, so no one is shown an action
    that would answer 403 (a template global: `{% if may('office.update_price') %}`).
    """
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "hk_public", False):
        return True
    roles = getattr(view, "hk_roles", None)
    return bool(roles) and current_user.is_authenticated and current_user.role in roles


def needs_login(endpoint: str | None) -> bool:
    """Whether an endpoint is for logged-in people (everything not declared public)."""
    if endpoint is None or endpoint == "static":
        return False
    return not getattr(current_app.view_functions.get(endpoint), "hk_public", False)


def enforce_login():
    """Before every request: anything not declared public needs a logged-in user."""
    if needs_login(request.endpoint) and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


# The signed cookie the login sets on a browser where someone of the company logged in (hk.auth.routes,
# "usual device"; it outlives logging out). Read here to tell the company's phones from the customer's.
USUAL_COOKIE = "hk_usual"
USUAL_SALT = "hk-usual-device"


def usual_serializer() -> URLSafeSerializer:
    """Signs and reads the usual-device cookie (the names that logged in on this browser)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=USUAL_SALT)


def staff_browser() -> bool:
    """Whether this browser is one of the company's: someone is logged in on it (the worker's phone,
    also while the customer holds it), or someone logged in on it before and logged out since."""
    if current_user and current_user.is_authenticated:
        return True
    cookie = request.cookies.get(USUAL_COOKIE)
    if not cookie:
        return False
    try:
        usual_serializer().loads(cookie)
    except BadSignature:
        return False  # made up: it proves nothing either way
    return True


def asked_by_a_script() -> bool:
    """Whether the request comes from the page's scripts (htmx, the outbox, the service worker, an
    image) rather than from a person opening a page or sending a form."""
    headers = request.headers
    if headers.get("X-Requested-With") or headers.get("HX-Request"):
        return True
    mode = headers.get("Sec-Fetch-Mode")
    return mode is not None and mode != "navigate"


def login_needed():
    """The answer to a request that needs a login when there is none.

    A person is sent to the login page, told why. A script is told 401 and nothing more: a redirect
    would start a new session on each retry of the outbox, and the login form the worker is filling
    in meanwhile would fail its CSRF check. htmx is led to the login page, back to the page it was on.
    """
    from flask import flash, redirect
    from flask_babel import gettext as _
    from flask_login import login_url

    view = login_manager.login_view
    if not asked_by_a_script():
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(view, next_url=request.url))
    response = current_app.response_class(_("Please log in to continue."), 401, mimetype="text/plain")
    if headers_say_htmx():
        page = request.headers.get("HX-Current-URL") or request.url
        response.headers["HX-Redirect"] = login_url(view, next_url=page)
    return response


def headers_say_htmx() -> bool:
    """htmx's own request (the outbox sends HX-Request too, to be answered with fragments)."""
    return bool(request.headers.get("HX-Request")) and request.headers.get("X-Requested-With") != "hk-outbox"
