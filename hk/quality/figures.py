"""The quality figures of one period: counted in SQL, given meaning by hk.domain.quality.

Jobs are counted by their booked start (a job belongs to the period it was done in), ratings and
records with their job, complaints by when they were received. The jobs and their ratings are
counted in one pass (tally.py); complaint clocks depend on pauses and are read with
hk.domain.complaints (cases.py), as the case screens read them: a company's complaints in a period
are tens or hundreds, its jobs may be tens of thousands, and those are only ever counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hk.domain import quality as rules
from hk.domain.complaints import FIRST_RESPONSE as RESPONSE_DUE
from hk.domain.complaints import FIRST_RESPONSE_LIMIT as RESPONSE_LIMIT
from hk.domain.complaints import (
    ClockState,
)
from hk.domain.quality import Satisfaction, Timeliness, median_hours, per_hundred, share
from hk.quality.cases import Case, cases_of, remedies_of
from hk.quality.counted import Counted, count
from hk.quality.filters import QualityFilter
from hk.quality.tally import ASPECTS, Counts


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


def satisfaction(counts: Counts) -> SatisfactionFigures:
    """Ratings of the period's jobs: satisfied share, rated share, means per aspect, promoter score."""
    return SatisfactionFigures(
        Satisfaction(rated=counts.rated, satisfied=counts.satisfied, records=counts.jobs),
        {aspect: counts.mean(aspect) for aspect in ASPECTS},
        rules.promoter_score(counts.promoters, counts.detractors, counts.answers),
        counts.answers,
    )


def complaints(
    f: QualityFilter,
    jobs: int,
    now: datetime | None = None,
    cases: list[Case] | None = None,
    remedies: list[tuple[str, int, Decimal]] | None = None,
) -> ComplaintFigures:
    """The period's complaints: how many per 100 jobs, how fast answered and resolved, of what kind
    (`cases` are the period's, `remedies` remedies_of's, when the caller has read them already)."""
    cases = cases_of(f, now=now) if cases is None else cases
    responses = [c.response for c in cases]
    answered_24 = sum(1 for r in responses if r is not None and r <= RESPONSE_DUE)
    answered_48 = sum(1 for r in responses if r is not None and r <= RESPONSE_LIMIT)
    resolved = [c for c in cases if c.took is not None]
    resolved_in_time = sum(1 for c in resolved if c.clock == ClockState.MET)
    by_channel: dict[str, list] = {}
    for case_ in cases:
        in_time = None if case_.took is None else case_.clock == ClockState.MET
        by_channel.setdefault(case_.channel, []).append((case_.took, in_time))
    channels = [
        ChannelRow(
            channel,
            len(rows),
            share(sum(1 for _, ok in rows if ok), sum(1 for _, ok in rows if ok is not None)),
            median_hours(took for took, _ in rows),
        )
        for channel, rows in sorted(by_channel.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    remedies = remedies_of(f) if remedies is None else remedies
    return ComplaintFigures(
        cases=len(cases),
        per_hundred_jobs=per_hundred(len(cases), jobs),
        timeliness=Timeliness(len(cases), answered_24, answered_48, len(resolved), resolved_in_time),
        median_response_hours=median_hours(responses),
        median_resolution_hours=median_hours(c.took for c in resolved),
        by_category=Counter(c.category for c in cases).most_common(),
        channels=channels,
        remedies=remedies,
        remedy_cost=sum((amount for _, _, amount in remedies), Decimal("0")),
    )


def figures(f: QualityFilter, now: datetime | None = None, counted: Counted | None = None) -> Figures:
    """The period's figures (`counted` covers it when the caller has counted already)."""
    counted = counted or count(f, now=now)
    counts = counted.jobs.total(*f.bounds())
    cases = counted.cases_in(*f.bounds())
    remedies = counted.remedies.get(f.bounds())
    return Figures(counts.jobs, satisfaction(counts), complaints(f, counts.jobs, now, cases, remedies))


def by_service(f: QualityFilter, counted: Counted | None = None) -> list[tuple[int, int, int, int]]:
    """Per service type: (service type id, jobs, ratings, satisfied ratings), most jobs first."""
    services = (counted or count(f)).jobs.by_service(*f.bounds())
    rows = [(service, c.jobs, c.rated, c.satisfied) for service, c in services.items()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))
