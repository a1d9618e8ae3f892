"""Complaints (投诉): the case workflow, its two clocks, and the rules for remedies.

The company answers a complaint within 24 hours of receiving it (48 hours at the very most) and
resolves it within 72 hours (seed 002; DOMAIN.md §4). Both clocks run from the time the complaint
was *received*, which staff may enter for a phone call or a walk-in, never in the future. A case
waiting on the customer may pause the resolution clock; the first-response clock never pauses.

Plain data in, decisions out: the service layer builds `CaseFacts`, asks, and applies the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from hk.domain.workflow import Refusal, WorkflowError

FIRST_RESPONSE = timedelta(hours=24)
FIRST_RESPONSE_LIMIT = timedelta(hours=48)
RESOLUTION = timedelta(hours=72)
WARN_BEFORE = timedelta(hours=4)  # "due soon": amber on the lists, and the owner is told
AUTO_CLOSE_AFTER = timedelta(days=7)  # a resolved case the customer does not confirm closes itself


class CaseStatus(StrEnum):
    NEW = "new"
    RESPONDED = "responded"
    INVESTIGATING = "investigating"
    REMEDY = "remedy"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.RESPONDED, CaseStatus.INVESTIGATING, CaseStatus.REMEDY})


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SOCIAL = "social"  # WeChat and other social media
    WALK_IN = "walk_in"
    ONLINE = "online"  # the customer's record link
    SURVEY = "survey"  # opened by a low rating
    FOLLOW_UP = "follow_up"  # raised during a follow-up call or visit


# Channels a member of staff enters by hand, with the time the complaint was received.
STAFF_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.SOCIAL, Channel.WALK_IN, Channel.FOLLOW_UP)


class Category(StrEnum):
    CLEANING_QUALITY = "cleaning_quality"
    DAMAGE_OR_LOSS = "damage_or_loss"
    LATENESS = "lateness"  # late or no-show
    ATTITUDE = "attitude"
    PRICE = "price"  # price or billing
    SAFETY = "safety"
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CaseAction(StrEnum):
    RESPOND = "respond"  # the first answer to the customer: stops the first-response clock
    INVESTIGATE = "investigate"
    PROPOSE_REMEDY = "propose_remedy"
    RESOLVE = "resolve"
    CLOSE = "close"  # the customer confirms, or AUTO_CLOSE_AFTER passes
    REOPEN = "reopen"
    PAUSE = "pause"  # the resolution clock waits on the customer
    RESUME = "resume"


# action → (statuses it may start from, status it leads to); pause and resume keep the status.
TRANSITIONS: dict[CaseAction, tuple[frozenset[CaseStatus], CaseStatus | None]] = {
    CaseAction.RESPOND: (frozenset({CaseStatus.NEW}), CaseStatus.RESPONDED),
    CaseAction.INVESTIGATE: (frozenset({CaseStatus.RESPONDED}), CaseStatus.INVESTIGATING),
    CaseAction.PROPOSE_REMEDY: (
        frozenset({CaseStatus.RESPONDED, CaseStatus.INVESTIGATING}),
        CaseStatus.REMEDY,
    ),
    CaseAction.RESOLVE: (
        frozenset({CaseStatus.RESPONDED, CaseStatus.INVESTIGATING, CaseStatus.REMEDY}),
        CaseStatus.RESOLVED,
    ),
    CaseAction.CLOSE: (frozenset({CaseStatus.RESOLVED}), CaseStatus.CLOSED),
    CaseAction.REOPEN: (frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED}), CaseStatus.INVESTIGATING),
    CaseAction.PAUSE: (OPEN_STATUSES, None),
    CaseAction.RESUME: (OPEN_STATUSES, None),
}


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None  # None while the clock is still paused
    reason: str = ""


@dataclass
class CaseFacts:
    """What the rules need to know about one case (all datetimes aware, UTC)."""

    status: CaseStatus
    received_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    reopened_at: datetime | None = None  # the last reopening restarts the resolution clock
    pauses: list[Pause] = field(default_factory=list)
    root_cause: str = ""

    @property
    def paused(self) -> bool:
        return any(p.end is None for p in self.pauses)


# --- what the customer may do on their link ---------------------------------------------------

MAX_CUSTOMER_PHOTOS = 3  # photos with one problem report
CUSTOMER_CATEGORIES = (
    Category.CLEANING_QUALITY,
    Category.DAMAGE_OR_LOSS,
    Category.LATENESS,
    Category.ATTITUDE,
    Category.PRICE,
    Category.SAFETY,
    Category.OTHER,
)


def check_customer_report(category: str | None, description: str, photos: int) -> list[Refusal]:
    """A problem the customer reports: a category of the list, what happened, a few photos at most."""
    refusals = []
    if category not in {c.value for c in CUSTOMER_CATEGORIES}:
        refusals.append(Refusal("unknown_category"))
    if not description.strip():
        refusals.append(Refusal("problem_needs_description"))
    if photos > MAX_CUSTOMER_PHOTOS:
        refusals.append(Refusal("too_many_photos", {"max": MAX_CUSTOMER_PHOTOS}))
    return refusals


def check_customer_message(status: CaseStatus, body: str) -> list[Refusal]:
    """A message from the customer on their case: not empty, and not on a closed case (they reopen it)."""
    if status == CaseStatus.CLOSED:
        return [Refusal("case_closed")]
    if not body.strip():
        return [Refusal("message_empty")]
    return []


def allowed_actions(facts: CaseFacts) -> list[CaseAction]:
    """The actions a supervisor may take on the case now, in the order a page offers them."""
    return [action for action in CaseAction if not refusals_for(facts, action)]


def refusals_for(facts: CaseFacts, action: CaseAction) -> list[Refusal]:
    """Why the action may not be taken now (empty when it may)."""
    sources, _target = TRANSITIONS[action]
    if facts.status not in sources:
        return [Refusal("case_wrong_status", {"status": facts.status.value})]
    if action == CaseAction.PAUSE and facts.paused:
        return [Refusal("case_already_paused")]
    if action == CaseAction.RESUME and not facts.paused:
        return [Refusal("case_not_paused")]
    if action == CaseAction.RESOLVE and not facts.root_cause.strip():
        return [Refusal("case_needs_root_cause")]
    return []


def decide(facts: CaseFacts, action: CaseAction) -> CaseStatus:
    """The case's status after the action; WorkflowError when it may not be taken now."""
    refusals = refusals_for(facts, action)
    if refusals:
        raise WorkflowError(refusals)
    target = TRANSITIONS[action][1]
    return target if target is not None else facts.status


