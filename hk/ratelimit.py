"""Limits per client address on what anyone may ask without logging in (Flask-Limiter).

The record check (/verify) and the customer's link (/r/<token>) are open to everyone. Without a
limit a record's 40-bit code could be guessed at a few hundred look-ups a second, and PDF checks
could keep a server busy. A view names the limits it counts against with ``@limited(...)``; each
limit counts the requests it applies to per client address (the address login throttling counts,
``client_address``), against figures in the config (``RATELIMIT_*``, read at every request).

``init_limits`` gives each app a Limiter of its own: its storage comes from that app's config, so
two apps in one process (the tests) never share counts by accident, and two servers given the same
Redis do. It wraps the marked views outside the database's retry wrapper, so a request run again
after a lost race is counted once.

A refused request raises RateLimitExceeded (429); its page says why and in how many minutes to try
again, and every such 429 carries Retry-After. When counting fails (Redis gone or slow: at most a
quarter of a second, see the config) the process counts in memory until Redis answers again
(Flask-Limiter's in-memory fallback, which asks Redis again after 1, 2, 4… 32 s), and an error while
counting lets the request through rather than failing it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from limits import parse_many

from hk.config import ConfigError
from hk.views_helpers import client_address

# A limit's name: (the config key holding its figures, whether the request at hand counts).
LIMITS: dict[str, tuple[str, Callable[[], bool]]] = {
    "verify_upload": ("RATELIMIT_VERIFY_UPLOAD", lambda: request.method == "POST"),
    "verify_lookup": ("RATELIMIT_VERIFY_LOOKUP", lambda: bool((request.view_args or {}).get("code"))),
    "customer_link": ("RATELIMIT_CUSTOMER_LINK", lambda: True),
    "customer_feedback": ("RATELIMIT_CUSTOMER_FEEDBACK", lambda: True),
    "customer_problem": ("RATELIMIT_CUSTOMER_PROBLEM", lambda: True),
}


def limited(*names: str) -> Callable:
    """Mark a view with the limits (names in LIMITS) its requests count against."""
    unknown = set(names) - set(LIMITS)
    if unknown:
        raise KeyError(f"no such rate limit: {sorted(unknown)}")

    def mark(view: Callable) -> Callable:
        view.hk_limits = names
        return view

    return mark


def limiter_of(app: Flask) -> Limiter:
    """The app's own Limiter."""
    return app.extensions["hk_limiter"]


def init_limits(app: Flask) -> None:
    """Give the app its Limiter and put the limits on the views marked @limited.

    Call after init_database, so that the limits wrap the retry wrapper, not the other way round.
    """
    for key, _counts in LIMITS.values():
        try:
            parse_many(app.config[key])
        except ValueError as error:
            raise ConfigError(
                f"HK_{key} must read like '10 per minute; 60 per hour', not {app.config[key]!r}"
            ) from error
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)  # reads the RATELIMIT_* settings (storage, fallback, strategy)
    app.extensions["hk_limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        for name in getattr(view, "hk_limits", ()):
            key, counts = LIMITS[name]
            view = limiter.shared_limit(
                lambda key=key: current_app.config[key],
                scope=name,  # shared: one count per address across the views marked with it
                exempt_when=lambda counts=counts: not counts(),
            )(view)
        app.view_functions[endpoint] = view
    app.after_request(_retry_after_header)


def retry_after() -> int:
    """Seconds until the limit this request broke lets its address in again (at least 1)."""
    if "hk_retry_after" not in g:
        seconds = 60
        breached = limiter_of(current_app).current_limit
        if breached is not None:
            try:
                seconds = math.ceil(breached.window.reset_time - time.time())
            except Exception:  # the storage went away after it counted: the limit's whole window
                seconds = breached.limit.get_expiry()
        g.hk_retry_after = max(1, seconds)
    return g.hk_retry_after


def retry_minutes() -> int:
    """retry_after() in whole minutes, rounded up: what the refusal page tells a person."""
    return math.ceil(retry_after() / 60)


def _retry_after_header(response: Response) -> Response:
    if response.status_code == 429 and "Retry-After" not in response.headers:
        breached = limiter_of(current_app).current_limit
        if breached is not None and breached.breached:
            response.headers["Retry-After"] = str(retry_after())
    return response
