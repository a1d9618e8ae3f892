"""Severe incidents: the alert to the supervisors (an event and an email), and the banner on every
supervisor page.

The banner comes from the incidents themselves (severe, open, not yet acknowledged), so it shows
until a supervisor acknowledges the incident, whatever becomes of any message.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hk.domain.emergency import ALERT_SEVERITY, IncidentStatus
from hk.extensions import db
from hk.mail import staff_notices
from hk.mail.service import queue_safely
from hk.models import STAFF, Incident, Job, User, record_event

BANNER_ROWS = 3
ALERTED = STAFF


def notify_severe_incident(incident: Incident, reporter: User | None) -> list[int]:
    """Alert the supervisors of a severe incident just reported, in the transaction that saves it.

    Records an `incident.alert` event on the job and queues an email to every enabled supervisor and
    administrator who gave an address, in their language (one per person and incident: its key is
    `incident_alert:<incident id>:<user id>`). A failure while queueing costs only the emails. Returns
    the messages' ids: the caller commits, then hands them to `send_each`. The banner needs none of it.
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
    people = db.session.scalars(
        select(User)
        .where(User.role.in_(ALERTED), User.is_enabled.is_(True), User.email.is_not(None))
        .order_by(User.id)
    ).all()
    return queue_safely(
        lambda: [staff_notices.severe_incident(incident, person) for person in people],
        f"incident {incident.id}",
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