def check_received_at(received_at: datetime, now: datetime) -> list[Refusal]:
    """A complaint entered by staff: received at some time in the past, never in the future.

    A minute of slack allows for a phone whose clock runs a little ahead.
    """
    if received_at > now + timedelta(minutes=1):
        return [Refusal("received_in_future")]
    if received_at < now - timedelta(days=365):
        return [Refusal("received_too_long_ago")]
    return []


# --- the two clocks ---------------------------------------------------------------------------


class ClockState(StrEnum):
    RUNNING = "running"
    DUE_SOON = "due_soon"  # less than WARN_BEFORE left
    OVERDUE = "overdue"  # past due and not done
    BREACHED = "breached"  # past the hard limit (first response: 48 h) and not done
    PAUSED = "paused"
    MET = "met"  # done in time
    LATE = "late"  # done, but after it was due


@dataclass(frozen=True)
class ClockReading:
    state: ClockState
    due: datetime | None  # None while paused
    left: timedelta | None = None  # time left (negative when overdue); None when done or paused

    @property
    def warning(self) -> bool:
        """Amber or red on a list."""
        return self.state in (ClockState.DUE_SOON, ClockState.OVERDUE, ClockState.BREACHED)


def first_response_due(facts: CaseFacts) -> datetime:
    return facts.received_at + FIRST_RESPONSE


def first_response_clock(facts: CaseFacts, now: datetime) -> ClockReading:
    """24 hours from receipt to the first answer; past 48 hours it is a breach. Never paused."""
    due = first_response_due(facts)
    if facts.first_response_at is not None:
        return ClockReading(ClockState.MET if facts.first_response_at <= due else ClockState.LATE, due)
    left = due - now
    if now > facts.received_at + FIRST_RESPONSE_LIMIT:
        return ClockReading(ClockState.BREACHED, due, left)
    if left < timedelta(0):
        return ClockReading(ClockState.OVERDUE, due, left)
    if left <= WARN_BEFORE:
        return ClockReading(ClockState.DUE_SOON, due, left)
    return ClockReading(ClockState.RUNNING, due, left)


