"""How hk talks to its database under concurrency: short write transactions that start as writes.

SQLite (WAL) allows one writer at a time. A transaction that starts as a read and later writes is
refused with "database is locked" when another writer got in first (busy_timeout does not help:
its snapshot is stale), so every transaction that will write starts with BEGIN IMMEDIATE and waits
its turn instead. Which transactions write is decided here, not in each route:

- a request with an unsafe method (POST…) writes in its first transaction; once that commits, the
  rest of the request (rendering the answer) reads;
- a GET reads;
- a view marked ``@reads_first`` (login, photo upload, signing) does its slow work in a read
  transaction and calls ``begin_writing()`` when it is ready to write;
- queue tasks say what they do with ``reading()`` and ``writing()``; other code outside a request
  (the CLI, tests) keeps the driver's own way (a transaction begins before the first change).

On PostgreSQL the same calls cost nothing; there, writes to one job are serialised by a row lock
(``lock_for_write``). A request that still loses a race (a unique key taken by a twin request, a
serialisation failure, a busy database) is run again from the start before anything was committed,
so a person sees the answer of the winner, never a 500.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import Flask, abort, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hk.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRIES = 4

# "write", "read", or None: decided by the request (see the module's docstring).
_mode: ContextVar[str | None] = ContextVar("hk_transaction_mode", default=None)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Begin as a write (BEGIN IMMEDIATE) or as a read (BEGIN); unmanaged code keeps the driver's way."""
    if conn.dialect.name != "sqlite":
        return
    mode = transaction_mode()
    dbapi_connection = conn.connection.driver_connection
    if mode is None:  # the CLI and tests: the driver begins before the first change, as always
        dbapi_connection.isolation_level = ""
        return
    dbapi_connection.isolation_level = None  # hk says where the transaction begins
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "write" else "BEGIN")


@event.listens_for(Session, "after_commit")
def _after_commit(_session) -> None:
    if _mode.get() == "write":
        _mode.set(None)
    if has_request_context():
        g.hk_committed = True


def transaction_mode() -> str | None:
    """How the transaction about to begin is used: "write", "read", or None outside hk's management."""
    mode = _mode.get()
    if mode is not None:
        return mode
    if has_request_context():
        if request.method in SAFE_METHODS or g.get("hk_committed"):
            return "read"
        view = current_app.view_functions.get(request.endpoint or "")
        return "read" if getattr(view, "hk_reads_first", False) else "write"
    return None


def wants_write() -> bool:
    """Whether the transaction about to begin (or begun by this request's own rule) will write."""
    return transaction_mode() == "write"


def reads_first(view: Callable) -> Callable:
    """Mark a write view that reads and computes first, then calls begin_writing()."""
    view.hk_reads_first = True
    return view


def begin_writing() -> None:
    """End the read transaction; the next statement starts a write transaction."""
    if db.session().in_transaction():
        db.session.rollback()  # a read transaction: nothing to keep, nothing written
    _mode.set("write")


@contextmanager
def reading() -> Iterator[None]:
    """Outside requests: transactions begun inside this block only read (no write lock taken)."""
    token = _mode.set("read")
    try:
        yield
    finally:
        _mode.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block write (BEGIN IMMEDIATE on SQLite), wherever it runs."""
    if db.session().in_transaction():
        db.session.rollback()  # end a read transaction first: it must not become a write
    token = _mode.set("write")
    try:
        yield
    finally:
        _mode.reset(token)


def lock_for_write(model, ident):
    """Load a row for a change: locked on PostgreSQL (FOR UPDATE); SQLite already holds its write lock."""
    return db.session.get(model, ident, with_for_update=True, populate_existing=True)


def is_conflict(error: BaseException) -> bool:
    """A failure that running the same request again can cure."""
    if isinstance(error, IntegrityError | StaleDataError):
        return True
    if isinstance(error, OperationalError | DBAPIError):
        text = str(getattr(error, "orig", error)).lower()
        return any(
            s in text for s in ("database is locked", "database is busy", "could not serialize", "deadlock")
        )
    return False


def _retrying(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        for attempt in range(RETRIES):
            try:
                return view(*args, **kwargs)
            except Exception as error:
                if not is_conflict(error) or request.method in SAFE_METHODS or g.get("hk_committed"):
                    raise
                db.session.rollback()
                _mode.set(None)
                current_app.logger.info("retrying %s after a conflict: %s", request.endpoint, error)
                if attempt == RETRIES - 1:
                    abort(503)
                time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))  # noqa: S311 (jitter)
        abort(503)

    return wrapper


def init_database(app: Flask) -> None:
    """Reset the transaction mode per request; wrap every view so a lost race is run again."""

    @app.before_request
    def _reset_mode():
        _mode.set(None)
        # What a request just committed is what it renders: no second round of queries to reload
        # it. (A rollback still expires everything, so begin_writing() and a rerun read afresh.)
        db.session().expire_on_commit = False

    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _retrying(view)
