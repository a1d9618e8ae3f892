"""Complaint rules with a fixed clock: 24 h to answer (48 h at most), 72 h to resolve, pauses, reopening."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hk.domain.complaints import (
    CaseAction,
    CaseFacts,
    CaseStatus,
    ClockState,
    Pause,
    RemedyKind,
    RemedyStatus,
    allowed_actions,
    check_received_at,
    check_remedy,
    decide,
    first_response_clock,
    first_status,
    resolution_clock,
    should_auto_close,
)
from hk.domain.workflow import WorkflowError

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def local(*args) -> datetime:
    """A wall-clock time in the company's zone, as the UTC instant stored."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def case(received: datetime, **kwargs) -> CaseFacts:
    return CaseFacts(status=kwargs.pop("status", CaseStatus.NEW), received_at=received, **kwargs)


# --- first response: 24 h, hard limit 48 h, never paused ---


def test_late_at_night_receipt_is_due_the_next_night_not_the_next_morning():
    received = local(2026, 11, 29, 23, 40)
    reading = first_response_clock(case(received), now=local(2026, 11, 30, 9, 0))
    assert reading.due == local(2026, 11, 30, 23, 40)
    assert reading.state == ClockState.RUNNING and reading.left == timedelta(hours=14, minutes=40)


def test_across_month_end_and_year_end():
    received = local(2026, 12, 31, 22, 15)
    reading = first_response_clock(case(received), now=local(2027, 1, 1, 19, 0))
    assert reading.due == local(2027, 1, 1, 22, 15)
    assert reading.state == ClockState.DUE_SOON  # 3 h 15 min left: amber
    assert resolution_clock(case(received), now=local(2027, 1, 1, 19, 0)).due == local(2027, 1, 3, 22, 15)
    feb = local(2027, 2, 27, 12, 0)
    assert resolution_clock(case(feb), now=feb).due == local(2027, 3, 2, 12, 0)  # not a leap year


@pytest.mark.parametrize(
    ("after", "state"),
    [
        (timedelta(hours=19, minutes=59), ClockState.RUNNING),
        (timedelta(hours=20), ClockState.DUE_SOON),  # exactly 4 h left
        (timedelta(hours=24), ClockState.DUE_SOON),  # exactly due: not yet overdue
        (timedelta(hours=24, seconds=1), ClockState.OVERDUE),
        (timedelta(hours=48), ClockState.OVERDUE),  # exactly the hard limit
        (timedelta(hours=48, seconds=1), ClockState.BREACHED),
    ],
)
def test_first_response_at_exactly_24_and_48_hours(after, state):
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert first_response_clock(case(received), now=received + after).state == state


def test_an_answer_stops_the_first_clock_in_time_or_late():
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    on_time = case(received, first_response_at=received + 24 * H)
    late = case(received, first_response_at=received + 24 * H + timedelta(seconds=1))
    much_later = received + 100 * H
    assert first_response_clock(on_time, now=much_later).state == ClockState.MET
    assert first_response_clock(late, now=much_later).state == ClockState.LATE


def test_pausing_never_stops_the_first_clock():
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    facts = case(received, pauses=[Pause(received + H)])
    assert first_response_clock(facts, now=received + 30 * H).state == ClockState.OVERDUE


# --- resolution: 72 h, paused while waiting on the customer ---


@pytest.mark.parametrize(
    ("after", "state"),
    [
        (timedelta(hours=67, minutes=59), ClockState.RUNNING),
        (timedelta(hours=68), ClockState.DUE_SOON),
        (timedelta(hours=72), ClockState.DUE_SOON),
        (timedelta(hours=72, seconds=1), ClockState.BREACHED),
    ],
)
def test_resolution_at_exactly_72_hours(after, state):
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    facts = case(received, status=CaseStatus.INVESTIGATING, first_response_at=received + H)
    assert resolution_clock(facts, now=received + after).state == state


def test_a_pause_moves_the_resolution_due_time_by_its_length():
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    pause = Pause(received + 10 * H, received + 40 * H, "customer abroad")
    facts = case(received, status=CaseStatus.INVESTIGATING, pauses=[pause])
    reading = resolution_clock(facts, now=received + 80 * H)
    assert reading.due == received + 102 * H and reading.state == ClockState.RUNNING


def test_while_paused_the_clock_shows_paused_and_resumes_where_it_stopped():
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    open_pause = case(received, status=CaseStatus.INVESTIGATING, pauses=[Pause(received + 70 * H)])
    assert resolution_clock(open_pause, now=received + 200 * H).state == ClockState.PAUSED
    resumed = case(
        received, status=CaseStatus.INVESTIGATING, pauses=[Pause(received + 70 * H, received + 200 * H)]
    )
    reading = resolution_clock(resumed, now=received + 200 * H)
    assert reading.left == 2 * H and reading.state == ClockState.DUE_SOON


def test_resolved_in_time_or_late():
    received = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    met = case(received, status=CaseStatus.RESOLVED, resolved_at=received + 72 * H)
    late = case(received, status=CaseStatus.CLOSED, resolved_at=received + 73 * H)
    assert resolution_clock(met, now=received + 500 * H).state == ClockState.MET
    assert resolution_clock(late, now=received + 500 * H).state == ClockState.LATE


