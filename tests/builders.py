"""Plain functions that build test data."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from hk.catalogue import load_catalogue_file
from hk.demo_jobs import advance_job
from hk.domain.workflow import Status
from hk.extensions import db
from hk.jobs.service import build_quote
from hk.models import (
    Certificate,
    CertificateKind,
    ChecklistTemplate,
    Customer,
    EmergencyPlan,
    Job,
    PriceItem,
    Role,
    ServiceType,
    TemplateItem,
    TemplateStage,
    User,
    WorkerProfile,
    utcnow,
)
from hk.models.people import hash_password

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


def make_user(
    role: Role | str = Role.WORKER,
    username: str | None = None,
    password: str = PASSWORD,
    enabled: bool = True,
    certified: bool = True,
    locale: str | None = None,
) -> User:
    """A user; workers get a valid job and health certificate unless certified=False."""
    role = Role(role)
    n = next(_seq)
    user = User(
        username=username or f"{role.value}{n}",
        display_name=f"测试{role.value}{n}",
        role=role,
        password_hash=hash_password(password),
        is_enabled=enabled,
        locale=locale,
    )
    if role == Role.WORKER:
        user.profile = WorkerProfile()
        if certified:
            today = date.today()
            for kind in (CertificateKind.JOB, CertificateKind.HEALTH):
                user.certificates.append(
                    Certificate(
                        kind=kind,
                        number=f"{kind.value.upper()}-{n}",
                        issuer="测试发证机关",
                        valid_from=today - timedelta(days=100),
                        valid_until=today + timedelta(days=300),
                    )
                )
    db.session.add(user)
    db.session.commit()
    return user


def make_customer(**overrides) -> Customer:
    """A customer with a Shanghai address."""
    n = next(_seq)
    data = {"name": f"客户{n}", "phone": f"1390000{n:04d}", "address": f"上海市徐汇区测试路{n}号"}
    data.update(overrides)
    customer = Customer(**data)
    db.session.add(customer)
    db.session.commit()
    return customer


# The tables load_catalogue_file() writes, parents first.
CATALOGUE_TABLES = tuple(
    model.__table__
    for model in (ServiceType, ChecklistTemplate, TemplateStage, TemplateItem, PriceItem, EmergencyPlan)
)
# The rows the shipped catalogue became the first time this test process loaded it into empty tables.
_catalogue_rows: dict[str, list[dict]] | None = None


def _restore_catalogue(rows: dict[str, list[dict]]) -> None:
    """Insert the rows kept from the first load (one executemany per table); PostgreSQL's id
    sequences are moved past them, as the ORM's inserts would have moved them."""
    for table in CATALOGUE_TABLES:
        db.session.execute(table.insert(), rows[table.name])
    if db.engine.dialect.name == "postgresql":
        for table in CATALOGUE_TABLES:
            seq = f"pg_get_serial_sequence('{table.name}', 'id')"
            db.session.execute(
                text(f"SELECT setval({seq}, GREATEST((SELECT max(id) FROM {table.name}), nextval({seq})))")  # noqa: S608 (our own table names)
            )
    db.session.commit()


def load_shipped_catalogue() -> None:
    """The shipped catalogue in the database, as `load_catalogue_file()` stores it.

    The 64 KB file is parsed, checked and stored by hk once per test process; after that, into empty
    tables, the same rows are inserted again directly (milliseconds instead of most of a second).
    """
    global _catalogue_rows
    empty = all(db.session.scalar(select(func.count()).select_from(table)) == 0 for table in CATALOGUE_TABLES)
    if not empty:
        load_catalogue_file()  # something of a catalogue is there already: hk merges, as it would
        return
    if _catalogue_rows is not None:
        _restore_catalogue(_catalogue_rows)
        return
    load_catalogue_file()
    _catalogue_rows = {
        table.name: [dict(row._mapping) for row in db.session.execute(table.select().order_by(table.c.id))]
        for table in CATALOGUE_TABLES
    }
    db.session.commit()


def service_type(code: str = "daily_cleaning") -> ServiceType:
    """A service type from the shipped catalogue, loading it on first use."""
    found = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
    if found is None:
        load_shipped_catalogue()
        found = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
    return found


def make_job(
    worker: User | None,
    customer: Customer | None = None,
    start: datetime | None = None,
    minutes: int = 120,
    code: str = "daily_cleaning",
    state: Status | str = Status.SCHEDULED,
    photos: bool = True,
) -> Job:
    """A job with a snapshot of the service type's current template, in the given state.

    A state past "scheduled" is made directly in the database (see `advance_job`), not by walking
    the job over HTTP: for tests whose subject comes after that point.
    """
    st = service_type(code)
    template = st.current_template
    start = start or utcnow().replace(microsecond=0)
    job = Job(
        number=f"T{next(_seq):06d}",
        customer=customer or make_customer(),
        service_type=st,
        template=template,
        worker=worker,
        scheduled_start=start,
        scheduled_end=start + timedelta(minutes=minutes),
        template_snapshot=template.snapshot(),
    )
    build_quote(job)
    db.session.add(job)
    db.session.commit()
    if Status(state) != Status.SCHEDULED:
        advance_job(job, state, photos=photos)
    return job
