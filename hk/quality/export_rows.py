"""The lists behind the quality figures, for the exports: the ratings of the period's jobs and the
complaints received in it, under the dashboard's filters (hk/quality/filters.py).

A table is its headings, already in the person's language, and a generator of rows of plain values:
text, whole or decimal numbers, local dates and times (naive, in the company's zone) or None.
hk/quality/exports.py writes them as CSV or XLSX. The query runs when the first row is asked for, and
rows come from the database a batch at a time (`yield_per`: a server-side cursor on PostgreSQL), so a
streamed export never holds the whole list in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased

from hk import labels
from hk.domain.remedies import remedy_totals
from hk.extensions import db
from hk.models import Complaint, Customer, Job, Rating, Remedy, ServiceType, User
from hk.models.aftersales import case_number
from hk.models.catalog import pick
from hk.quality.filters import QualityFilter

BATCH = 500  # rows fetched from the database at a time


@dataclass(frozen=True)
class Table:
    name: str  # the file's name, in ASCII: "ratings", "complaints"
    title: str  # the same in the person's language: the sheet's title and the file's other name
    headers: list[str]
    rows: Iterator[tuple]  # lazy: nothing is read until the first row is asked for


def _words(mapping: dict) -> dict[str, str]:
    """A label table as plain text in the language active now (the rows are written later, maybe
    after the request's context has gone)."""
    return {key: str(text) for key, text in mapping.items()}


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored UTC instant as the company's wall-clock time, naive (spreadsheets know no zones)."""
    if moment is None:
        return None
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    """The hours between two instants to one decimal, or None while the second has not come."""
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 1)


# --- ratings ---------------------------------------------------------------------------------


def ratings_table(qf: QualityFilter, lang: str) -> Table:
    """The ratings of the jobs done in the period (by the job's day), one row a rating."""
    aspects = labels.ASPECT_LABELS
    headers = [
        _("Job number"),
        _("Job date"),
        _("Customer"),
        _("Worker"),
        _("Service"),
        _("Overall"),
        str(aspects["quality"]),
        str(aspects["punctuality"]),
        str(aspects["attitude"]),
        str(aspects["price"]),
        _("Would recommend (0–10)"),
        _("Customer's comment"),
        _("Rated at"),
        _("Complaint number"),
    ]
    return Table("ratings", _("Ratings"), headers, _rating_rows(_ratings_query(qf), qf.tz, lang))


def _ratings_query(qf: QualityFilter) -> Select:
    worker = aliased(User)
    worker_id = func.coalesce(Rating.worker_id, Job.worker_id)  # who did the job when it was rated
    start, end = qf.bounds()
    query = (
        select(
            Job.number,
            Job.scheduled_start,
            Customer.name.label("customer"),
            worker.display_name.label("worker"),
            ServiceType.name_zh,
            ServiceType.name_en,
            Rating.overall,
            Rating.quality,
            Rating.punctuality,
            Rating.attitude,
            Rating.price,
            Rating.recommend,
            Rating.comment,
            Rating.rated_at,
            Rating.complaint_id,
        )
        .join(Job, Rating.job_id == Job.id)
        .join(Customer, Job.customer_id == Customer.id)
        .join(ServiceType, Job.service_type_id == ServiceType.id)
        .outerjoin(worker, worker.id == worker_id)
        .where(Job.scheduled_start >= start, Job.scheduled_start < end)
        .order_by(Job.scheduled_start, Job.id)
    )
    if qf.service_type_id:
        query = query.where(Job.service_type_id == qf.service_type_id)
    if qf.worker_id:
        query = query.where(worker_id == qf.worker_id)
    return query


def _rating_rows(query: Select, tz: str, lang: str) -> Iterator[tuple]:
    zone = ZoneInfo(tz)
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        yield (
            row.number,
            _local_day(row.scheduled_start, zone),
            row.customer,
            row.worker,
            pick(row.name_zh, row.name_en, lang),
            row.overall,
            row.quality,
            row.punctuality,
            row.attitude,
            row.price,
            row.recommend,
            row.comment or None,
            _local(row.rated_at, zone),
            case_number(row.complaint_id) if row.complaint_id else None,
        )


# --- complaints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CaseWords:
    channels: dict[str, str]
    categories: dict[str, str]
    severities: dict[str, str]
    statuses: dict[str, str]
    remedy_kinds: dict[str, str]
    remedy_statuses: dict[str, str]


