"""The job workflow: states, transitions and the guards that keep a job's stages in order.

Everything here works on plain data (a JobFacts snapshot), so each rule is testable without a
request or a database. The service layer builds the facts, asks `decide`, and applies the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hk.domain.catalogue import StageKind


class Status(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"  # arrived; pre-service communication under way
    SAFETY = "safety"  # pre-service confirmed; safety check under way
    CLEANING = "cleaning"  # safety passed; cleaning stages under way
    HANDOVER = "handover"  # every cleaning stage complete; handover under way
    AWAITING_SIGNATURE = "awaiting_signature"
    COMPLETED = "completed"
    PAUSED = "paused"  # a severe incident; a supervisor resumes it
    BLOCKED = "blocked"  # a "not safe" answer; a supervisor clears it
    CANCELLED = "cancelled"


ACTIVE = frozenset({Status.CHECKED_IN, Status.SAFETY, Status.CLEANING, Status.HANDOVER})
FINAL = frozenset({Status.COMPLETED, Status.CANCELLED})

# The stage kind a worker may work on in each status.
OPEN_KIND = {
    Status.CHECKED_IN: StageKind.PRE_SERVICE,
    Status.SAFETY: StageKind.SAFETY,
    Status.CLEANING: StageKind.CLEANING,
    Status.HANDOVER: StageKind.POST_SERVICE,
}


class Action(StrEnum):
    CHECK_IN = "check_in"
    COMPLETE_STAGE = "complete_stage"
    BLOCK = "block"
    PAUSE = "pause"
    RESUME = "resume"
    UNBLOCK = "unblock"
    SIGN = "sign"
    CANCEL = "cancel"


class Answer(StrEnum):
    DONE = "done"
    SAFE = "safe"
    NOT_SAFE = "not_safe"
    NOT_APPLICABLE = "not_applicable"  # a safety item that does not apply here, where the template allows it


class PhotoKind(StrEnum):
    BEFORE = "before"
    AFTER = "after"
    HANDOVER = "handover"
    INCIDENT = "incident"


STAGE_PHOTO_KIND = {
    StageKind.PRE_SERVICE: PhotoKind.BEFORE,
    StageKind.SAFETY: PhotoKind.BEFORE,
    StageKind.CLEANING: PhotoKind.AFTER,
    StageKind.POST_SERVICE: PhotoKind.HANDOVER,
}


class RefusalCode(StrEnum):
    """Every reason the rules give for refusing something; hk/refusals.py has a sentence for each."""

    ALREADY_STARTED = "already_started"
    END_BEFORE_START = "end_before_start"
    ITEM_MISSING = "item_missing"
    JOB_BLOCKED = "job_blocked"
    JOB_PAUSED = "job_paused"
    LAST_ADMIN = "last_admin"
    NOT_ADMIN = "not_admin"
    NOT_QUALIFIED = "not_qualified"
    NOT_SAFE = "not_safe"
    OPEN_JOBS = "open_jobs"
    OVERLAP = "overlap"
    PASSWORD_TOO_LONG = "password_too_long"  # noqa: S105 (a refusal code, not a password)
    PASSWORD_TOO_SHORT = "password_too_short"  # noqa: S105
    PHOTO_MISSING = "photo_missing"
    QUOTE_CONFIRMED = "quote_confirmed"
    QUOTE_NOT_CONFIRMED = "quote_not_confirmed"
    SAFETY_NEEDS_ANSWER = "safety_needs_answer"
    STAGE_COMPLETED = "stage_completed"
    STAGE_LOCKED = "stage_locked"
    TOOLS_NOT_REMOVED = "tools_not_removed"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_ANSWER = "unknown_answer"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_STAGE = "unknown_stage"
    WINDOW_MISSING = "window_missing"
    WINDOW_TOO_LONG = "window_too_long"
    WORKER_UNAVAILABLE = "worker_unavailable"
    WRONG_STATUS = "wrong_status"
    # after-sales (hk/domain/complaints.py, hk/domain/feedback.py)
    CASE_ALREADY_PAUSED = "case_already_paused"
    CASE_CLOSED = "case_closed"
    CASE_NEEDS_ROOT_CAUSE = "case_needs_root_cause"
    CASE_NEEDS_REASON = "case_needs_reason"
    CASE_NOT_PAUSED = "case_not_paused"
    CASE_WRONG_JOB = "case_wrong_job"
    CASE_WRONG_STATUS = "case_wrong_status"
    MESSAGE_EMPTY = "message_empty"
    OWN_PHONE_ONLY = "own_phone_only"
    OWNER_NOT_STAFF = "owner_not_staff"
    PROBLEM_NEEDS_DESCRIPTION = "problem_needs_description"
    RATING_LOCKED = "rating_locked"
    RATING_OUT_OF_RANGE = "rating_out_of_range"
    RECEIVED_IN_FUTURE = "received_in_future"
    RECEIVED_TOO_LONG_AGO = "received_too_long_ago"
    RECLEAN_NEEDS_JOB = "reclean_needs_job"
    REFUND_ABOVE_TOTAL = "refund_above_total"
    REFUND_NEEDS_JOB = "refund_needs_job"
    REMEDY_NEEDS_ADMIN = "remedy_needs_admin"
    REMEDY_NEEDS_AMOUNT = "remedy_needs_amount"
    TOO_MANY_PHOTOS = "too_many_photos"
    UNKNOWN_CATEGORY = "unknown_category"
    REMEDY_NEEDS_DESCRIPTION = "remedy_needs_description"
    REMEDY_WRONG_STATUS = "remedy_wrong_status"


@dataclass(frozen=True)
class Refusal:
    """Why something may not happen; `code` is turned into a sentence by the interface."""

    code: RefusalCode
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        # A code outside the closed set is a bug, refused here rather than shown as a wrong sentence.
        object.__setattr__(self, "code", RefusalCode(self.code))


class WorkflowError(Exception):
    """A refused action, carrying its reasons."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(", ".join(r.code for r in refusals))
        self.refusals = refusals


