"""Fixtures: a migrated database (SQLite by default, PostgreSQL with HK_DATABASE_URL), app, client, login."""

from __future__ import annotations

import os
import re
import time

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from hk import create_app
from hk.config import TestConfig
from hk.extensions import db
from tests.builders import PASSWORD, make_user
from tests.s3 import s3_app, s3_bucket, s3_server  # noqa: F401 (fixtures: an S3 server, a bucket, the app on it)

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_collection_modifyitems(config, items):
    """Tests grouped to run one after another in one worker (`xdist_group`, e.g. the concurrency and
    queue tests) start first, so that under pytest-xdist they run beside the rest, not after it."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)


def _postgres(url: URL, dbname: str):
    """A psycopg connection (autocommit) to a database on the server of url."""
    import psycopg

    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=dbname,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """PostgreSQL when HK_DATABASE_URL is set (the CI's second run), else a SQLite file.

    Under pytest-xdist each worker process has a database of its own: a SQLite file in the worker's
    own temporary folder, or on PostgreSQL a database made beside HK_DATABASE_URL's for this run
    (`<name>_gw0_<run>`), dropped at the end.
    """
    url = os.environ.get("HK_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url
        return
    base = make_url(url)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
    own = f"{base.database}_{worker}_{run}" if run else f"{base.database}_{worker}"
    try:
        with _postgres(base, base.database) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{own}"')
    except Exception as exc:  # the PostgreSQL run must fail loudly, never skip
        pytest.exit(f"HK_DATABASE_URL is set but no worker database could be made on it: {exc}", 2)
    yield base.set(database=own).render_as_string(hide_password=False)
    with _postgres(base, base.database) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


def reset_schema() -> None:
    """Drop every table, including Alembic's, so migrations start from an empty database."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: fresh `g`, own DB session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(tmp_path_factory, database_url):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        if os.environ.get("HK_DATABASE_URL"):
            try:
                with db.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except Exception as exc:  # the PostgreSQL run must fail loudly, never skip
                pytest.exit(f"HK_DATABASE_URL is set but the database is unreachable: {exc}", 2)
        reset_schema()
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _clean(app) -> None:
    """Delete every row the test left, children first; one query finds the tables that have any.

    A request of the test's browser still on its way (a phone's outbox sending as the test ends) may
    add a child row after its table was emptied: the parent's delete then fails, and it is done again."""
    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    quote = conn.dialect.identifier_preparer.quote
                    probe = " UNION ALL ".join(
                        f"SELECT {n} WHERE EXISTS (SELECT 1 FROM {quote(t.name)})"  # noqa: S608 (ours)
                        for n, t in enumerate(tables)
                    )
                    used = {n for (n,) in conn.execute(text(probe))}
                    for n in sorted(used, reverse=True):
                        conn.execute(tables[n].delete())
                return
            except IntegrityError:
                if attempt == 4:
                    raise
                time.sleep(0.2)


@pytest.fixture
def app(_app):
    """The app inside an app context, with empty tables before and after."""
    saved = dict(_app.config)
    with _app.app_context():
        yield _app
        db.session.remove()
    _app.config.clear()
    _app.config.update(saved)
    _clean(_app)


@pytest.fixture
def make_app(app, database_url, tmp_path):
    """make_app(**settings): another app on the test database, as another server would be.

    TestConfig's settings unless `base` names another class; the queue's app is put back after.
    """
    from hk import queue

    saved, made = list(queue._apps), []

    def _make(base: type = TestConfig, **settings):
        config = {k: getattr(base, k) for k in dir(base) if k.isupper()}
        instance = tmp_path / f"instance-{len(made)}"
        other = create_app(
            {**config, "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(instance), **settings}
        )
        made.append(other)
        return other

    yield _make
    queue._apps[:] = saved
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def queued(app):
    """The queue holds tasks until the test runs them (hk.queue.run_pending), as a worker would later."""
    from hk.queue import huey

    app.config["QUEUE"] = "memory"
    huey.immediate = False
    huey.storage.flush_all()
    yield
    huey.storage.flush_all()
    huey.immediate = True


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get(path, follow_redirects=True)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, page: str = "/login", **kwargs):
    """POST a form the way a browser does, with the session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data}, **kwargs)


@pytest.fixture
def login(client):
    """login(role) or login(user): create the user if needed and log in through the form."""

    def _login(who="worker", **user_kwargs):
        user = who if not isinstance(who, str) else make_user(who, **user_kwargs)
        if client.get("/login").status_code == 302:  # someone is logged in on this client: log out first
            out = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
            if out.status_code != 303:  # the phone is in the customer's hands: a new browser instead
                for name in ("hk_session", "remember_token"):
                    client.delete_cookie(name)
        response = post_form(client, "/login", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    return _login
