"""SQL pieces the quality figures share: which jobs a period counts, minutes between two timestamps
on either database, and the stretch of time (a period, a week) a timestamp falls in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, case, literal, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from hk.domain import quality as rules
from hk.domain.workflow import Status
from hk.extensions import db
from hk.models import Job
from hk.quality.filters import QualityFilter


def without_jit() -> None:
    """On PostgreSQL, no JIT compiling for the rest of this transaction. The customers' query looks up
    each customer in subplans, so its estimated cost passes jit_above_cost, and compiling it takes
    20–50 ms to save less than that; hk's queries are all of that kind."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def rows(query):
    """The rows of a Core query, all fetched at once, in the session's transaction but without the
    ORM's handling of each row (the figures read thousands of plain tuples)."""
    return db.session.connection().execute(query).all()


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


def started_on_time(checked_in, booked_start):
    """A check-in no later than the grace minutes after the booked start (SQLite's day fractions
    carry a microsecond or so of rounding, so "exactly 15 minutes" is allowed a millisecond)."""
    return minutes_between(checked_in, booked_start) <= rules.ON_TIME_GRACE_MINUTES + 0.001 / 60