@dataclass
class JobFacts:
    """What the rules need to know about one job."""

    status: Status
    stages: list[dict]  # the template snapshot's stages
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    completed_stages: set[str] = field(default_factory=set)
    item_photos: Mapping[tuple[str, str], int] = field(default_factory=dict)
    qualification_problems: list = field(default_factory=list)
    quote_confirmed: bool = False
    tools_removed: bool = False
    paused_from: Status | None = None

    def stage(self, code: str) -> dict | None:
        return next((s for s in self.stages if s["code"] == code), None)

    def cleaning_stages(self) -> list[dict]:
        return [s for s in self.stages if s["kind"] == StageKind.CLEANING]


def _stage_refusal(facts: JobFacts, stage: dict | None) -> Refusal | None:
    """Whether a stage is open for work now: right status, earlier stages complete, not complete."""
    if stage is None:
        return Refusal("unknown_stage")
    code = stage["code"]
    if code in facts.completed_stages:
        return Refusal("stage_completed", {"stage": code})
    if facts.status == Status.PAUSED:
        return Refusal("job_paused")
    if facts.status == Status.BLOCKED:
        return Refusal("job_blocked")
    if OPEN_KIND.get(facts.status) != stage["kind"]:
        return Refusal("stage_locked", {"stage": code})
    if stage["kind"] == StageKind.CLEANING:
        for earlier in facts.cleaning_stages():
            if earlier["code"] == code:
                break
            if earlier["code"] not in facts.completed_stages:
                return Refusal("stage_locked", {"stage": code})
    return None


def open_stage(facts: JobFacts) -> dict | None:
    """The stage the worker works on now, or None when no stage is open."""
    for stage in facts.stages:
        if _stage_refusal(facts, stage) is None:
            return stage
    return None


def stage_is_open(facts: JobFacts, stage_code: str) -> bool:
    """True when items of this stage may be ticked, answered or undone."""
    return _stage_refusal(facts, facts.stage(stage_code)) is None


def require_open(facts: JobFacts, stage_code: str) -> dict:
    """The stage, when it is open for work now; otherwise WorkflowError saying why not."""
    stage = facts.stage(stage_code)
    refusal = _stage_refusal(facts, stage)
    if refusal:
        raise WorkflowError([refusal])
    return stage


def check_answer(facts: JobFacts, stage_code: str, item_code: str, answer: Answer | None) -> None:
    """Guard for ticking, answering or undoing one item; raises WorkflowError."""
    stage = require_open(facts, stage_code)
    item = next((i for i in stage["items"] if i["code"] == item_code), None)
    if item is None:
        raise WorkflowError([Refusal("unknown_item")])
    if stage["kind"] == StageKind.SAFETY:
        if answer == Answer.NOT_APPLICABLE and not allows_na(item):
            raise WorkflowError([Refusal("unknown_answer")])
        if answer not in (Answer.SAFE, Answer.NOT_SAFE, Answer.NOT_APPLICABLE, None):
            raise WorkflowError([Refusal("safety_needs_answer")])
    elif answer not in (Answer.DONE, None):
        raise WorkflowError([Refusal("unknown_answer")])
    # A photo-required item is ticked (or answered safe) only once its photo is there.
    photos = facts.item_photos.get((stage_code, item_code), 0) if item["photo_required"] else 1
    if answer in (Answer.DONE, Answer.SAFE) and photos < 1:
        raise WorkflowError([Refusal("photo_missing", {"item": item_code})])


