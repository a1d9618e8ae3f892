"""Each quality figure pinned on small hand-made numbers, empty periods included."""

from datetime import timedelta

import pytest

from hk.domain.quality import (
    Satisfaction,
    Timeliness,
    median_hours,
    net_promoter_score,
    per_hundred,
    retention,
    share,
)


def test_a_share_of_nothing_is_no_figure_not_zero():
    assert share(0, 0) is None
    assert share(0, 5) == 0
    assert share(3, 4) == 0.75
    assert per_hundred(2, 0) is None
    assert per_hundred(3, 150) == 2


def test_satisfaction_is_the_share_of_rated_records_scored_4_or_5():
    period = Satisfaction(rated=20, satisfied=18, records=40)
    assert period.satisfied_share == 0.9 and period.meets() is True
    assert period.rated_share == 0.5
    assert Satisfaction(rated=10, satisfied=8, records=10).meets() is False  # 80 % < 90 %
    assert Satisfaction(rated=10, satisfied=8, records=10).meets(0.8) is True
    empty = Satisfaction(rated=0, satisfied=0, records=0)
    assert empty.satisfied_share is None and empty.rated_share is None and empty.meets() is None


@pytest.mark.parametrize(
    ("scores", "nps"),
    [
        ([10, 9, 8, 7, 6, 0], 0.0),  # two promoters, two detractors, two passives
        ([10, 10, 10, 10], 100.0),
        ([0, 3, 6], -100.0),
        ([9, 7, None, 5, 10], 25.0),  # no answer is left out
        ([], None),
        ([None], None),
    ],
)
def test_net_promoter_score(scores, nps):
    assert net_promoter_score(scores) == nps


def test_median_hours_leave_out_what_is_not_finished():
    durations = [timedelta(hours=2), None, timedelta(hours=30), timedelta(hours=5)]
    assert median_hours(durations) == 5
    assert median_hours([timedelta(minutes=30), timedelta(minutes=90)]) == 1
    assert median_hours([None]) is None and median_hours([]) is None


def test_timeliness_counts_resolution_only_among_resolved_cases():
    figures = Timeliness(
        cases=10, answered_within_24h=7, answered_within_48h=9, resolved=8, resolved_within_72h=6
    )
    assert figures.response_24h_share == 0.7
    assert figures.response_48h_share == 0.9
    assert figures.resolution_72h_share == 0.75
    none = Timeliness(
        cases=0, answered_within_24h=0, answered_within_48h=0, resolved=0, resolved_within_72h=0
    )
    assert none.response_24h_share is None and none.resolution_72h_share is None


def test_retention_is_the_share_of_last_periods_customers_served_again():
    assert retention({1, 2, 3, 4}, {2, 4, 9}) == 0.5
    assert retention(set(), {1}) is None
    assert retention({1}, set()) == 0
