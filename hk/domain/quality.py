"""What each quality figure means (DOMAIN.md §4, §9): plain definitions on plain numbers.

The dashboard counts in SQL and hands the counts here, so a figure means the same on every screen,
export and report. An empty period gives None ("no ratings yet"), never 0 % or a division by zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from hk.domain.feedback import SATISFIED_FROM  # noqa: F401  (a rated record scored 4 or 5 is satisfied)

SATISFACTION_TARGET = 0.90  # the seeds' target; configurable per company (HK_SATISFACTION_TARGET)
RESPONSE_TARGET = 0.90  # complaints answered within 24 h, and resolved within 72 h: the share aimed at
ON_TIME_GRACE_MINUTES = 15  # a check-in up to 15 minutes after the booked start is on time
LOST_AFTER_DAYS = 90  # a customer with no job for 90 days after a complaint counts as lost
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6  # "how likely are you to recommend us", 0–10


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as "no data yet")."""
    return part / whole if whole else None


def per_hundred(count: int, jobs: int) -> float | None:
    """A count per 100 jobs done (complaints, incidents), or None without jobs."""
    return 100 * count / jobs if jobs else None


@dataclass(frozen=True)
class Satisfaction:
    rated: int
    satisfied: int
    records: int  # records that could have been rated in the period

    @property
    def satisfied_share(self) -> float | None:
        """Share of rated records scored 4–5: the figure with the 90 % target."""
        return share(self.satisfied, self.rated)

    @property
    def rated_share(self) -> float | None:
        """Share of the period's records that were rated at all."""
        return share(self.rated, self.records)

    def meets(self, target: float = SATISFACTION_TARGET) -> bool | None:
        value = self.satisfied_share
        return None if value is None else value >= target


def net_promoter_score(scores: Iterable[int]) -> float | None:
    """Promoters (9–10) minus detractors (0–6), as points from -100 to 100; None without answers."""
    answers = [s for s in scores if s is not None]
    promoters = sum(1 for s in answers if s >= PROMOTER_FROM)
    detractors = sum(1 for s in answers if s <= DETRACTOR_UP_TO)
    return promoter_score(promoters, detractors, len(answers))


def promoter_score(promoters: int, detractors: int, answers: int) -> float | None:
    """The net promoter score from counts (as SQL gives them); None without answers."""
    return 100 * (promoters - detractors) / answers if answers else None


def median_hours(durations: Iterable[timedelta | None]) -> float | None:
    """The median of the durations given (unfinished ones left out), in hours; None when none."""
    hours = [d.total_seconds() / 3600 for d in durations if d is not None]
    return median(hours) if hours else None


@dataclass(frozen=True)
class Timeliness:
    """How the period's complaints were answered and resolved against their clocks."""

    cases: int
    answered_within_24h: int
    answered_within_48h: int
    resolved: int  # cases resolved at all (open ones are not yet late or on time)
    resolved_within_72h: int

    @property
    def response_24h_share(self) -> float | None:
        return share(self.answered_within_24h, self.cases)

    @property
    def response_48h_share(self) -> float | None:
        return share(self.answered_within_48h, self.cases)

    @property
    def resolution_72h_share(self) -> float | None:
        """Of the cases resolved, the share resolved in time (paused time not counted)."""
        return share(self.resolved_within_72h, self.resolved)


def retention(previous_customers: set[int], this_period_customers: set[int]) -> float | None:
    """Of the customers served in the previous period, the share served again in this one."""
    return share(len(previous_customers & this_period_customers), len(previous_customers))
