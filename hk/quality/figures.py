"""The quality figures of one period: counted in SQL, given meaning by hk.domain.quality.

Jobs are counted by their booked start (a job belongs to the period it was done in), ratings and
records with their job, complaints by when they were received. Complaint clocks depend on pauses and
are read with hk.domain.complaints, as the case screens read them; a company's complaints in a
period are tens or hundreds, its jobs may be tens of thousands, and those are only ever counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from hk.domain import quality as rules
from hk.domain.complaints import FIRST_RESPONSE as RESPONSE_DUE
from hk.domain.complaints import FIRST_RESPONSE_LIMIT as RESPONSE_LIMIT
from hk.domain.complaints import (
    CaseStatus,
    ClockState,
    RemedyStatus,
    paused_time,
    resolution_clock,
)
from hk.domain.quality import Satisfaction, Timeliness, median_hours, per_hundred, share
from hk.extensions import db
from hk.models import Complaint, Job, Rating, Remedy
from hk.models.types import utcnow
from hk.quality.filters import QualityFilter
from hk.quality.sql import jobs_done

ASPECTS = ("overall", "quality", "punctuality", "attitude", "price")


@dataclass(frozen=True)
class SatisfactionFigures:
    satisfaction: Satisfaction
    means: dict[str, float | None]  # the mean score (1–5) of each aspect rated
    promoter_score: float | None
    recommend_answers: int


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    cases: int
    in_time: float | None  # of the cases resolved, the share resolved within 72 h
    median_resolution_hours: float | None


@dataclass(frozen=True)
class ComplaintFigures:
    cases: int
    per_hundred_jobs: float | None
    timeliness: Timeliness
    median_response_hours: float | None
    median_resolution_hours: float | None
    by_category: list[tuple[str, int]]
    channels: list[ChannelRow]
    remedies: list[tuple[str, int, Decimal]]  # kind, how many, money paid or promised
    remedy_cost: Decimal


@dataclass(frozen=True)
class Figures:
    jobs: int
    satisfaction: SatisfactionFigures
    complaints: ComplaintFigures


def job_count(f: QualityFilter) -> int:
    return db.session.scalar(select(func.count(Job.id)).where(*jobs_done(f))) or 0


def satisfaction(f: QualityFilter, jobs: int) -> SatisfactionFigures:
    """Ratings of the period's jobs: satisfied share, rated share, means per aspect, promoter score."""
    columns = [getattr(Rating, aspect) for aspect in ASPECTS]
    row = db.session.execute(
        select(
            func.count(Rating.id),
            func.count(case((Rating.overall >= rules.SATISFIED_FROM, 1))),
            func.count(Rating.recommend),
            func.count(case((Rating.recommend >= rules.PROMOTER_FROM, 1))),
            func.count(case((Rating.recommend <= rules.DETRACTOR_UP_TO, 1))),
            *[func.avg(column) for column in columns],
        )
        .join(Job, Job.id == Rating.job_id)
        .where(*jobs_done(f))
    ).one()
    rated, satisfied, answers, promoters, detractors, *means = row
    return SatisfactionFigures(
        Satisfaction(rated=rated, satisfied=satisfied, records=jobs),
        {
            aspect: float(mean) if mean is not None else None
            for aspect, mean in zip(ASPECTS, means, strict=True)
        },
        rules.promoter_score(promoters, detractors, answers),
        answers,
    )


def complaint_scope(f: QualityFilter, bounds: tuple[datetime, datetime] | None = None) -> list:
    """Complaints received in the period, about the chosen service, put down to the chosen worker
    (the worker found responsible, or else the job's worker)."""
    start, end = bounds or f.bounds()
    conditions = [Complaint.received_at >= start, Complaint.received_at < end]
    job = aliased(Job)
    if f.service_type_id:
        conditions.append(
            Complaint.job_id.in_(select(job.id).where(job.service_type_id == f.service_type_id))
        )
    if f.worker_id:
        conditions.append(
            or_(
                Complaint.responsible_worker_id == f.worker_id,
                and_(
                    Complaint.responsible_worker_id.is_(None),
                    Complaint.job_id.in_(select(job.id).where(job.worker_id == f.worker_id)),
                ),
            )
        )
    return conditions


