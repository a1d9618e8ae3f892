"""The jobs done, their ratings and their records, counted in one pass for a whole page.

`tally` groups the jobs done between the first and the last cut of some Stretches (a period, the
period before it, the weeks of the trend) by stretch, worker and service type inside the database,
and sums those groups there again by stretch, and by worker and by service type over the period. It
reads the jobs' facts (hk/models/quality.py: one narrow row a completed job, its rating and its
records' counts in it), so no join is made. A period's or a week's totals are sums of its
stretches'; sums of counts are exact, so they are the numbers counting each on its own would give,
and a mean is the sum of the scores over how many were given, as AVG is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, select, union_all

from hk.domain import quality as rules
from hk.quality.filters import QualityFilter
from hk.quality.sql import Stretches, facts, facts_done, rows

ASPECTS = ("overall", "quality", "punctuality", "attitude", "price")
COUNTED = ("jobs", "checked_in", "on_time", "rated", "satisfied", "answers", "promoters", "detractors")


@dataclass
class Counts:
    jobs: int = 0
    checked_in: int = 0
    on_time: int = 0  # checked in no later than the grace minutes after the booked start
    rated: int = 0
    satisfied: int = 0  # rated 4 or 5 overall
    answers: int = 0  # "would you recommend us" answered
    promoters: int = 0
    detractors: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ASPECTS, 0))  # of each aspect's scores
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ASPECTS, 0))  # scores given

    @classmethod
    def summed(cls, groups: Iterable[tuple]) -> Counts:
        """The counts of several groups' numbers (COUNTED, then ASPECTS' sums, then how many scored)."""
        totals = [sum(column) for column in zip(*groups, strict=True)] or [0] * (
            len(COUNTED) + 2 * len(ASPECTS)
        )
        n, a = len(COUNTED), len(ASPECTS)
        return cls(
            *totals[:n],
            sums=dict(zip(ASPECTS, totals[n : n + a], strict=True)),
            scored=dict(zip(ASPECTS, totals[n + a :], strict=True)),
        )

    def mean(self, aspect: str) -> float | None:
        """The mean score (1–5) given for an aspect, or None when nobody scored it."""
        return self.sums[aspect] / self.scored[aspect] if self.scored[aspect] else None


@dataclass(frozen=True)
class RecordCounts:
    records: int = 0  # current records (a corrected record's earlier versions are superseded)
    approved: int = 0  # current and approved
    sent_back: int = 0  # versions sent back by review (a corrected one may be approved since)
    flagged: int = 0  # current with a flag: incident, refused signature, missing photos
    with_photos: int = 0  # current and not flagged for missing photos

    @classmethod
    def summed(cls, groups) -> RecordCounts:
        return cls(*(sum(column) for column in zip(*groups, strict=True)))


@dataclass(frozen=True)
class Tally:
    """Numbers of each stretch, and of each worker and service type over one period of them; for a
    span counted only as a whole (the period before: its totals alone are shown), that span's numbers.
    `summed` adds numbers up into Counts (or RecordCounts)."""

    stretches: Stretches
    period: tuple[datetime, datetime]
    by_stretch: dict[int, tuple]
    workers: dict[int | None, tuple]
    services: dict[int | None, tuple]
    summed: Callable[[Iterable[tuple]], Any] = Counts.summed
    whole: dict[tuple[datetime, datetime], tuple] = field(default_factory=dict)

    def total(self, start: datetime, end: datetime):
        if (start, end) in self.whole:
            return self.summed([self.whole[(start, end)]])
        within = self.stretches.within(start, end)
        return self.summed(numbers for stretch, numbers in self.by_stretch.items() if stretch in within)

    def by_worker(self, start: datetime, end: datetime) -> dict:
        return self._each(self.workers, start, end)

    def by_service(self, start: datetime, end: datetime) -> dict:
        return self._each(self.services, start, end)

    def by_week(self, starts: list[datetime], end: datetime) -> list:
        """Each week's counts (the weeks begin at `starts`, the last ends at `end`)."""
        weeks: list[list[tuple]] = [[] for _ in starts]
        week_of = self.stretches.weeks(starts, end)
        for stretch, numbers in self.by_stretch.items():
            if stretch in week_of:
                weeks[week_of[stretch]].append(numbers)
        return [self.summed(week) for week in weeks]

    def _each(self, numbers: dict, start: datetime, end: datetime) -> dict:
        if (start, end) != self.period:
            raise ValueError("each worker's and service type's numbers are counted over one period")
        return {key: self.summed([counts]) for key, counts in numbers.items()}


