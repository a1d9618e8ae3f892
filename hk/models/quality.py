"""The quality figures' facts about each completed job, kept true in the transaction that changes them.

`quality_job_facts` has one narrow row per completed job: its customer, when it was booked, who
worked it, the service, whether they checked in on time, its rating's scores and what its records
say. The dashboard counts jobs, ratings, records and the customers served by grouping this one table
(no join of jobs ⋈ ratings nor of service_records ⋈ jobs over a hundred thousand rows). The rows
are only ever computed by `facts_of` from the sources, so a row is what counting the sources gives:

- every ORM flush of a Job, a Rating or a ServiceRecord notes the job (`_noted`, only when a column the
  facts read changed), and before the session commits those jobs' rows are recomputed (`refresh`):
  the rows of jobs no longer completed deleted, the others upserted, one statement each;
- on PostgreSQL `refresh` first locks the jobs' rows (FOR NO KEY UPDATE, in id order), so that two
  transactions changing one job's sources (a rating and a review at once) refresh one after the
  other, and the second, whose statement sees what the first committed, writes the row with both;
- Core statements on those tables bypass the ORM's events: code that writes them so calls `refresh`
  (hk has none today; the bench's bulk load calls `rebuild`);
- `rebuild` recomputes the whole table (`flask hk quality-facts --rebuild`, migration 0018).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Float, Index, SmallInteger, case, delete, event, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from hk.domain import quality as rules
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models.aftersales import Rating
from hk.models.jobs import Job
from hk.models.records import RecordStatus, ReviewStatus, ServiceRecord
from hk.models.types import UTCDateTime, insert_or_not

ASPECTS = ("overall", "quality", "punctuality", "attitude", "price")


class QualityJobFacts(db.Model):
    """One completed job as the quality figures count it (see the module's docstring)."""

    __tablename__ = "quality_job_facts"
    __table_args__ = (
        Index("ix_quality_job_facts_start", "scheduled_start"),
        Index("ix_quality_job_facts_worker_start", "worker_id", "scheduled_start"),
        # Each customer's jobs in order, with what a period's filter asks (SQLite groups them by
        # customer from this index alone: the customer figures).
        Index(
            "ix_quality_job_facts_customer",
            "customer_id",
            "scheduled_start",
            "worker_id",
            "service_type_id",
        ),
    )

    job_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # no foreign key: see refresh
    customer_id: Mapped[int]
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    worker_id: Mapped[int | None]
    service_type_id: Mapped[int]
    checked_in: Mapped[int] = mapped_column(SmallInteger)  # 1 or 0
    on_time: Mapped[int] = mapped_column(SmallInteger)  # 1: checked in within the grace minutes
    # The rating's scores (all NULL when the job is not rated; overall is given with every rating).
    overall: Mapped[int | None] = mapped_column(SmallInteger)
    quality: Mapped[int | None] = mapped_column(SmallInteger)
    punctuality: Mapped[int | None] = mapped_column(SmallInteger)
    attitude: Mapped[int | None] = mapped_column(SmallInteger)
    price: Mapped[int | None] = mapped_column(SmallInteger)
    recommend: Mapped[int | None] = mapped_column(SmallInteger)
    # The job's records: current versions, current and approved, versions sent back, current and
    # flagged (incident, refused signature, missing photos), current and not missing photos.
    records: Mapped[int] = mapped_column(SmallInteger)
    approved: Mapped[int] = mapped_column(SmallInteger)
    sent_back: Mapped[int] = mapped_column(SmallInteger)
    flagged: Mapped[int] = mapped_column(SmallInteger)
    with_photos: Mapped[int] = mapped_column(SmallInteger)


class minutes_between(FunctionElement):
    """later - earlier in minutes, as a number, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between)
def _minutes_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60.0)"


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 1440.0)"


def started_on_time(checked_in, booked_start):
    """A check-in no later than the grace minutes after the booked start (SQLite's day fractions
    carry a microsecond or so of rounding, so "exactly 15 minutes" is allowed a millisecond)."""
    return minutes_between(checked_in, booked_start) <= rules.ON_TIME_GRACE_MINUTES + 0.001 / 60


def _one_if(condition):
    return case((condition, 1), else_=0)


def facts_of(job_ids: Iterable[int] | None = None):
    """The facts rows computed from the sources: of the completed jobs among `job_ids` (None: all),
    with the columns in QualityJobFacts' order."""
    current, approved = ServiceRecord.status == RecordStatus.CURRENT, ReviewStatus.APPROVED
    flagged = or_(ServiceRecord.flag_incident, ServiceRecord.flag_refused, ServiceRecord.flag_missing_photos)
    counted = [
        func.count(case((current, 1))).label("records"),
        func.count(case((current & (ServiceRecord.review_status == approved), 1))).label("approved"),
        func.count(case((ServiceRecord.review_status == ReviewStatus.SENT_BACK, 1))).label("sent_back"),
        func.count(case((current & flagged, 1))).label("flagged"),
        func.count(case((current & not_(ServiceRecord.flag_missing_photos), 1))).label("with_photos"),
    ]
    recorded = select(ServiceRecord.job_id, *counted).group_by(ServiceRecord.job_id)
    conditions = [Job.status == Status.COMPLETED]
    if job_ids is not None:
        ids = sorted(set(job_ids))
        recorded = recorded.where(ServiceRecord.job_id.in_(ids))
        conditions.append(Job.id.in_(ids))
    recorded = recorded.subquery("recorded")
    return (
        select(
            Job.id.label("job_id"),
            Job.customer_id,
            Job.scheduled_start,
            Job.worker_id,
            Job.service_type_id,
            _one_if(Job.checked_in_at.is_not(None)).label("checked_in"),
            _one_if(started_on_time(Job.checked_in_at, Job.scheduled_start)).label("on_time"),
            *[getattr(Rating, aspect) for aspect in ASPECTS],
            Rating.recommend,
            *[func.coalesce(recorded.c[column.name], 0).label(column.name) for column in counted],
        )
        .select_from(Job)
        .outerjoin(Rating, Rating.job_id == Job.id)  # at most one rating a job
        .outerjoin(recorded, recorded.c.job_id == Job.id)
        .where(*conditions)
    )


_COLUMNS = [column.name for column in QualityJobFacts.__table__.columns]


def _upsert(connection, source):
    table = QualityJobFacts.__table__
    statement = insert_or_not(table, connection.dialect.name).from_select(_COLUMNS, source)
    return statement.on_conflict_do_update(
        index_elements=[table.c.job_id],
        set_={name: statement.excluded[name] for name in _COLUMNS if name != "job_id"},
    )


def refresh(connection, job_ids: Iterable[int]) -> None:
    """Recompute the facts of these jobs on a connection, in its transaction (see the docstring)."""
    ids = sorted(set(job_ids))
    if not ids:
        return
    postgres = connection.dialect.name == "postgresql"
    for n in range(0, len(ids), 500):
        chunk = ids[n : n + 500]
        if postgres:
            connection.execute(
                select(Job.id).where(Job.id.in_(chunk)).order_by(Job.id).with_for_update(key_share=True)
            )
        table = QualityJobFacts.__table__
        done = select(Job.id).where(Job.id == table.c.job_id, Job.status == Status.COMPLETED).exists()
        connection.execute(delete(table).where(table.c.job_id.in_(chunk), not_(done)))
        connection.execute(_upsert(connection, facts_of(chunk)))


def rebuild(connection) -> int:
    """Recompute the whole table; returns its rows."""
    table = QualityJobFacts.__table__
    connection.execute(delete(table))
    connection.execute(_upsert(connection, facts_of()))
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def fresh_facts(connection) -> set[tuple]:
    """Every row as facts_of computes it now (to check the table against: tests)."""
    return {tuple(row) for row in connection.execute(facts_of())}


# Which columns of each source the facts read; a change to any other column leaves them as they are.
_READ = {
    Job: ("status", "customer_id", "scheduled_start", "worker_id", "service_type_id", "checked_in_at"),
    Rating: ("job_id", *ASPECTS, "recommend"),
    ServiceRecord: (
        "job_id",
        "status",
        "review_status",
        "flag_incident",
        "flag_refused",
        "flag_missing_photos",
    ),
}
_KEY = "hk_quality_facts_jobs"


def _jobs_of(obj, changed_only: bool) -> set[int]:
    """The jobs whose facts this flushed object may change (its job, and the one before, if moved)."""
    read = _READ.get(type(obj))
    if read is None:
        return set()
    state = db.inspect(obj)
    if changed_only and not any(state.attrs[name].history.has_changes() for name in read):
        return set()
    if isinstance(obj, Job):
        if not state.identity:
            return set()
        status = state.attrs.status.history
        before = {*status.unchanged, *status.deleted}  # empty when the value before was not loaded
        if before and Status.COMPLETED not in {*before, *status.added}:
            return set()  # neither completed nor completed before: it has no facts, and gets none
        return {state.identity[0]}
    history = state.attrs.job_id.history
    jobs = {*history.added, *history.unchanged, *history.deleted}
    if not jobs and "job_id" not in state.dict and not state.deleted:  # unloaded: read it
        jobs = {obj.job_id}
    return {job for job in jobs if job is not None}


def _noted_jobs(session) -> set[int]:
    """The jobs noted in the session's transaction (the outermost: a savepoint rolled back leaves
    them noted, extra ones cost a refresh; a transaction rolled back, or over, leaves its own behind)."""
    root = session.get_transaction()
    entry = session.info.get(_KEY)
    if entry is None or entry[0] is not root:
        entry = session.info[_KEY] = (root, set())
    return entry[1]


@event.listens_for(Session, "before_flush")
def _deleted(session, _context, _instances) -> None:
    noted = _noted_jobs(session)
    for obj in session.deleted:
        noted |= _jobs_of(obj, changed_only=False)


@event.listens_for(Session, "after_flush")
def _noted(session, _context) -> None:
    noted = _noted_jobs(session)
    with session.no_autoflush:
        for obj in session.new:
            noted |= _jobs_of(obj, changed_only=False)
        for obj in session.dirty:
            noted |= _jobs_of(obj, changed_only=True)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session) -> None:
    """Before a commit (of the transaction, or of a savepoint in it) the noted jobs' rows are
    recomputed in it."""
    session.flush()  # what commit would flush next, so that its jobs are noted now
    entry = session.info.pop(_KEY, None)
    if entry is not None and entry[0] is session.get_transaction() and entry[1]:
        refresh(session.connection(), entry[1])
