"""The customer's answer to the review: the sign-off, the job completed, the link and the pending record."""

from __future__ import annotations

from flask_babel import gettext as _

from hk.domain import workflow
from hk.domain.workflow import Action
from hk.extensions import db
from hk.jobs.service import facts_for, log
from hk.models import Job, ServiceRecord, SignOff, SignOffKind, User
from hk.records import links
from hk.records import service as records


def consent_sentence() -> str:
    """The sentence the customer agrees to, in the language of the page."""
    return _(
        "I have reviewed the work, the photos and the price above and confirm the service was done as shown."
    )


def typed_consent_sentence(name: str) -> str:
    """What a customer who signs by typing their name agrees to, with that name, in the page's language."""
    return _(
        "I, %(name)s, have reviewed the work, the photos and the price above, confirm the service was done "
        "as shown, and sign by typing my name.",
        name=name,
    )


def finish(job: Job, user: User, signoff: SignOff) -> ServiceRecord:
    """In one short transaction: the sign-off, the job's new state, the customer's link, a pending record.

    The domain decides whether the job may be signed now (WorkflowError if not). The caller then
    hands the record to the queue; if that message is lost, the sweep makes the record anyway.
    """
    new_status = workflow.decide(facts_for(job), Action.SIGN)
    old, job.status = job.status, new_status
    db.session.add(signoff)
    action = "sign" if signoff.kind == SignOffKind.SIGNED else "sign.refused"
    facts = {"from": str(old), "to": str(new_status), "shown_hash": signoff.shown_hash}
    if signoff.signature_kind is not None:
        facts["signature"] = str(signoff.signature_kind)
    if signoff.received_at is not None:  # made offline: when it was signed on the phone, and arrived
        facts.update(offline=True, signed_at=signoff.signed_at.isoformat())
        facts["received_at"] = signoff.received_at.isoformat()
    log(user, job, action, **facts)
    links.new_customer_link(job)
    record = records.add_record(job, signoff, user)
    db.session.commit()
    return record
