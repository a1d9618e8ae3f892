from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from hk.domain.dispatch import Booking, Repeat, assignment_problems, occurrences, window_problems


@dataclass
class Cert:
    kind: str
    valid_from: date
    valid_until: date


DAY = date(2026, 12, 1)
OK = [Cert("job", date(2025, 1, 1), date(2027, 1, 1)), Cert("health", date(2025, 1, 1), date(2027, 1, 1))]


def at(h, m=0, day=1):
    return datetime(2026, 12, day, h, m, tzinfo=UTC)


def codes(problems):
    return [p.code for p in problems]


def test_a_qualified_free_worker_may_take_the_job():
    assert assignment_problems(OK, [Booking("A", at(1), at(3))], at(3), at(5), DAY) == []


def test_certificates_must_be_valid_on_the_jobs_day_not_today():
    expiring = [OK[0], Cert("health", date(2025, 1, 1), date(2026, 11, 30))]
    problems = assignment_problems(expiring, [], at(1), at(3), DAY)
    assert codes(problems) == ["not_qualified"]
    assert assignment_problems(expiring, [], at(1, day=1), at(3, day=1), date(2026, 11, 30)) == []


@pytest.mark.parametrize(("start", "end"), [(at(2), at(4)), (at(0), at(2)), (at(1), at(3)), (at(0), at(6))])
def test_an_overlapping_job_is_named(start, end):
    problems = assignment_problems(OK, [Booking("HK-9", at(1), at(3))], start, end, DAY)
    assert codes(problems) == ["overlap"] and problems[0].params["number"] == "HK-9"


def test_windows():
    assert codes(window_problems(at(3), at(2))) == ["end_before_start"]
    assert codes(window_problems(at(3), at(3))) == ["end_before_start"]
    assert codes(window_problems(None, at(3))) == ["window_missing"]
    assert codes(window_problems(at(0), at(15))) == ["window_too_long"]
    assert window_problems(at(1), at(4)) == []


def test_occurrences():
    assert occurrences(date(2026, 1, 5), Repeat.WEEKLY, 3) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
    ]
    assert occurrences(date(2026, 1, 5), Repeat.BIWEEKLY, 2) == [date(2026, 1, 5), date(2026, 1, 19)]
    assert occurrences(date(2026, 1, 31), Repeat.MONTHLY, 4) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert occurrences(date(2026, 11, 30), Repeat.MONTHLY, 3)[-1] == date(2027, 1, 30)
    assert occurrences(date(2026, 1, 5), Repeat.NONE, 5) == [date(2026, 1, 5)]
    assert len(occurrences(date(2026, 1, 5), Repeat.WEEKLY, 1000)) == 60
