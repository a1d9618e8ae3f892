"""Plain functions that build test data."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import select

from hk.catalogue import load_catalogue_file
from hk.extensions import db
from hk.jobs.service import build_quote
from hk.models import (
    Certificate,
    CertificateKind,
    Customer,
    Job,
    Role,
    ServiceType,
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


def service_type(code: str = "daily_cleaning") -> ServiceType:
    """A service type from the shipped catalogue, loading it on first use."""
    found = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
    if found is None:
        load_catalogue_file()
        found = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
    return found


def make_job(
    worker: User | None,
    customer: Customer | None = None,
    start: datetime | None = None,
    minutes: int = 120,
    code: str = "daily_cleaning",
) -> Job:
    """A scheduled job with a snapshot of the service type's current template."""
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
    return job
