"""The customer's side of after-sales, as plain rules: who may rate, what a low rating's case is
about, a rating locked after a few days, and what a problem report and a message must hold."""

from datetime import UTC, datetime, timedelta

import pytest

from hk.domain.complaints import (
    CUSTOMER_CATEGORIES,
    MAX_CUSTOMER_PHOTOS,
    CaseStatus,
    Category,
    check_customer_message,
    check_customer_report,
)
from hk.domain.feedback import (
    Aspect,
    check_rater,
    check_rating_change,
    complaint_category,
)

NONE = dict.fromkeys(Aspect)


def _codes(refusals):
    return [r.code for r in refusals]


def test_only_the_customers_own_phone_may_rate():
    assert check_rater(False) == []
    assert _codes(check_rater(True)) == ["own_phone_only"]


def test_a_rating_is_locked_after_three_days():
    rated = datetime(2026, 11, 29, 2, tzinfo=UTC)
    assert check_rating_change(rated, rated + timedelta(days=3)) == []
    locked = check_rating_change(rated, rated + timedelta(days=3, minutes=1))
    assert _codes(locked) == ["rating_locked"] and locked[0].params == {"days": 3}


@pytest.mark.parametrize(
    ("aspects", "category"),
    [
        (NONE, Category.OTHER),  # only the overall score: staff read the comment
        ({**NONE, Aspect.QUALITY: 1}, Category.CLEANING_QUALITY),
        ({**NONE, Aspect.PUNCTUALITY: 2, Aspect.QUALITY: 4}, Category.LATENESS),
        ({**NONE, Aspect.ATTITUDE: 1, Aspect.PRICE: 2}, Category.ATTITUDE),
        ({**NONE, Aspect.PRICE: 1, Aspect.QUALITY: 3}, Category.PRICE),
        ({**NONE, Aspect.PRICE: 2, Aspect.PUNCTUALITY: 2}, Category.LATENESS),  # a tie: the first aspect
        ({**NONE, Aspect.QUALITY: 3}, Category.CLEANING_QUALITY),  # "fair" is below good
        ({Aspect.QUALITY: 5, Aspect.PUNCTUALITY: 4, Aspect.ATTITUDE: 5, Aspect.PRICE: 4}, Category.OTHER),
    ],
)
def test_a_low_ratings_case_is_about_its_lowest_aspect(aspects, category):
    assert complaint_category(aspects) == category


def test_a_problem_report_needs_a_category_of_the_list_words_and_few_photos():
    assert check_customer_report("damage_or_loss", "花瓶碎了", MAX_CUSTOMER_PHOTOS) == []
    assert set(CUSTOMER_CATEGORIES) == set(Category)
    assert _codes(check_customer_report("no_such", "花瓶碎了", 0)) == ["unknown_category"]
    assert _codes(check_customer_report(None, "花瓶碎了", 0)) == ["unknown_category"]
    assert _codes(check_customer_report("other", "   ", 0)) == ["problem_needs_description"]
    too_many = check_customer_report("other", "x", MAX_CUSTOMER_PHOTOS + 1)
    assert _codes(too_many) == ["too_many_photos"] and too_many[0].params == {"max": 3}


def test_a_message_needs_words_and_an_open_case():
    assert check_customer_message(CaseStatus.RESOLVED, "还是有污渍") == []
    assert _codes(check_customer_message(CaseStatus.NEW, " ")) == ["message_empty"]
    assert _codes(check_customer_message(CaseStatus.CLOSED, "还是有污渍")) == ["case_closed"]
