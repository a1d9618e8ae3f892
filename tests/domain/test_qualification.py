from dataclasses import dataclass
from datetime import date

import pytest

from hk.domain.qualification import (
    CertificateStatus,
    ProblemReason,
    QualificationProblem,
    Standing,
    certificate_standing,
    certificate_status,
    qualification_problems,
)

DAY = date(2026, 6, 15)


@dataclass
class Cert:
    kind: str
    valid_from: date
    valid_until: date


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "expected"),
    [
        (date(2026, 1, 1), date(2027, 1, 1), CertificateStatus.VALID),
        (date(2026, 1, 1), date(2026, 7, 14), CertificateStatus.EXPIRING),  # 29 days left
        (date(2026, 1, 1), date(2026, 7, 15), CertificateStatus.VALID),  # 30 days left
        (date(2026, 1, 1), DAY, CertificateStatus.EXPIRING),  # last valid day
        (date(2025, 1, 1), date(2026, 6, 14), CertificateStatus.EXPIRED),
        (date(2026, 6, 16), date(2027, 6, 16), CertificateStatus.NOT_YET_VALID),
    ],
)
def test_certificate_status(valid_from, valid_until, expected):
    assert certificate_status(valid_from, valid_until, DAY) == expected


def test_a_worker_with_both_valid_certificates_has_no_problem():
    certs = [Cert("job", date(2025, 1, 1), date(2027, 1, 1)), Cert("health", date(2026, 1, 1), DAY)]
    assert qualification_problems(certs, DAY) == []


def test_missing_and_expired_certificates_are_named():
    certs = [
        Cert("health", date(2025, 1, 1), date(2026, 6, 1)),
        Cert("other", date(2025, 1, 1), date(2030, 1, 1)),
    ]
    assert qualification_problems(certs, DAY) == [
        QualificationProblem("job", ProblemReason.MISSING),
        QualificationProblem("health", ProblemReason.EXPIRED, date(2026, 6, 1)),
    ]


def test_a_renewed_certificate_outweighs_the_expired_one():
    certs = [
        Cert("job", date(2025, 1, 1), date(2027, 1, 1)),
        Cert("health", date(2025, 1, 1), date(2026, 1, 1)),
        Cert("health", date(2026, 1, 2), date(2027, 1, 1)),
    ]
    assert qualification_problems(certs, DAY) == []


def test_a_certificate_not_yet_valid_is_a_problem_with_its_start_day():
    certs = [
        Cert("job", date(2025, 1, 1), date(2027, 1, 1)),
        Cert("health", date(2026, 7, 1), date(2027, 7, 1)),
    ]
    assert qualification_problems(certs, DAY) == [
        QualificationProblem("health", ProblemReason.NOT_YET_VALID, date(2026, 7, 1))
    ]


def test_certificate_standing_at_a_glance():
    good = [
        Cert("job", date(2026, 1, 1), date(2027, 1, 1)),
        Cert("health", date(2026, 1, 1), date(2027, 1, 1)),
    ]
    assert certificate_standing(good, DAY) == Standing.GOOD
    assert certificate_standing(good[:1], DAY) == Standing.PROBLEM  # the health certificate is missing
    soon = [good[0], Cert("health", date(2026, 1, 1), date(2026, 7, 1))]
    assert certificate_standing(soon, DAY) == Standing.EXPIRING
    expired = [*good, Cert("other", date(2025, 1, 1), date(2026, 1, 1))]
    assert certificate_standing(expired, DAY) == Standing.PROBLEM
