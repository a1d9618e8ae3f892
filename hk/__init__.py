"""hk: field service for housekeeping and cleaning companies."""

from __future__ import annotations

import os
from pathlib import Path

from babel import Locale
from flask import Flask, g, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from hk.config import Config, finalize
from hk.database import init_database
from hk.extensions import babel, csrf, db, htmx, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


LANGUAGES = ("zh_CN", "en")


# Parsed once: Babel's parse of a locale name walks every locale it knows, on every request.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def select_locale() -> Locale:
    """The person's language: while the customer holds the worker's phone (customer mode), the
    language the customer chose there; else their saved choice, this browser's choice, the page's own
    language (the customer's link: the language their record was signed in), then the browser header.

    Babel reads "zh_CN" as zh_Hans_CN, so its catalogue lives in translations/zh_Hans_CN.
    """
    if current_user and current_user.is_authenticated:
        if current_user.customer_job_id and current_user.customer_lang in LANGUAGES:
            return _LOCALES[current_user.customer_lang]
        if current_user.locale in LANGUAGES:
            return _LOCALES[current_user.locale]
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return _LOCALES[chosen]
    page = g.get("hk_page_lang")
    if page in LANGUAGES:
        return _LOCALES[page]
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return _LOCALES["en" if best == "en" else "zh_CN"]


class DatabaseId(IntegerConverter):
    """An <int:…> in a URL is a row id: a number no id column can hold is not found (404), never sent
    to the database (PostgreSQL refuses it with an error, SQLite with an overflow)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: object | dict | None = None) -> Flask:
    """Build the hk application."""
    instance_path = os.environ.get("HK_INSTANCE_PATH") or str(ROOT / "instance")
    if isinstance(config, dict) and config.get("INSTANCE_PATH"):
        instance_path = config["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    finalize(app)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    _init_login(app)

    from hk import models  # noqa: F401  (registers the tables)
    from hk.aftersales import bp as complaints_bp
    from hk.auth import bp as auth_bp
    from hk.errors import register_error_handlers
    from hk.jobs import bp as jobs_bp
    from hk.main import bp as main_bp
    from hk.office import bp as office_bp
    from hk.public import bp as public_bp
    from hk.quality import bp as quality_bp
    from hk.review import bp as review_bp
    from hk.sign import bp as sign_bp
    from hk.static_files import install as install_static
    from hk.storage import init_storage
    from hk.supervise import bp as supervise_bp

    install_static(app)

    init_storage(app)
    from hk.queue import init_queue

    init_queue(app)
    app.url_map.converters["int"] = DatabaseId  # before the routes are added: every <int:…> is one
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(supervise_bp)
    app.register_blueprint(sign_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(office_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(quality_bp)
    register_error_handlers(app)
    init_database(app)  # after every blueprint: it wraps their views
    from hk.ratelimit import init_limits

    init_limits(app)  # after init_database: a request rerun after a lost race is counted once

    from hk.auth.access import enforce_login, may

    app.before_request(enforce_login)
    app.jinja_env.globals["may"] = may
    app.after_request(_security_headers)

    from hk.cli import hk_cli

    app.cli.add_command(hk_cli)

    from hk import views_helpers

    views_helpers.register(app)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from hk.auth.access import login_needed
    from hk.auth.service import user_for

    login_manager.init_app(app)
    login_manager.unauthorized_handler(login_needed)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        return user_for(user_id)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    from flask import current_app

    if current_app.config.get("ENV") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if "text/html" in (response.content_type or ""):
        headers.setdefault("Cache-Control", "no-store")
        response.vary.add("HX-Request")
    return response
