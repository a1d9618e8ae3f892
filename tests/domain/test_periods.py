"""Periods for the quality figures: calendar spans, the one before each, chosen days."""

from datetime import date

from hk.domain.periods import PeriodKind, chosen_days, month_of, quarter_of, span_for, week_of, year_of


def test_calendar_spans_hold_the_day_and_end_the_day_after():
    day = date(2026, 11, 29)  # a Sunday
    assert (week_of(day).start, week_of(day).end) == (date(2026, 11, 23), date(2026, 11, 30))
    assert (month_of(day).start, month_of(day).end) == (date(2026, 11, 1), date(2026, 12, 1))
    assert (quarter_of(day).start, quarter_of(day).end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert (year_of(day).start, year_of(day).end) == (date(2026, 1, 1), date(2027, 1, 1))
    assert month_of(date(2026, 12, 31)).end == date(2027, 1, 1)


def test_the_previous_period_is_the_calendar_one_before_not_as_many_days():
    march = month_of(date(2026, 3, 15))
    assert (march.previous().start, march.previous().end) == (date(2026, 2, 1), date(2026, 3, 1))
    q1 = quarter_of(date(2026, 2, 1))
    assert (q1.previous().start, q1.previous().end) == (date(2025, 10, 1), date(2026, 1, 1))
    week = week_of(date(2026, 1, 1))
    assert week.previous().end == week.start and week.previous().days == 7
    assert year_of(date(2026, 6, 1)).previous().start == date(2025, 1, 1)


def test_chosen_days_include_both_ends_and_the_previous_is_as_long():
    span = chosen_days(date(2026, 11, 10), date(2026, 11, 1))  # given the wrong way round
    assert (span.start, span.end, span.days, span.last_day) == (
        date(2026, 11, 1),
        date(2026, 11, 11),
        10,
        date(2026, 11, 10),
    )
    assert (span.previous().start, span.previous().end) == (date(2026, 10, 22), date(2026, 11, 1))
    assert chosen_days(date(2000, 1, 1), date(2026, 1, 1)).days == 3 * 366  # capped


def test_span_for_falls_back_to_this_month_and_weeks_cover_the_span():
    today = date(2026, 11, 29)
    assert span_for(PeriodKind.CUSTOM, today) == month_of(today)  # no days chosen
    assert span_for(PeriodKind.QUARTER, today) == quarter_of(today)
    mondays = month_of(today).weeks()
    assert mondays[0] == date(2026, 10, 26) and mondays[-1] == date(2026, 11, 30)
    assert all(m.weekday() == 0 for m in mondays) and len(mondays) == 6


def test_chosen_days_too_long_to_show_end_today():
    today = date(2026, 11, 29)
    span = span_for(PeriodKind.CUSTOM, today, date(1900, 11, 1), date(2999, 1, 1))
    assert (span.last_day, span.days) == (today, 3 * 366)
    # a range that fits is kept as chosen, even when it runs past today
    month = span_for(PeriodKind.CUSTOM, today, date(2026, 11, 1), date(2026, 11, 30))
    assert (month.start, month.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