def _job_numbers(table) -> list:
    """What is counted of the jobs done: check-ins, on-time starts, their ratings' scores."""
    aspects = [table.c[aspect] for aspect in ASPECTS]
    return [
        func.count(),
        func.coalesce(func.sum(table.c.checked_in), 0),
        func.coalesce(func.sum(table.c.on_time), 0),
        func.count(table.c.overall),  # given with every rating
        func.count(case((table.c.overall >= rules.SATISFIED_FROM, 1))),
        func.count(table.c.recommend),
        func.count(case((table.c.recommend >= rules.PROMOTER_FROM, 1))),
        func.count(case((table.c.recommend <= rules.DETRACTOR_UP_TO, 1))),
        *[func.coalesce(func.sum(column), 0) for column in aspects],
        *[func.count(column) for column in aspects],
    ]


RECORDED = ("records", "approved", "sent_back", "flagged", "with_photos")


def _record_numbers(table) -> list:
    """What is counted of the jobs' records (RecordCounts)."""
    return [func.coalesce(func.sum(table.c[name]), 0) for name in RECORDED]


def tally(f: QualityFilter, stretches: Stretches | None = None) -> tuple[Tally, Tally]:
    """The filter's jobs done between the first and last cut (by default its period) with their
    ratings, and their records' RecordCounts: by stretch, and by worker and service type over the
    period, in one pass (a hundred rows reach Python, not thousands). A span summed as a whole is
    added by the caller: `tally_whole`."""
    stretches = stretches or Stretches(*f.bounds())
    period = f.bounds()
    table = facts()
    numbers = _job_numbers(table) + _record_numbers(table)
    stretch = stretches.index(table.c.scheduled_start)
    keys = [table.c.worker_id, table.c.service_type_id]
    inner = (
        select(stretch.label("stretch"), *keys, *[n.label(f"n{i}") for i, n in enumerate(numbers)])
        .where(*facts_done(table, f, stretches.bounds))
        .group_by(stretch, *keys)
        .cte("tallied")
    )
    sums = [func.sum(inner.c[f"n{i}"]) for i in range(len(numbers))]
    in_period = inner.c.stretch.in_(list(stretches.within(*period)))
    parts = [
        select(literal(0), inner.c.stretch, *sums).group_by(inner.c.stretch),
        select(literal(1), inner.c.worker_id, *sums).where(in_period).group_by(inner.c.worker_id),
        select(literal(2), inner.c.service_type_id, *sums).where(in_period).group_by(inner.c.service_type_id),
    ]
    cut = len(numbers) - len(RECORDED)
    jobs: tuple[dict, dict, dict] = ({}, {}, {})
    records: tuple[dict, dict, dict] = ({}, {}, {})
    for kind, key, *counts in rows(union_all(*parts)):
        counts = [int(n) for n in counts]  # PostgreSQL sums bigints as numeric
        jobs[kind][key], records[kind][key] = tuple(counts[:cut]), tuple(counts[cut:])
    return (
        Tally(stretches, period, *jobs, summed=Counts.summed),
        Tally(stretches, period, records[0], records[1], {}, summed=RecordCounts.summed),
    )


def tally_whole(f: QualityFilter, span: tuple[datetime, datetime]) -> tuple[tuple, tuple]:
    """The numbers of the filter's jobs done in a span with their ratings, and of their records, each
    summed over the whole span (the period before: its totals alone are shown), for Tally.whole."""
    table = facts()
    jobs, records = _job_numbers(table), _record_numbers(table)
    found = rows(select(*jobs, *records).where(*facts_done(table, f, span)))[0]
    found = tuple(int(n) for n in found)
    return found[: len(jobs)], found[len(jobs) :]