def complaints_table(qf: QualityFilter, lang: str) -> Table:
    """The complaints received in the period, one row a case, with its clocks' outcome and remedies.

    The hours are from receipt to the first response and to the (last) resolution as a clock on the
    wall counts them, paused time included; the money is what its remedies were agreed to cost.
    """
    headers = [
        _("Complaint number"),
        _("Received at"),
        _("How it came in"),
        _("Category"),
        _("Severity"),
        _("Status"),
        _("Customer"),
        _("Job number"),
        _("Worker on the job"),
        _("Worker responsible"),
        _("First response at"),
        _("Hours to first response"),
        _("Resolved at"),
        _("Hours to resolution"),
        _("Remedies"),
        _("Remedies, money (CNY)"),
        _("Times reopened"),
    ]
    words = _CaseWords(
        _words(labels.CHANNEL_LABELS),
        _words(labels.CATEGORY_LABELS),
        _words(labels.SEVERITY_LABELS),
        _words(labels.CASE_STATUS_LABELS),
        _words(labels.REMEDY_KIND_LABELS),
        _words(labels.REMEDY_STATUS_LABELS),
    )
    return Table("complaints", _("Complaints"), headers, _case_rows(_cases_query(qf), qf.tz, words))


def _cases_query(qf: QualityFilter) -> Select:
    """The cases received in the period; by worker, the one found responsible or else the job's."""
    responsible, job_worker = aliased(User), aliased(User)
    start, end = qf.bounds()
    query = (
        select(
            Complaint.id,
            Complaint.received_at,
            Complaint.channel,
            Complaint.category,
            Complaint.severity,
            Complaint.status,
            Customer.name.label("customer"),
            Job.number.label("job_number"),
            job_worker.display_name.label("job_worker"),
            responsible.display_name.label("responsible"),
            Complaint.first_response_at,
            Complaint.resolved_at,
            Complaint.reopen_count,
        )
        .join(Customer, Complaint.customer_id == Customer.id)
        .outerjoin(Job, Complaint.job_id == Job.id)
        .outerjoin(job_worker, Job.worker_id == job_worker.id)
        .outerjoin(responsible, Complaint.responsible_worker_id == responsible.id)
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .order_by(Complaint.received_at, Complaint.id)
    )
    if qf.service_type_id:
        query = query.where(Job.service_type_id == qf.service_type_id)
    if qf.worker_id:
        query = query.where(func.coalesce(Complaint.responsible_worker_id, Job.worker_id) == qf.worker_id)
    return query


# The remedies of one batch of cases, oldest first. One statement with the ids as a parameter: a new
# IN (...) statement per batch would leave the batch's ids in a reference cycle until a full garbage
# collection, and memory would grow with the rows.
_REMEDIES = (
    select(Remedy.complaint_id, Remedy.kind, Remedy.status, Remedy.amount)
    .where(Remedy.complaint_id.in_(bindparam("case_ids", expanding=True)))
    .order_by(Remedy.complaint_id, Remedy.created_at, Remedy.id)
)


def _remedies_of(case_ids: list[int]) -> dict[int, list[tuple]]:
    """(kind, status, amount) of each case's remedies, by case."""
    found: dict[int, list[tuple]] = {case_id: [] for case_id in case_ids}
    for case_id, kind, status, amount in db.session.execute(_REMEDIES, {"case_ids": case_ids}):
        found[case_id].append((kind, status, amount))
    return found


def _remedy_summary(remedies: list[tuple], words: _CaseWords) -> str | None:
    """Each remedy as "Refund ¥150.00 (Done)", in the order they were proposed."""
    parts = []
    for kind, status, amount in remedies:
        money = f" ¥{amount:.2f}" if amount is not None else ""
        parts.append(
            f"{words.remedy_kinds.get(kind, kind)}{money} ({words.remedy_statuses.get(status, status)})"
        )
    return "; ".join(parts) or None


def _case_rows(query: Select, tz: str, words: _CaseWords) -> Iterator[tuple]:
    zone = ZoneInfo(tz)
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        remedies = _remedies_of([row.id for row in batch])
        for row in batch:
            money = remedy_totals(remedies[row.id]).money
            yield (
                case_number(row.id),
                _local(row.received_at, zone),
                words.channels.get(row.channel, row.channel),
                words.categories.get(row.category, row.category),
                words.severities.get(row.severity, row.severity),
                words.statuses.get(row.status, row.status),
                row.customer,
                row.job_number,
                row.job_worker,
                row.responsible,
                _local(row.first_response_at, zone),
                _hours(row.received_at, row.first_response_at),
                _local(row.resolved_at, zone),
                _hours(row.received_at, row.resolved_at),
                _remedy_summary(remedies[row.id], words),
                money.quantize(Decimal("0.01")),
                row.reopen_count,
            )
