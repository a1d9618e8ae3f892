"""Ratings and quarterly follow-ups, as plain rules."""

from datetime import UTC, date, datetime, timedelta

import pytest

from hk.domain.feedback import (
    Aspect,
    FollowUpFacts,
    FollowUpState,
    check_rating,
    follow_up_state,
    opens_complaint,
    quarter_bounds,
    quarter_of,
    rating_locked,
)

NONE = dict.fromkeys(Aspect)


@pytest.mark.parametrize(
    ("overall", "aspects", "recommend", "ok"),
    [
        (5, NONE, None, True),
        (1, {Aspect.QUALITY: 5, Aspect.PRICE: 1}, 0, True),
        (3, NONE, 10, True),
        (0, NONE, None, False),
        (6, NONE, None, False),
        (None, NONE, None, False),
        (4, {Aspect.ATTITUDE: 7}, None, False),
        (4, NONE, 11, False),
        (4, NONE, -1, False),
    ],
)
def test_scores_in_range(overall, aspects, recommend, ok):
    refusals = check_rating(overall, aspects, recommend)
    assert (refusals == []) is ok
    if not ok:
        assert [r.code for r in refusals] == ["rating_out_of_range"]


def test_which_ratings_open_a_complaint():
    assert opens_complaint(2, NONE, "")
    assert opens_complaint(1, NONE, "")
    assert not opens_complaint(3, NONE, "还行")
    assert not opens_complaint(4, {Aspect.PUNCTUALITY: 2}, "")  # a low aspect without a word: no case
    assert opens_complaint(4, {Aspect.PUNCTUALITY: 2}, "迟到了四十分钟")
    assert not opens_complaint(4, {Aspect.PUNCTUALITY: 3}, "迟到了一点")


def test_a_rating_can_be_changed_for_three_days():
    rated = datetime(2026, 11, 29, 2, tzinfo=UTC)
    assert not rating_locked(rated, rated + timedelta(days=3))
    assert rating_locked(rated, rated + timedelta(days=3, seconds=1))


def test_quarters():
    assert quarter_of(date(2026, 1, 1)) == (2026, 1)
    assert quarter_of(date(2026, 3, 31)) == (2026, 1)
    assert quarter_of(date(2026, 12, 31)) == (2026, 4)
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2027, 1, 1))
    assert quarter_bounds(2026, 2) == (date(2026, 4, 1), date(2026, 7, 1))


@pytest.mark.parametrize(
    ("facts", "state"),
    [
        (FollowUpFacts(None, None, None), FollowUpState.NOT_ACTIVE),
        (FollowUpFacts(date(2025, 11, 1), date(2024, 1, 1), None), FollowUpState.NOT_ACTIVE),  # > 12 months
        (FollowUpFacts(date(2026, 11, 20), date(2026, 11, 20), None), FollowUpState.DUE),  # new this quarter
        (FollowUpFacts(date(2026, 11, 20), date(2026, 5, 1), date(2026, 8, 15)), FollowUpState.DUE),
        (FollowUpFacts(date(2026, 11, 20), date(2026, 5, 1), date(2026, 10, 1)), FollowUpState.DONE),
        (FollowUpFacts(date(2026, 11, 20), date(2026, 5, 1), date(2026, 6, 30)), FollowUpState.OVERDUE),
        (FollowUpFacts(date(2026, 11, 20), date(2026, 5, 1), None), FollowUpState.OVERDUE),
    ],
)
def test_follow_up_state_on_the_29th_of_november(facts, state):
    assert follow_up_state(facts, date(2026, 11, 29)) == state