def paused_time(facts: CaseFacts, since: datetime, until: datetime) -> timedelta:
    """How long the resolution clock was paused between two instants."""
    total = timedelta(0)
    for pause in facts.pauses:
        start = max(pause.start, since)
        end = min(pause.end or until, until)
        if end > start:
            total += end - start
    return total


def resolution_due(facts: CaseFacts, now: datetime) -> datetime | None:
    """72 hours from receipt (or from the last reopening), moved on by the time spent paused."""
    start = facts.reopened_at or facts.received_at
    if facts.paused:
        return None
    until = facts.resolved_at if facts.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else now
    until = max(until or now, start)
    return start + RESOLUTION + paused_time(facts, start, until)


def resolution_clock(facts: CaseFacts, now: datetime) -> ClockReading:
    """72 hours from receipt to resolution, not counting time paused while waiting on the customer."""
    if facts.paused and facts.status in OPEN_STATUSES:
        return ClockReading(ClockState.PAUSED, None)
    due = resolution_due(facts, now)
    if facts.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and facts.resolved_at is not None:
        return ClockReading(ClockState.MET if facts.resolved_at <= due else ClockState.LATE, due)
    left = due - now
    if left < timedelta(0):
        return ClockReading(ClockState.BREACHED, due, left)
    if left <= WARN_BEFORE:
        return ClockReading(ClockState.DUE_SOON, due, left)
    return ClockReading(ClockState.RUNNING, due, left)


class Clock(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class WarningLevel(StrEnum):
    AMBER = "amber"  # a clock is due within WARN_BEFORE
    RED = "red"  # a clock is overdue (or breached)


def warning_level(*readings: ClockReading) -> WarningLevel | None:
    """How a case is flagged on the lists: red when any clock is overdue, amber when one is due soon."""
    if any(r.state in (ClockState.OVERDUE, ClockState.BREACHED) for r in readings):
        return WarningLevel.RED
    if any(r.state == ClockState.DUE_SOON for r in readings):
        return WarningLevel.AMBER
    return None


def should_auto_close(facts: CaseFacts, now: datetime) -> bool:
    """A resolved case the customer has not confirmed closes by itself after AUTO_CLOSE_AFTER."""
    return (
        facts.status == CaseStatus.RESOLVED
        and facts.resolved_at is not None
        and now >= facts.resolved_at + AUTO_CLOSE_AFTER
    )


# --- remedies ---------------------------------------------------------------------------------


class RemedyKind(StrEnum):
    RECLEAN = "reclean"  # a new job, free of charge
    REFUND = "refund"
    COMPENSATION = "compensation"
    APOLOGY = "apology"  # an apology or explanation


MONEY_REMEDIES = frozenset({RemedyKind.REFUND, RemedyKind.COMPENSATION})


class RemedyStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # a sum above the company's threshold: an admin decides
    APPROVED = "approved"
    DONE = "done"
    REJECTED = "rejected"


def check_remedy(
    kind: RemedyKind, amount: Decimal | None, job_total: Decimal | None, refunded: Decimal
) -> list[Refusal]:
    """A money remedy needs a positive sum; refunds together never exceed what the job cost."""
    if kind not in MONEY_REMEDIES:
        return []
    if amount is None or amount <= 0:
        return [Refusal("remedy_needs_amount")]
    if kind == RemedyKind.REFUND:
        if job_total is None:
            return [Refusal("refund_needs_job")]
        if refunded + amount > job_total:
            return [Refusal("refund_above_total", {"total": job_total, "left": max(job_total - refunded, 0)})]
    return []


def first_status(
    kind: RemedyKind, amount: Decimal | None, threshold: Decimal, by_admin: bool
) -> RemedyStatus:
    """A refund or compensation above the threshold waits for an admin, unless an admin proposes it."""
    if kind in MONEY_REMEDIES and amount is not None and amount > threshold and not by_admin:
        return RemedyStatus.AWAITING_APPROVAL
    return RemedyStatus.APPROVED
