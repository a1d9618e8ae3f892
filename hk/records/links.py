"""The customer's link to their record: a signed token that cannot be guessed or edited, and its checks."""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from hk.extensions import db
from hk.models import CustomerLink, Job, utcnow


class LinkState(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # not a token of ours, cut short, or its link is gone
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="hk-customer-link")


def new_customer_link(job: Job) -> CustomerLink:
    """A link for the customer, valid for CUSTOMER_LINK_DAYS, in the caller's transaction."""
    link = CustomerLink(
        job=job,
        nonce=secrets.token_urlsafe(16),
        expires_at=utcnow() + timedelta(days=current_app.config["CUSTOMER_LINK_DAYS"]),
    )
    db.session.add(link)
    db.session.flush()
    return link


def latest_link(job_id: int) -> CustomerLink | None:
    """The newest customer link of a job that is neither revoked nor expired."""
    return db.session.scalar(
        select(CustomerLink)
        .where(
            CustomerLink.job_id == job_id,
            CustomerLink.revoked_at.is_(None),
            CustomerLink.expires_at > utcnow(),
        )
        .order_by(CustomerLink.id.desc())
        .limit(1)
    )


def customer_url(link: CustomerLink) -> str:
    """The address the customer opens to see and download their record."""
    token = _serializer().dumps({"l": link.id, "n": link.nonce})
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/r/{token}"


def link_for_token(token: str) -> tuple[CustomerLink | None, LinkState]:
    """The customer link behind a token when it may be used, else None and why not."""
    try:
        data = _serializer().loads(token)
    except SignatureExpired:
        return None, LinkState.EXPIRED
    except BadSignature:
        return None, LinkState.INVALID
    link = db.session.get(CustomerLink, data.get("l")) if isinstance(data, dict) else None
    if link is None or link.nonce != data.get("n"):
        return None, LinkState.INVALID
    if link.revoked_at is not None:
        return None, LinkState.WITHDRAWN
    if link.expires_at <= utcnow():
        return None, LinkState.EXPIRED
    return link, LinkState.OK
