"""What supervisors do about incidents: acknowledge, close with an after-action evaluation, count.

Each change locks the incident's row first (PostgreSQL; SQLite's write lock is already held), so
a double tap or two supervisors at the same instant find the first one's change and do nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hk.database import lock_for_write
from hk.domain.emergency import CloseProblem, IncidentFigures, IncidentStatus, IncidentTimes
from hk.domain.emergency import close_problems as _close_problems
from hk.domain.emergency import incident_figures as _figures
from hk.extensions import db
from hk.models import Incident, User, record_event, utcnow


def _log(user: User, incident: Incident, action: str, at: datetime, **data) -> None:
    """The event of a change to an incident (on its job's log), at the time the incident keeps."""
    record_event(user, "job", incident.job_id, action, incident=incident.id, **data).at = at


def acknowledge_incident(incident_id: int, supervisor: User) -> Incident | None:
    """A supervisor takes an incident in hand: the alert stops; a second tap changes nothing."""
    incident = lock_for_write(Incident, incident_id)
    if incident is None or incident.acknowledged_at is not None:
        return incident
    now = utcnow()
    incident.acknowledged_at, incident.acknowledged_by_id = now, supervisor.id
    _log(supervisor, incident, "incident.acknowledge", now)
    db.session.commit()
    return incident


def close_incident(
    incident_id: int, supervisor: User, resolution: str, worked: str = "", to_change: str = ""
) -> list[CloseProblem]:
    """Close an incident with how it was resolved and, for a severe one, the after-action evaluation.

    Returns what is missing (nothing is changed then). Closing takes the incident in hand too, if no
    one had acknowledged it yet. An incident already closed stays as it was closed.
    """
    incident = lock_for_write(Incident, incident_id)
    if incident.status == IncidentStatus.CLOSED:
        return []
    problems = _close_problems(incident.severity, resolution, worked, to_change)
    if problems:
        return problems
    now = utcnow()
    acknowledged_now = incident.acknowledged_at is None
    if acknowledged_now:
        incident.acknowledged_at, incident.acknowledged_by_id = now, supervisor.id
    incident.status = IncidentStatus.CLOSED
    incident.closed_at, incident.closed_by_id = now, supervisor.id
    incident.resolution = resolution.strip()
    incident.evaluation_worked = (worked or "").strip() or None
    incident.evaluation_change = (to_change or "").strip() or None
    _log(
        supervisor,
        incident,
        "incident.close",
        now,
        evaluated=incident.evaluation_worked is not None,
        acknowledged=acknowledged_now,
    )
    db.session.commit()
    return []


def figures_since(since: datetime) -> IncidentFigures:
    """The response figures of the incidents reported since a moment: counts and median times."""
    rows = db.session.execute(
        select(
            Incident.severity,
            Incident.reported_at,
            Incident.acknowledged_at,
            Incident.closed_at,
            Incident.evaluation_worked,
            Incident.evaluation_change,
        ).where(Incident.reported_at >= since)
    )
    return _figures(
        IncidentTimes(severity, reported, acknowledged, closed, bool(worked and change))
        for severity, reported, acknowledged, closed, worked, change in rows
    )