def test_a_reopened_case_gets_a_new_72_hours_from_the_reopening():
    received = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    reopened = received + 20 * 24 * H
    facts = case(
        received,
        status=CaseStatus.INVESTIGATING,
        first_response_at=received + H,
        resolved_at=received + 30 * H,
        reopened_at=reopened,
        pauses=[Pause(received + 2 * H, received + 3 * H)],  # before the reopening: not counted again
    )
    reading = resolution_clock(facts, now=reopened + 10 * H)
    assert reading.due == reopened + 72 * H and reading.state == ClockState.RUNNING
    assert first_response_clock(facts, now=reopened).state == ClockState.MET  # answered the first time


# --- the flow ---


def test_the_flow_from_new_to_closed_and_reopened():
    facts = case(datetime(2026, 11, 29, 2, tzinfo=UTC))
    assert allowed_actions(facts) == [CaseAction.RESPOND, CaseAction.PAUSE]
    for action, status in [
        (CaseAction.RESPOND, CaseStatus.RESPONDED),
        (CaseAction.INVESTIGATE, CaseStatus.INVESTIGATING),
        (CaseAction.PROPOSE_REMEDY, CaseStatus.REMEDY),
    ]:
        facts.status = decide(facts, action)
        assert facts.status == status
    with pytest.raises(WorkflowError) as refused:
        decide(facts, CaseAction.RESOLVE)
    assert refused.value.refusals[0].code == "case_needs_root_cause"
    facts.root_cause = "漏擦玻璃"
    facts.status = decide(facts, CaseAction.RESOLVE)
    assert CaseAction.CLOSE in allowed_actions(facts) and CaseAction.PAUSE not in allowed_actions(facts)
    facts.status = decide(facts, CaseAction.CLOSE)
    assert allowed_actions(facts) == [CaseAction.REOPEN]
    assert decide(facts, CaseAction.REOPEN) == CaseStatus.INVESTIGATING


def test_pause_and_resume_keep_the_status_and_cannot_be_repeated():
    facts = case(datetime(2026, 11, 29, 2, tzinfo=UTC), status=CaseStatus.RESPONDED)
    assert decide(facts, CaseAction.PAUSE) == CaseStatus.RESPONDED
    facts.pauses.append(Pause(facts.received_at + H))
    with pytest.raises(WorkflowError):
        decide(facts, CaseAction.PAUSE)
    assert decide(facts, CaseAction.RESUME) == CaseStatus.RESPONDED


def test_a_case_skipping_the_first_answer_is_refused():
    facts = case(datetime(2026, 11, 29, 2, tzinfo=UTC))
    with pytest.raises(WorkflowError) as refused:
        decide(facts, CaseAction.INVESTIGATE)
    assert refused.value.refusals[0].code == "case_wrong_status"


def test_auto_close_seven_days_after_resolution():
    resolved = datetime(2026, 11, 29, 2, tzinfo=UTC)
    facts = case(resolved - 10 * H, status=CaseStatus.RESOLVED, resolved_at=resolved)
    assert not should_auto_close(facts, resolved + 7 * 24 * H - timedelta(seconds=1))
    assert should_auto_close(facts, resolved + 7 * 24 * H)


def test_received_time_is_never_in_the_future():
    now = datetime(2026, 11, 29, 2, tzinfo=UTC)
    assert check_received_at(now - 5 * H, now) == []
    assert check_received_at(now + timedelta(seconds=50), now) == []  # a phone clock a little ahead
    assert check_received_at(now + 2 * H, now)[0].code == "received_in_future"
    assert check_received_at(now - 400 * 24 * H, now)[0].code == "received_too_long_ago"


# --- remedies ---


def test_refunds_together_never_exceed_the_job_total():
    total = Decimal("170.00")
    assert check_remedy(RemedyKind.REFUND, Decimal("100"), total, Decimal("0")) == []
    assert check_remedy(RemedyKind.REFUND, Decimal("70"), total, Decimal("100")) == []
    refused = check_remedy(RemedyKind.REFUND, Decimal("70.01"), total, Decimal("100"))
    assert refused[0].code == "refund_above_total" and refused[0].params["left"] == Decimal("70.00")
    assert check_remedy(RemedyKind.REFUND, Decimal("0"), total, Decimal("0"))[0].code == "remedy_needs_amount"
    assert check_remedy(RemedyKind.REFUND, Decimal("10"), None, Decimal("0"))[0].code == "refund_needs_job"
    assert check_remedy(RemedyKind.COMPENSATION, Decimal("5000"), total, Decimal("0")) == []  # not capped
    assert check_remedy(RemedyKind.APOLOGY, None, total, Decimal("0")) == []


def test_money_above_the_threshold_waits_for_an_admin():
    limit = Decimal("200")
    assert first_status(RemedyKind.REFUND, Decimal("200"), limit, by_admin=False) == RemedyStatus.APPROVED
    assert first_status(RemedyKind.REFUND, Decimal("200.01"), limit, False) == RemedyStatus.AWAITING_APPROVAL
    assert (
        first_status(RemedyKind.COMPENSATION, Decimal("900"), limit, False) == RemedyStatus.AWAITING_APPROVAL
    )
    assert (
        first_status(RemedyKind.COMPENSATION, Decimal("900"), limit, by_admin=True) == RemedyStatus.APPROVED
    )
    assert first_status(RemedyKind.RECLEAN, None, limit, False) == RemedyStatus.APPROVED
