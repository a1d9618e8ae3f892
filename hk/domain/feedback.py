"""The customer's word after the job: ratings, and the follow-up visits or calls (回访) every quarter.

A rating is given on the customer's own phone through their record link: overall 1–5, four aspects
1–5, how likely they are to recommend the company 0–10, and a comment. A low rating opens a
complaint by itself, so no unhappy customer falls through. Every customer served in the last
12 months is followed up at least once per calendar quarter, and every resolved complaint within a
week (seed 000 §6, seed 002; DOMAIN.md §6–7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from hk.domain.complaints import Category
from hk.domain.workflow import Refusal


class Aspect(StrEnum):
    QUALITY = "quality"  # cleaning quality
    PUNCTUALITY = "punctuality"
    ATTITUDE = "attitude"
    PRICE = "price"  # price transparency


RATING_EDITABLE_FOR = timedelta(days=3)
LOW = 2  # a score at or below this is unhappy
SATISFIED_FROM = 4  # overall 4 or 5 counts as satisfied in the figures (target: 90 %)


def check_rating(
    overall: int | None, aspects: dict[Aspect, int | None], recommend: int | None
) -> list[Refusal]:
    """Scores in range: overall and aspects 1–5 (overall required, aspects optional), recommend 0–10."""
    refusals = []
    if overall is None or not 1 <= overall <= 5:
        refusals.append(Refusal("rating_out_of_range"))
    if any(score is not None and not 1 <= score <= 5 for score in aspects.values()):
        refusals.append(Refusal("rating_out_of_range"))
    if recommend is not None and not 0 <= recommend <= 10:
        refusals.append(Refusal("rating_out_of_range"))
    return refusals[:1]


def opens_complaint(overall: int, aspects: dict[Aspect, int | None], comment: str) -> bool:
    """Overall 2 or less, or any aspect 2 or less with a comment, opens a complaint (channel "survey")."""
    if overall <= LOW:
        return True
    return bool(comment.strip()) and any(score is not None and score <= LOW for score in aspects.values())


def rating_locked(rated_at: datetime, now: datetime) -> bool:
    """A rating may be changed for a few days after it was first given, then it is kept as it is."""
    return now > rated_at + RATING_EDITABLE_FOR


def check_rating_change(rated_at: datetime, now: datetime) -> list[Refusal]:
    """A given rating may be changed only while it is not locked."""
    if rating_locked(rated_at, now):
        return [Refusal("rating_locked", {"days": RATING_EDITABLE_FOR.days})]
    return []


def check_rater(staff_browser: bool) -> list[Refusal]:
    """Ratings and problem reports come from the customer's own phone, never from a phone of the
    company's (a browser where staff are, or were, logged in): a rating given under the worker's
    eyes, or by the worker, would say nothing about the service."""
    return [Refusal("own_phone_only")] if staff_browser else []


# The complaint a low rating opens is about its lowest aspect.
ASPECT_CATEGORY = {
    Aspect.QUALITY: Category.CLEANING_QUALITY,
    Aspect.PUNCTUALITY: Category.LATENESS,
    Aspect.ATTITUDE: Category.ATTITUDE,
    Aspect.PRICE: Category.PRICE,
}


def complaint_category(aspects: dict[Aspect, int | None]) -> Category:
    """The category of the case a low rating opens: its lowest aspect below "good" (ties in the order
    of Aspect); "other" when the customer gave only the overall score, or rated every aspect well,
    so that a guess does not skew the figures by category and staff read the comment instead."""
    scored = [(score, n, aspect) for n, (aspect, score) in enumerate(aspects.items()) if score is not None]
    if not scored:
        return Category.OTHER
    score, _n, aspect = min(scored)
    return ASPECT_CATEGORY[aspect] if score < SATISFIED_FROM else Category.OTHER


# --- follow-ups -------------------------------------------------------------------------------


class FollowUpChannel(StrEnum):
    CALL = "call"
    VISIT = "visit"
    MESSAGE = "message"


ACTIVE_FOR = timedelta(days=365)  # a customer served within this is "active" and followed up


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first day of the quarter and the first day of the next one."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


class FollowUpState(StrEnum):
    NOT_ACTIVE = "not_active"  # not served in the last 12 months
    DONE = "done"  # followed up this quarter
    DUE = "due"  # not yet this quarter
    OVERDUE = "overdue"  # not this quarter and not last quarter either, while active then


@dataclass(frozen=True)
class FollowUpFacts:
    last_served: date | None
    first_served: date | None
    last_follow_up: date | None


def follow_up_state(facts: FollowUpFacts, today: date) -> FollowUpState:
    """Whether a customer needs their quarterly follow-up."""
    if facts.last_served is None or today - facts.last_served > ACTIVE_FOR:
        return FollowUpState.NOT_ACTIVE
    start, _end = quarter_bounds(*quarter_of(today))
    if facts.last_follow_up is not None and facts.last_follow_up >= start:
        return FollowUpState.DONE
    prev_start, _ = quarter_bounds(*previous_quarter(*quarter_of(today)))
    was_customer_then = facts.first_served is not None and facts.first_served < start
    followed_last_quarter = facts.last_follow_up is not None and facts.last_follow_up >= prev_start
    if was_customer_then and not followed_last_quarter:
        return FollowUpState.OVERDUE
    return FollowUpState.DUE


def case_follow_up_due(resolved_at: datetime) -> datetime:
    """A resolved complaint is followed up within a week, to hear that the customer is satisfied."""
    return resolved_at + timedelta(days=7)