def allows_na(item: dict) -> bool:
    """Whether an item may be answered "not applicable" (a template flag; older snapshots lack it)."""
    return bool(item.get("allows_na", False))


def missing_for_stage(facts: JobFacts, stage: dict) -> list[Refusal]:
    """What still stops a stage from completing: required items, required photos, extras."""
    missing: list[Refusal] = []
    code = stage["code"]
    for item in stage["items"]:
        answer = facts.answers.get((code, item["code"]))
        if stage["kind"] == StageKind.SAFETY:
            if answer == Answer.NOT_SAFE:
                missing.append(Refusal("not_safe", {"item": item["code"]}))
            elif item["required"] and answer not in (Answer.SAFE, Answer.NOT_APPLICABLE):
                missing.append(Refusal("item_missing", {"item": item["code"]}))
        elif item["required"] and answer != Answer.DONE:
            missing.append(Refusal("item_missing", {"item": item["code"]}))
        if answer == Answer.NOT_APPLICABLE:
            continue  # nothing to photograph where the item does not apply
        if item["photo_required"] and facts.item_photos.get((code, item["code"]), 0) < 1:
            missing.append(Refusal("photo_missing", {"item": item["code"]}))
    if stage["kind"] == StageKind.PRE_SERVICE and not facts.quote_confirmed:
        missing.append(Refusal("quote_not_confirmed"))
    if stage["kind"] == StageKind.POST_SERVICE and not facts.tools_removed:
        missing.append(Refusal("tools_not_removed"))
    return missing


def status_after_stage(facts: JobFacts, stage: dict) -> Status:
    """The status a job moves to when the given stage completes."""
    kind = stage["kind"]
    if kind == StageKind.PRE_SERVICE:
        return Status.SAFETY
    if kind == StageKind.SAFETY:
        return Status.CLEANING
    if kind == StageKind.CLEANING:
        remaining = [
            s for s in facts.cleaning_stages() if s["code"] not in facts.completed_stages | {stage["code"]}
        ]
        return Status.CLEANING if remaining else Status.HANDOVER
    return Status.AWAITING_SIGNATURE


def may_assign(status: Status) -> bool:
    """A job is given to a worker, or to another one, only before it starts."""
    return status == Status.SCHEDULED


def check_assign(status: Status) -> None:
    """Guard for assigning or reassigning a job; raises WorkflowError."""
    if not may_assign(status):
        raise WorkflowError([Refusal("already_started", {"status": status})])


def decide(facts: JobFacts, action: Action, stage_code: str | None = None) -> Status:
    """The status after an action, or WorkflowError naming every reason it is refused."""
    status = facts.status
    if action == Action.CHECK_IN:
        if status != Status.SCHEDULED:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        if facts.qualification_problems:
            raise WorkflowError([Refusal("not_qualified", {"problems": facts.qualification_problems})])
        return Status.CHECKED_IN
    if action == Action.COMPLETE_STAGE:
        stage = facts.stage(stage_code or "")
        refusal = _stage_refusal(facts, stage)
        if refusal:
            raise WorkflowError([refusal])
        missing = missing_for_stage(facts, stage)
        if missing:
            raise WorkflowError(missing)
        return status_after_stage(facts, stage)
    if action == Action.BLOCK:
        if status != Status.SAFETY:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        return Status.BLOCKED
    if action == Action.PAUSE:
        if status not in ACTIVE | {Status.SCHEDULED}:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        return Status.PAUSED
    if action == Action.RESUME:
        if status != Status.PAUSED or facts.paused_from is None:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        return facts.paused_from
    if action == Action.UNBLOCK:
        if status != Status.BLOCKED:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        return Status.SAFETY
    if action == Action.SIGN:
        if status != Status.AWAITING_SIGNATURE:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        return Status.COMPLETED
    if action == Action.CANCEL:
        if status in FINAL:
            raise WorkflowError([Refusal("wrong_status", {"status": status})])
        return Status.CANCELLED
    raise WorkflowError([Refusal("unknown_action")])
