"""Plain functions that build test data."""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime, timedelta
from functools import cache

from PIL import Image
from sqlalchemy import func, select, text

from hk.catalogue import load_catalogue_file
from hk.domain.catalogue import StageKind
from hk.domain.workflow import OPEN_KIND, STAGE_PHOTO_KIND, Answer, Status
from hk.extensions import db
from hk.jobs.service import build_quote
from hk.models import (
    Certificate,
    CertificateKind,
    ChecklistTemplate,
    Customer,
    EmergencyPlan,
    ItemCheck,
    Job,
    Photo,
    PriceItem,
    Role,
    ServiceType,
    StageCompletion,
    TemplateItem,
    TemplateStage,
    User,
    WorkerProfile,
    utcnow,
)
from hk.models.people import hash_password
from hk.photos import ProcessedPhoto, process_photo
from hk.storage import get_storage

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


# The stage kind open in each state a job reaches by working through its checklist, in order.
_OPEN_KIND_OF = {**OPEN_KIND, Status.AWAITING_SIGNATURE: None}
_KIND_ORDER = list(StageKind)


@cache
def _processed_photo() -> ProcessedPhoto:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 200)).save(buf, "JPEG")
    return process_photo(buf.getvalue())


def _add_photo(job: Job, stage: dict, item: dict) -> None:
    processed = _processed_photo()
    storage = get_storage()
    job_photo = Photo(
        job_id=job.id,
        stage_code=stage["code"],
        item_code=item["code"],
        kind=STAGE_PHOTO_KIND[stage["kind"]],
        storage_key=storage.put(processed.image, "photos", ".jpg"),
        thumb_key=storage.put(processed.thumb, "thumbs", ".jpg"),
        print_key=storage.put(processed.print_image, "prints", ".jpg"),
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.image),
        client_key=f"builder-{job.id}-{stage['code']}-{item['code']}",
        uploaded_by_id=job.worker_id,
    )
    db.session.add(job_photo)


def advance_job(job: Job, state: Status | str, photos: bool = True) -> Job:
    """Put a scheduled job where the worker would have it after working through the checklist.

    Every stage before the open one (all of them for "awaiting_signature") is done as `Phone.walk`
    does it: each item answered (done, or safe in the safety check), a photo for each item that
    needs one (`photos=False` leaves them out), the quote confirmed with the customer's valuables
    noted, the tools removed with a remark, and the stage completed. No events are logged.
    """
    state = Status(state)
    if state not in _OPEN_KIND_OF:
        raise ValueError(f"make_job cannot build a job in state {state!r}")
    open_kind = _OPEN_KIND_OF[state]
    now = utcnow()
    job.checked_in_at = now
    for stage in job.stages:
        if open_kind is not None and _KIND_ORDER.index(stage["kind"]) >= _KIND_ORDER.index(open_kind):
            break
        for item in stage["items"]:
            answer = Answer.SAFE if stage["kind"] == StageKind.SAFETY else Answer.DONE
            job.checks.append(
                ItemCheck(
                    stage_code=stage["code"],
                    item_code=item["code"],
                    answer=answer,
                    checked_by_id=job.worker_id,
                )
            )
            if photos and item["photo_required"]:
                _add_photo(job, stage, item)
        if stage["kind"] == StageKind.PRE_SERVICE:
            job.quote_confirmed_at, job.quote_confirmed_total = now, job.quote_total
            job.valuables_notes = "玉镯在卧室梳妆台"
        if stage["kind"] == StageKind.POST_SERVICE:
            job.tools_removed, job.handover_remarks, job.handover_completed_at = True, "客户满意", now
        job.completions.append(StageCompletion(stage_code=stage["code"], completed_by_id=job.worker_id))
    job.status = state
    db.session.commit()
    return job
