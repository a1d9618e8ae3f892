"""Remedies after they are proposed: an admin decides sums above the threshold, anyone marks one done;
a case's totals; and the warnings a case's clocks give on the lists."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hk.domain.complaints import (
    CaseFacts,
    CaseStatus,
    RemedyKind,
    RemedyStatus,
    WarningLevel,
    first_response_clock,
    resolution_clock,
    warning_level,
)
from hk.domain.remedies import RemedyAction, check_new_remedy, decide_remedy, refunded, remedy_totals
from hk.domain.workflow import WorkflowError

K, S = RemedyKind, RemedyStatus
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_only_an_admin_approves_or_rejects_and_only_what_waits():
    assert decide_remedy(S.AWAITING_APPROVAL, RemedyAction.APPROVE, by_admin=True) == S.APPROVED
    assert decide_remedy(S.AWAITING_APPROVAL, RemedyAction.REJECT, by_admin=True) == S.REJECTED
    with pytest.raises(WorkflowError) as refused:
        decide_remedy(S.AWAITING_APPROVAL, RemedyAction.APPROVE, by_admin=False)
    assert refused.value.refusals[0].code == "remedy_needs_admin"
    with pytest.raises(WorkflowError) as refused:
        decide_remedy(S.APPROVED, RemedyAction.REJECT, by_admin=True)
    assert refused.value.refusals[0].code == "remedy_wrong_status"


def test_a_remedy_is_done_once_it_is_agreed():
    assert decide_remedy(S.APPROVED, RemedyAction.DONE, by_admin=False) == S.DONE
    for status in (S.AWAITING_APPROVAL, S.REJECTED, S.DONE):
        with pytest.raises(WorkflowError):
            decide_remedy(status, RemedyAction.DONE, by_admin=True)


def test_new_remedies_need_an_open_case_a_description_and_for_a_reclean_the_job():
    assert check_new_remedy(CaseStatus.INVESTIGATING, K.REFUND, "", has_job=True) == []
    assert check_new_remedy(CaseStatus.NEW, K.APOLOGY, "已致歉", has_job=False) == []
    codes = {
        (CaseStatus.RESOLVED, K.APOLOGY, "已致歉", True): "case_wrong_status",
        (CaseStatus.CLOSED, K.RECLEAN, "", True): "case_wrong_status",
        (CaseStatus.RESPONDED, K.COMPENSATION, "  ", True): "remedy_needs_description",
        (CaseStatus.RESPONDED, K.APOLOGY, "", True): "remedy_needs_description",
        (CaseStatus.RESPONDED, K.RECLEAN, "", False): "reclean_needs_job",
    }
    for args, code in codes.items():
        assert [r.code for r in check_new_remedy(*args)] == [code], args


def test_totals_count_what_was_agreed_and_set_apart_what_waits():
    remedies = [
        (K.REFUND, S.APPROVED, Decimal("50")),
        (K.REFUND, S.DONE, Decimal("20")),
        (K.REFUND, S.REJECTED, Decimal("999")),
        (K.COMPENSATION, S.AWAITING_APPROVAL, Decimal("300")),
        (K.COMPENSATION, S.DONE, Decimal("80")),
        (K.RECLEAN, S.APPROVED, None),
        (K.APOLOGY, S.DONE, None),
    ]
    totals = remedy_totals(remedies)
    assert (totals.refunds, totals.compensation, totals.awaiting) == (
        Decimal("70"),
        Decimal("80"),
        Decimal("300"),
    )
    assert totals.money == Decimal("150") and totals.recleans == 1
    assert refunded(remedies) == Decimal("70")  # a rejected refund leaves room for another


def test_a_case_is_amber_four_hours_before_a_clock_is_due_and_red_once_overdue():
    def level(received_hours_ago, **kwargs):
        facts = CaseFacts(
            status=CaseStatus.NEW, received_at=NOW - timedelta(hours=received_hours_ago), **kwargs
        )
        return warning_level(first_response_clock(facts, NOW), resolution_clock(facts, NOW))

    assert level(10) is None
    assert level(20) == WarningLevel.AMBER  # 4 h left to answer
    assert level(25) == WarningLevel.RED  # the first response is overdue
    answered = {"first_response_at": NOW - timedelta(hours=60)}
    assert level(69, **answered) == WarningLevel.AMBER  # 3 h left to resolve
    assert level(73, **answered) == WarningLevel.RED
