"""Whether a worker holds the certificates the work requires (seed 1.1, 3.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

MANDATORY_KINDS = ("job", "health")
EXPIRY_WARNING_DAYS = 30


class CertificateLike(Protocol):
    kind: str
    valid_from: date
    valid_until: date


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


def certificate_status(
    valid_from: date, valid_until: date, on: date, warn_days: int = EXPIRY_WARNING_DAYS
) -> CertificateStatus:
    """The status of one certificate on a day; valid_until is the last valid day."""
    if on < valid_from:
        return CertificateStatus.NOT_YET_VALID
    if on > valid_until:
        return CertificateStatus.EXPIRED
    if valid_until - on < timedelta(days=warn_days):
        return CertificateStatus.EXPIRING
    return CertificateStatus.VALID


class ProblemReason(StrEnum):
    MISSING = "missing"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


@dataclass(frozen=True)
class QualificationProblem:
    kind: str
    reason: ProblemReason
    date: date | None = None  # the expiry day, or the first valid day


def qualification_problems(
    certificates: Iterable[CertificateLike], on: date, mandatory: Iterable[str] = MANDATORY_KINDS
) -> list[QualificationProblem]:
    """What stops a worker from working on a day: each mandatory kind missing or not valid."""
    certificates = list(certificates)
    problems = []
    for kind in mandatory:
        own = [c for c in certificates if str(c.kind) == kind]
        if not own:
            problems.append(QualificationProblem(kind, ProblemReason.MISSING))
            continue
        if any(c.valid_from <= on <= c.valid_until for c in own):
            continue
        past = [c for c in own if c.valid_until < on]
        if past:
            latest = max(past, key=lambda c: c.valid_until)
            problems.append(QualificationProblem(kind, ProblemReason.EXPIRED, latest.valid_until))
        else:
            first = min(own, key=lambda c: c.valid_from)
            problems.append(QualificationProblem(kind, ProblemReason.NOT_YET_VALID, first.valid_from))
    return problems


class Standing(StrEnum):
    """How a worker's certificates look to the office at a glance."""

    GOOD = "good"
    EXPIRING = "expiring"  # one expires within the warning days
    PROBLEM = "problem"  # a mandatory kind is missing, or one has expired


def certificate_standing(
    certificates: Iterable[CertificateLike], on: date, mandatory: Iterable[str] = MANDATORY_KINDS
) -> Standing:
    """A worker's certificates on a day: a problem, one expiring soon, or good."""
    certificates = list(certificates)
    states = {certificate_status(c.valid_from, c.valid_until, on) for c in certificates}
    kinds = {str(c.kind) for c in certificates}
    if CertificateStatus.EXPIRED in states or not set(mandatory) <= kinds:
        return Standing.PROBLEM
    if CertificateStatus.EXPIRING in states:
        return Standing.EXPIRING
    return Standing.GOOD
