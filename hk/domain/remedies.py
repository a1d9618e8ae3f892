"""What happens to a remedy after it is proposed (hk.domain.complaints has the kinds and the checks
made when it is proposed): an admin approves or rejects a sum above the threshold, someone marks it
done; and what a case's remedies add up to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hk.domain.complaints import MONEY_REMEDIES, OPEN_STATUSES, CaseStatus, RemedyKind, RemedyStatus
from hk.domain.workflow import Refusal, WorkflowError


class RemedyAction(StrEnum):
    APPROVE = "approve"  # an admin agrees to a sum above the threshold
    REJECT = "reject"
    DONE = "done"  # carried out: paid, apologised, re-cleaned


# action → (statuses it may start from, status it leads to)
REMEDY_TRANSITIONS: dict[RemedyAction, tuple[frozenset[RemedyStatus], RemedyStatus]] = {
    RemedyAction.APPROVE: (frozenset({RemedyStatus.AWAITING_APPROVAL}), RemedyStatus.APPROVED),
    RemedyAction.REJECT: (frozenset({RemedyStatus.AWAITING_APPROVAL}), RemedyStatus.REJECTED),
    RemedyAction.DONE: (frozenset({RemedyStatus.APPROVED}), RemedyStatus.DONE),
}
ADMIN_ONLY = frozenset({RemedyAction.APPROVE, RemedyAction.REJECT})


def check_new_remedy(
    case_status: CaseStatus, kind: RemedyKind, description: str, has_job: bool
) -> list[Refusal]:
    """A remedy is added to an open case; compensation says what it is for, an apology says what was
    said, and a re-clean repeats the job the complaint is about."""
    if case_status not in OPEN_STATUSES:
        return [Refusal("case_wrong_status", {"status": case_status.value})]
    if kind in (RemedyKind.COMPENSATION, RemedyKind.APOLOGY) and not description.strip():
        return [Refusal("remedy_needs_description")]
    if kind == RemedyKind.RECLEAN and not has_job:
        return [Refusal("reclean_needs_job")]
    return []


def decide_remedy(status: RemedyStatus, action: RemedyAction, by_admin: bool) -> RemedyStatus:
    """The remedy's status after the action; WorkflowError when it may not be taken now (or by them)."""
    sources, target = REMEDY_TRANSITIONS[action]
    if action in ADMIN_ONLY and not by_admin:
        raise WorkflowError([Refusal("remedy_needs_admin")])
    if status not in sources:
        raise WorkflowError([Refusal("remedy_wrong_status", {"status": status.value})])
    return target


@dataclass(frozen=True)
class RemedyTotals:
    refunds: Decimal  # agreed (approved or done)
    compensation: Decimal  # agreed (approved or done)
    awaiting: Decimal  # sums waiting for an admin
    recleans: int  # re-clean jobs booked

    @property
    def money(self) -> Decimal:
        return self.refunds + self.compensation


def remedy_totals(remedies: Iterable[tuple[RemedyKind, RemedyStatus, Decimal | None]]) -> RemedyTotals:
    """What a case has cost, from its remedies as (kind, status, amount); rejected ones count for nothing."""
    refunds = compensation = awaiting = Decimal("0")
    recleans = 0
    for kind, status, amount in remedies:
        if status == RemedyStatus.REJECTED:
            continue
        if kind == RemedyKind.RECLEAN:
            recleans += 1
        elif kind in MONEY_REMEDIES and amount is not None:
            if status == RemedyStatus.AWAITING_APPROVAL:
                awaiting += amount
            elif kind == RemedyKind.REFUND:
                refunds += amount
            else:
                compensation += amount
    return RemedyTotals(refunds, compensation, awaiting, recleans)


def refunded(remedies: Iterable[tuple[RemedyKind, RemedyStatus, Decimal | None]]) -> Decimal:
    """The refunds already given or proposed (not rejected): what a new refund must fit beside."""
    return sum(
        (
            amount
            for kind, status, amount in remedies
            if kind == RemedyKind.REFUND and status != RemedyStatus.REJECTED and amount is not None
        ),
        Decimal("0"),
    )
