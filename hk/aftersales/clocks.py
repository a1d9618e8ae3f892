"""The open cases' two clocks, read now: the warnings on the lists and on /overview, and what the
periodic sweep tells the owner (4 hours left to answer) and an admin (a clock breached).

The clocks depend on pauses, so they are read in Python from each open case's facts rather than in
SQL; the open cases of one company are tens, not thousands. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hk.domain.complaints import (
    OPEN_STATUSES,
    Clock,
    ClockReading,
    ClockState,
    WarningLevel,
    first_response_clock,
    resolution_clock,
    warning_level,
)
from hk.extensions import db
from hk.models import Complaint


@dataclass(frozen=True)
class CaseClocks:
    case: Complaint
    first_response: ClockReading
    resolution: ClockReading

    @property
    def level(self) -> WarningLevel | None:
        return warning_level(self.first_response, self.resolution)


def read_clocks(case: Complaint, now: datetime) -> CaseClocks:
    """Both clocks of one case, now."""
    facts = case.facts()
    return CaseClocks(case, first_response_clock(facts, now), resolution_clock(facts, now))


def open_cases_with_clocks(now: datetime) -> list[CaseClocks]:
    """Every open case with its clocks, oldest received first."""
    query = (
        select(Complaint)
        .where(Complaint.status.in_(OPEN_STATUSES))
        .options(
            selectinload(Complaint.pauses),
            selectinload(Complaint.customer),
            selectinload(Complaint.owner),
        )
        .order_by(Complaint.received_at, Complaint.id)
    )
    return [read_clocks(case, now) for case in db.session.scalars(query)]


@dataclass(frozen=True)
class WarningSummary:
    amber: int  # open cases with a clock due within 4 hours (and none overdue)
    red: int  # open cases with a clock overdue

    @property
    def any(self) -> bool:
        return bool(self.amber or self.red)


def warnings_summary(clocks: list[CaseClocks]) -> WarningSummary:
    """How many open cases are amber and how many red."""
    levels = [c.level for c in clocks]
    return WarningSummary(levels.count(WarningLevel.AMBER), levels.count(WarningLevel.RED))


def cases_needing_warning(now: datetime) -> list[tuple[Complaint, Clock, ClockState]]:
    """Each open case's clock that needs someone told, with its state now: DUE_SOON (the owner: 4 hours
    left), OVERDUE (first response past 24 h) or BREACHED (an admin: past 48 h to answer, or past the
    resolution time). The sweep that sends the messages remembers what it already sent."""
    found = []
    for clocks in open_cases_with_clocks(now):
        readings = ((Clock.FIRST_RESPONSE, clocks.first_response), (Clock.RESOLUTION, clocks.resolution))
        for clock, reading in readings:
            if reading.warning:
                found.append((clocks.case, clock, reading.state))
    return found
