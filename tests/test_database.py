"""The migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from hk import create_app
from hk.config import TestConfig
from hk.extensions import db
from hk.models import PriceItem, ServiceType
from tests.builders import make_job, make_user, service_type


def test_the_migrated_database_matches_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrations_upgrade_an_empty_sqlite_file(tmp_path):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = create_app({**config, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path)})
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_times_are_stored_as_utc_and_read_back_aware(app):
    shanghai = timezone(timedelta(hours=8))
    job = make_job(make_user("worker"), start=datetime(2026, 3, 1, 9, 0, tzinfo=shanghai))
    db.session.expire_all()
    db.session.refresh(job)
    assert job.scheduled_start == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert job.scheduled_start.tzinfo is not None


def test_a_naive_time_is_refused(app):
    with pytest.raises(Exception, match="naive datetime"):
        make_job(make_user("worker"), start=datetime(2026, 3, 1, 9, 0))
    db.session.rollback()


def test_money_is_decimal(app):
    st = service_type("daily_cleaning")
    db.session.expire_all()
    labour = db.session.query(PriceItem).filter_by(service_type_id=st.id, code="labour").one()
    assert isinstance(labour.unit_price, Decimal)
    assert labour.unit_price == Decimal("50.00")
    assert db.session.get(ServiceType, st.id).name("en") == "Daily cleaning"


def test_a_stale_job_save_is_refused_not_lost(app):
    """Two devices: the second save of an outdated job raises instead of overwriting."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    job = make_job(make_user("worker"))
    other = Session(db.engine)
    stale = other.get(type(job), job.id)
    job.notes = "first device"
    db.session.commit()
    stale.notes = "second device"
    with pytest.raises(StaleDataError):
        other.commit()
    other.close()
    db.session.refresh(job)
    assert job.notes == "first device"


def test_postgresql_is_really_used_when_asked(app):
    import os

    url = os.environ.get("HK_DATABASE_URL")
    if not url:
        assert db.engine.dialect.name == "sqlite"
        return
    assert db.engine.dialect.name == "postgresql"
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    engine.dispose()


def test_a_request_that_loses_races_is_run_again_then_answered_503_never_twice_after_a_commit(app):
    import pytest
    from flask import g
    from sqlalchemy.exc import IntegrityError
    from werkzeug.exceptions import ServiceUnavailable

    from hk.database import RETRIES, _retrying

    calls = []

    def always_loses():
        calls.append(1)
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed: item_checks.job_id"))

    with app.test_request_context("/x", method="POST"), pytest.raises(ServiceUnavailable):
        _retrying(always_loses)()
    assert len(calls) == RETRIES

    calls.clear()

    def wins_the_second_time():
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))
        return "ok"

    with app.test_request_context("/x", method="POST"):
        assert _retrying(wins_the_second_time)() == "ok" and len(calls) == 2

    calls.clear()

    def committed_then_failed():
        calls.append(1)
        g.hk_committed = True  # something was written: running it again could do it twice
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))

    with app.test_request_context("/x", method="POST"), pytest.raises(IntegrityError):
        _retrying(committed_then_failed)()
    assert len(calls) == 1


def test_the_busy_page_says_nothing_was_lost_in_both_languages(client):
    from hk.errors import MESSAGES

    for lang, words in (("zh_CN", "没有丢失"), ("en", "Nothing you saved was lost")):
        from flask_babel import force_locale

        with client.application.test_request_context("/"), force_locale(lang):
            assert words in str(MESSAGES[503][1])


def test_a_job_has_at_most_one_current_record(app):
    """Superseded versions are kept beside the current one; a second current one is refused by the
    database itself (a partial unique index), on SQLite and PostgreSQL alike."""
    from sqlalchemy.exc import IntegrityError

    from hk.models import ServiceRecord
    from hk.models.records import RecordStatus

    job = make_job(make_user("worker"))
    first = ServiceRecord(job_id=job.id, code="ONE0000001", status=RecordStatus.SUPERSEDED)
    second = ServiceRecord(job_id=job.id, code="ONE0000002", version=2, supersedes=first)
    db.session.add_all([first, second])
    db.session.commit()
    db.session.add(ServiceRecord(job_id=job.id, code="ONE0000003", version=3))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    third = ServiceRecord(job_id=job.id, code="ONE0000004", version=3, supersedes=second)
    second.status = RecordStatus.SUPERSEDED  # a correction: the one before superseded in the same flush
    db.session.add(third)
    db.session.commit()
    db.session.expire_all()
    current = ServiceRecord.status == RecordStatus.CURRENT
    kept = db.session.scalars(select(ServiceRecord.code).where(ServiceRecord.job_id == job.id, current)).all()
    assert kept == ["ONE0000004"]
