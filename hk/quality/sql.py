"""SQL pieces the quality figures share: which jobs a period counts (in the jobs, in their facts), the
stretch of time (a period, a week) a timestamp falls in, and counts read side by side."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, literal, text

from hk.database import reading
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Job
from hk.models.quality import QualityJobFacts
from hk.quality.filters import QualityFilter


def without_jit() -> None:
    """On PostgreSQL, no JIT compiling for the rest of this transaction. The customers' query looks up
    each customer in subplans, so its estimated cost passes jit_above_cost, and compiling it takes
    20–50 ms to save less than that; hk's queries are all of that kind."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


SIDE_BY_SIDE = 4  # connections one page reads on at once, at most

# The connection of a count run by side_by_side, in its own thread; None: the request's session.
_side_connection: ContextVar = ContextVar("hk_quality_connection", default=None)


def rows(query):
    """The rows of a Core query, all fetched at once, without the ORM's handling of each row (the
    figures read thousands of plain tuples): in the session's transaction, or on the connection of
    the count side_by_side runs."""
    connection = _side_connection.get() or db.session.connection()
    return connection.execute(query).all()


def dialect() -> str:
    """The name of the database dialect the counts read ("sqlite", "postgresql")."""
    connection = _side_connection.get() or db.session.connection()
    return connection.dialect.name


def side_by_side(*counts: Callable[[], Any] | None) -> list:
    """Run independent counts at once, each on a database connection of its own in a thread of its
    own, and return what each returned, in order (None for a count given as None: not asked for).

    A page's big counts (the jobs and their ratings, the records, the complaints, the customers) spend
    their time in the database: SQLite's driver lets go of Python's lock while it works, and PostgreSQL
    works in a process per connection, so on a server with more than one core the page waits about as
    long as its longest count rather than for their sum. Each count reads through rows() only (the
    request's session belongs to the request's thread; anything else fails loudly there: no
    application context) in a read transaction of its own, which sees what was committed when it
    began: a page that reads. On an in-memory SQLite database (a database per connection) they run
    one after another on the session."""
    asked = [run for run in counts if run is not None]
    engine = db.session.get_bind()
    if len(asked) < 2 or engine.url.database in (None, "", ":memory:"):
        return [run() if run is not None else None for run in counts]
    postgres = engine.dialect.name == "postgresql"

    def on_own_connection(run: Callable[[], Any]) -> Any:
        with reading(), engine.connect() as connection:
            if postgres:
                connection.execute(text("SET LOCAL jit = off"))  # as without_jit()
            token = _side_connection.set(connection)
            try:
                return run()
            finally:
                _side_connection.reset(token)

    with ThreadPoolExecutor(max_workers=min(len(asked), SIDE_BY_SIDE)) as pool:
        futures = [pool.submit(on_own_connection, run) if run is not None else None for run in counts]
        return [future.result() if future is not None else None for future in futures]


def jobs_done(f: QualityFilter, bounds: tuple[datetime, datetime] | None = None) -> list:
    """The conditions for the jobs a period counts: completed, scheduled to start in it, and of the
    chosen service and worker."""
    start, end = bounds or f.bounds()
    conditions = [Job.status == Status.COMPLETED, Job.scheduled_start >= start, Job.scheduled_start < end]
    if f.service_type_id:
        conditions.append(Job.service_type_id == f.service_type_id)
    if f.worker_id:
        conditions.append(Job.worker_id == f.worker_id)
    return conditions


def facts() -> Table:
    """The jobs' facts the tallies read (hk/models/quality.py)."""
    return QualityJobFacts.__table__


def facts_done(table, f: QualityFilter, bounds: tuple[datetime, datetime]) -> list:
    """jobs_done's conditions on the facts (which hold completed jobs only)."""
    start, end = bounds
    conditions = [table.c.scheduled_start >= start, table.c.scheduled_start < end]
    if f.service_type_id:
        conditions.append(table.c.service_type_id == f.service_type_id)
    if f.worker_id:
        conditions.append(table.c.worker_id == f.worker_id)
    return conditions


class Stretches:
    """Time cut at some instants (periods' and weeks' first instants, a last end), so that one query
    counts several periods and weeks at once: rows are grouped by the stretch between two cuts that
    they fall in, and a period's or a week's figures are the sum of its stretches'."""

    def __init__(self, *instants: datetime):
        self.edges = sorted(set(instants))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """From the first cut to the last: the only rows to count."""
        return self.edges[0], self.edges[-1]

    def index(self, column):
        """SQL for the index of the stretch a timestamp column falls in (-1 before the first cut)."""
        return bucket_of(column, self.edges)

    def within(self, start: datetime, end: datetime) -> range:
        """The stretches that make up [start, end); both must be cuts."""
        return range(self.edges.index(start), self.edges.index(end))

    def weeks(self, starts: list[datetime], end: datetime) -> dict[int, int]:
        """stretch → index of the week (its first instants are `starts`, the last ends at `end`) it is in;
        every week start and the end must be cuts."""
        weeks = {}
        for week, start in enumerate(starts):
            stop = starts[week + 1] if week + 1 < len(starts) else end
            weeks.update(dict.fromkeys(self.within(start, stop), week))
        return weeks


def bucket_of(column, starts: list[datetime]):
    """The index of the last of the (ascending) instants that the column is at or after; -1 before the
    first. Nested CASEs that halve the instants at each level: exact in any time zone, the same SQL on
    both databases, and 6 comparisons a row for a year's 53 weeks rather than up to 53."""

    def between(low: int, high: int):  # column >= starts[low], and < starts[high] when there is one
        if high - low == 1:
            return literal(low)
        middle = (low + high) // 2
        return case((column >= starts[middle], between(middle, high)), else_=between(low, middle))

    return case((column >= starts[0], between(0, len(starts))), else_=literal(-1))
