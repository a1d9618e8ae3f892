"""Severe incidents: the alert to the supervisors, and the banner on every supervisor page.

The banner comes from the incidents themselves (severe, open, not yet acknowledged), so it shows
until a supervisor acknowledges the incident, whatever becomes of any message.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hk.domain.emergency import ALERT_SEVERITY, IncidentStatus
from hk.extensions import db
from hk.models import Incident, Job, User, record_event

BANNER_ROWS = 3


def notify_severe_incident(incident: Incident, reporter: User | None) -> None:
    """Alert the supervisors of a severe incident just reported, in the transaction that saves it.

    Today this records an `incident.alert` event on the job; the banner needs nothing more.
    The email session hooks the message to the supervisors in here: enqueue it (hk.queue.enqueue)
    to be sent after this transaction commits, working from the incident, so that a message that
    is lost can be sent again and one that is sent twice says the same thing.
    """
    record_event(
        reporter,
        "job",
        incident.job_id,
        "incident.alert",
        incident=incident.id,
        type=incident.type,
        severity=incident.severity,
    )


def _unacknowledged():
    return (
        Incident.severity == ALERT_SEVERITY,
        Incident.status == IncidentStatus.OPEN,
        Incident.acknowledged_at.is_(None),
    )


def open_alerts(limit: int = BANNER_ROWS) -> tuple[list[Incident], int]:
    """The newest severe incidents no supervisor has acknowledged yet (at most `limit`), and how many."""
    total = db.session.scalar(select(func.count(Incident.id)).where(*_unacknowledged()))
    if not total:
        return [], 0
    incidents = db.session.scalars(
        select(Incident)
        .where(*_unacknowledged())
        .options(
            selectinload(Incident.job).selectinload(Job.customer),
            selectinload(Incident.reported_by),
        )
        .order_by(Incident.reported_at.desc(), Incident.id.desc())
        .limit(limit)
    ).all()
    return list(incidents), total
