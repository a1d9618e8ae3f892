"""Who may open a job: its own worker, or a supervisor or admin. Shared by the job and signing screens."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from hk.database import lock_for_write, wants_write
from hk.errors import AnotherWorkersJob
from hk.extensions import db
from hk.models import Job, Role
from hk.phone_writes import take_client_key

WORKERS = (Role.WORKER,)
EVERYONE = (Role.WORKER, Role.SUPERVISOR, Role.ADMIN)


class NotYourJob(AnotherWorkersJob):
    """A worker opened a job assigned to someone else."""


def load_job(job_id: int) -> Job:
    """The job, if the person may see it: its own worker, or a supervisor or admin.

    In a transaction that writes, the job's row is locked (PostgreSQL) so that changes to one job
    are made one after the other: a double tap finds the first tap's change and does nothing, and
    an outbox entry sent again is answered as done before anything else (``take_client_key``).
    """
    job = lock_for_write(Job, job_id) if wants_write() else db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if current_user.role == Role.WORKER and job.worker_id != current_user.id:
        raise NotYourJob()
    take_client_key(job)  # a write the phone already made is answered as done (hk/phone_writes.py)
    return job
