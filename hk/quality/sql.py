"""SQL pieces the quality figures share: which jobs a period counts, minutes between two timestamps
on either database, and the week a timestamp falls in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, case, false
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from hk.domain import quality as rules
from hk.domain.clock import day_bounds
from hk.domain.workflow import Status
from hk.models import Job
from hk.quality.filters import QualityFilter


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


def week_of(column, mondays: list[date], tz: str):
    """The index of the week (in `mondays`, local time) a timestamp column falls in; -1 before the first.

    A CASE over the weeks' first instants: exact in any time zone, the same SQL on both databases.
    """
    if not mondays:
        return false()
    starts = [day_bounds(monday, tz)[0] for monday in mondays]
    return case(*[(column >= start, index) for index, start in reversed(list(enumerate(starts)))], else_=-1)


def started_on_time(checked_in, booked_start):
    """A check-in no later than the grace minutes after the booked start (SQLite's day fractions
    carry a microsecond or so of rounding, so "exactly 15 minutes" is allowed a millisecond)."""
    return minutes_between(checked_in, booked_start) <= rules.ON_TIME_GRACE_MINUTES + 0.001 / 60