def complaints(f: QualityFilter, jobs: int, now: datetime | None = None) -> ComplaintFigures:
    """The period's complaints: how many per 100 jobs, how fast answered and resolved, of what kind."""
    now = now or utcnow()
    cases = list(
        db.session.scalars(
            select(Complaint).where(*complaint_scope(f)).options(selectinload(Complaint.pauses))
        )
    )
    responses, resolutions = [], []
    answered_24 = answered_48 = resolved = resolved_in_time = 0
    by_channel: dict[str, list] = {}
    for case_ in cases:
        facts = case_.facts()
        response = case_.first_response_at - case_.received_at if case_.first_response_at else None
        responses.append(response)
        answered_24 += response is not None and response <= RESPONSE_DUE
        answered_48 += response is not None and response <= RESPONSE_LIMIT
        took, in_time = None, None
        if case_.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and case_.resolved_at is not None:
            start = case_.reopened_at or case_.received_at
            took = case_.resolved_at - start - paused_time(facts, start, case_.resolved_at)
            in_time = resolution_clock(facts, now).state == ClockState.MET
            resolved += 1
            resolved_in_time += in_time
        resolutions.append(took)
        by_channel.setdefault(str(case_.channel), []).append((took, in_time))
    channels = [
        ChannelRow(
            channel,
            len(rows),
            share(sum(1 for _, ok in rows if ok), sum(1 for _, ok in rows if ok is not None)),
            median_hours(took for took, _ in rows),
        )
        for channel, rows in sorted(by_channel.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    remedies = _remedies(f)
    return ComplaintFigures(
        cases=len(cases),
        per_hundred_jobs=per_hundred(len(cases), jobs),
        timeliness=Timeliness(len(cases), answered_24, answered_48, resolved, resolved_in_time),
        median_response_hours=median_hours(responses),
        median_resolution_hours=median_hours(resolutions),
        by_category=Counter(str(c.category) for c in cases).most_common(),
        channels=channels,
        remedies=remedies,
        remedy_cost=sum((amount for _, _, amount in remedies), Decimal("0")),
    )


def _remedies(f: QualityFilter) -> list[tuple[str, int, Decimal]]:
    """Remedies of the period's complaints that were not turned down: how many of each kind, and the
    money approved or paid."""
    paid = case((Remedy.status.in_([RemedyStatus.APPROVED, RemedyStatus.DONE]), Remedy.amount), else_=None)
    rows = db.session.execute(
        select(Remedy.kind, func.count(Remedy.id), func.coalesce(func.sum(paid), 0))
        .join(Complaint, Complaint.id == Remedy.complaint_id)
        .where(*complaint_scope(f), Remedy.status != RemedyStatus.REJECTED)
        .group_by(Remedy.kind)
        .order_by(func.count(Remedy.id).desc(), Remedy.kind)
    )
    return [(str(kind), count, Decimal(str(amount))) for kind, count, amount in rows]


def figures(f: QualityFilter, now: datetime | None = None) -> Figures:
    jobs = job_count(f)
    return Figures(jobs, satisfaction(f, jobs), complaints(f, jobs, now))


def by_service(f: QualityFilter) -> list[tuple[int, int, int, int]]:
    """Per service type: (service type id, jobs, ratings, satisfied ratings), most jobs first."""
    satisfied = func.count(case((Rating.overall >= rules.SATISFIED_FROM, 1)))
    rows = db.session.execute(
        select(Job.service_type_id, func.count(Job.id), func.count(Rating.id), satisfied)
        .outerjoin(Rating, Rating.job_id == Job.id)
        .where(*jobs_done(f))
        .group_by(Job.service_type_id)
        .order_by(func.count(Job.id).desc(), Job.service_type_id)
    )
    return [tuple(row) for row in rows]
