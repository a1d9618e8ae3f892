"""The back-office pages of a seeded demo, with the ids to open them with: every page a supervisor or an
administrator reads (GET), each page about one thing opened for every such thing of the demo, or a
sample of them (every fifth record and job, and each one sent back, corrected or flagged)."""

from __future__ import annotations

from sqlalchemy import select

from hk.extensions import db
from hk.models import (
    Complaint,
    Customer,
    Event,
    FollowUp,
    Incident,
    Job,
    Message,
    Role,
    ServiceRecord,
    ServiceType,
    User,
)

# Read by supervisors and administrators; the rest of /office/staff and /office/outbox by administrators.
PAGES = [
    "/overview",
    "/complaints",
    "/complaints/new",
    "/incidents",
    "/records",
    "/records?current=0",
    "/records?incident=1",
    "/records?refused=1",
    "/records?failed=1",
    "/records/chain",
    "/office/schedule",
    "/office/jobs/new",
    "/office/workers",
    "/office/customers",
    "/office/customers/new",
    "/office/follow-ups",
    "/office/catalogue",
]
ADMIN_PAGES = ["/office/staff", "/office/outbox", "/office/outbox?status=sent"]


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def back_office_paths(role: Role) -> list[str]:
    paths = list(PAGES)
    records = _ids(select(ServiceRecord.id).order_by(ServiceRecord.id))
    special = _ids(
        select(ServiceRecord.id).where(
            ServiceRecord.flag_incident.is_(True)
            | ServiceRecord.flag_refused.is_(True)
            | (ServiceRecord.version > 1)
            | ServiceRecord.job_id.in_(select(Event.subject_id).where(Event.action == "record.send_back"))
        )
    )
    paths += [f"/records/{n}" for n in sorted(set(records[::5] + special))]
    jobs = _ids(select(Job.id).order_by(Job.id))
    paths += [f"/office/jobs/{n}" for n in jobs[::5]]
    paths += [f"/jobs/{n}/record" for n in jobs[::7]]
    paths += [f"/complaints/{n}" for n in _ids(select(Complaint.id))]
    paths += [f"/office/customers/{n}" for n in _ids(select(Customer.id))]
    paths += [f"/office/workers/{n}" for n in _ids(select(User.id).where(User.role == Role.WORKER))]
    paths += [f"/office/follow-ups/{n}" for n in _ids(select(FollowUp.id))]
    paths += [f"/office/catalogue/{n}" for n in _ids(select(ServiceType.id))]
    paths += [f"/office/catalogue/{n}/checklist" for n in _ids(select(ServiceType.id))]
    incidents = _ids(select(Incident.job_id))
    paths += [f"/office/jobs/{n}" for n in incidents]
    if role == Role.ADMIN:
        paths += ADMIN_PAGES
        paths += [f"/office/staff/{n}" for n in _ids(select(User.id))]
        paths += [f"/office/outbox/{n}" for n in _ids(select(Message.id).order_by(Message.id))[::10]]
    return paths
