"""Periods the quality figures are counted over: a calendar week, month or quarter, or chosen days.

A span is whole local days, `start` included and `end` excluded, so spans that follow each other
never count a day twice. Each span has the one before it (the figure's "previous period").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MAX_DAYS = 3 * 366  # a chosen range longer than three years is cut to its last three years


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Span:
    kind: PeriodKind
    start: date
    end: date  # the first day after the span

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Span:
        """The period just before: the calendar week, month, quarter or year before, or as many days."""
        if self.kind == PeriodKind.WEEK:
            return week_of(self.start - timedelta(days=7))
        if self.kind == PeriodKind.MONTH:
            return month_of(self.start - timedelta(days=1))
        if self.kind == PeriodKind.QUARTER:
            return quarter_of(self.start - timedelta(days=1))
        if self.kind == PeriodKind.YEAR:
            return year_of(self.start - timedelta(days=1))
        return Span(PeriodKind.CUSTOM, self.start - timedelta(days=self.days), self.start)

    def weeks(self) -> list[date]:
        """The Mondays of the weeks this span touches, for weekly trends."""
        monday, mondays = self.start - timedelta(days=self.start.weekday()), []
        while monday < self.end:
            mondays.append(monday)
            monday += timedelta(weeks=1)
        return mondays


def week_of(day: date) -> Span:
    """The calendar week (Monday to Sunday) holding the day."""
    start = day - timedelta(days=day.weekday())
    return Span(PeriodKind.WEEK, start, start + timedelta(days=7))


def month_of(day: date) -> Span:
    start = day.replace(day=1)
    return Span(PeriodKind.MONTH, start, _add_months(start, 1))


def quarter_of(day: date) -> Span:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Span(PeriodKind.QUARTER, start, _add_months(start, 3))


def year_of(day: date) -> Span:
    return Span(PeriodKind.YEAR, date(day.year, 1, 1), date(day.year + 1, 1, 1))


def chosen_days(first: date, last: date) -> Span:
    """The days from first to last, both included (swapped when given the wrong way round)."""
    first, last = min(first, last), max(first, last)
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    return Span(PeriodKind.CUSTOM, first, last + timedelta(days=1))


def span_for(kind: PeriodKind, today: date, first: date | None = None, last: date | None = None) -> Span:
    """The span a person asked for: this week, month, quarter or year, or chosen days (else this month).

    Chosen days longer than the longest span allowed end today at the latest (nothing was done after
    today), so "since 1900 until 2999" is the last three years, not three empty ones.
    """
    if kind == PeriodKind.CUSTOM and first is not None and last is not None:
        if abs((last - first).days) >= MAX_DAYS and max(first, last) > today:
            first, last = min(first, last, today), today
        return chosen_days(first, last)
    by_kind = {PeriodKind.WEEK: week_of, PeriodKind.QUARTER: quarter_of, PeriodKind.YEAR: year_of}
    return by_kind.get(kind, month_of)(today)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
