"""Customer mode: the worker's phone in the customer's hands shows only that job's signing screens.

From "hand the phone to the customer" until the worker takes it back, the login session is tied to
one job: the review, the signature (or refusal), the job's photos and the thanks page. Every other
page is refused by the server, so no link or typed address leads to the worker's job list with
other customers' addresses and door codes. The state lives on the server (the LoginSession row),
not in the browser, so clearing a cookie or opening a second tab does not end it.

The customer's screens speak the customer's language: one switch on every customer screen sets it
on the same row (customer_lang), the review, the thanks page, the record and the customer's emails
follow it, and the worker's own language comes back with the phone. It starts as the language the
customer signed their last record in, else the worker's.

Taking the phone back asks for the worker's password: something only the worker knows, that needs
no setting up (a PIN would be one more secret to choose, forget and reset) and that the phone's
password manager can fill. A few wrong tries end the login on this phone: whoever holds it then
faces the ordinary login page with its throttling, and the customer has seen nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash

from hk.database import begin_writing
from hk.extensions import db
from hk.jobs.service import log
from hk.models import Job, LoginSession, SignOff, User, utcnow
from hk.phone_writes import take_client_key

# Wrong passwords allowed when taking the phone back before the login on this phone is ended.
MAX_HANDBACK_FAILURES = 5

# The screens the customer may see, each only for the job handed over.
CUSTOMER_ENDPOINTS = frozenset(
    {
        "sign.hand_to_customer",  # a double tap on "hand over" lands on the review like the first tap
        "sign.review_job",
        "sign.review_kept",
        "sign.shown_json",
        "sign.sign_job",
        "sign.refuse_job",
        "sign.show_signed",
        "jobs.show_photo",
    }
)
# Always reachable in customer mode: taking the phone back, and the customer's language switch.
HANDBACK_ENDPOINTS = frozenset({"sign.hand_back_phone", "sign.set_customer_language"})
LANGUAGES = ("zh_CN", "en")


def allows(customer_job_id: int, endpoint: str, view_args: dict | None) -> bool:
    """Whether a request to a non-public page may go ahead while the customer holds the phone."""
    if endpoint in HANDBACK_ENDPOINTS:
        return True
    return endpoint in CUSTOMER_ENDPOINTS and (view_args or {}).get("job_id") == customer_job_id


def _this_login(user: User):
    return LoginSession.token == user.login_token


def first_language(job: Job, worker_lang: str) -> str:
    """The language the customer screens open in: the one this customer signed in last, else the worker's."""
    last = db.session.scalar(
        select(SignOff.language)
        .join(Job, Job.id == SignOff.job_id)
        .where(Job.customer_id == job.customer_id, SignOff.job_id != job.id)
        .order_by(SignOff.signed_at.desc(), SignOff.id.desc())
        .limit(1)
    )
    return last if last in LANGUAGES else worker_lang


def hand_over(job: Job, user: User, lang: str) -> None:
    """Put this login in customer mode for the job, in the language `lang`.

    Set-like: a double tap changes and logs nothing more (nor resets a language the customer chose).
    """
    changed = db.session.execute(
        update(LoginSession)
        .where(
            _this_login(user),
            LoginSession.ended_at.is_(None),
            or_(LoginSession.customer_job_id.is_(None), LoginSession.customer_job_id != job.id),
        )
        .values(customer_job_id=job.id, handback_failures=0, customer_lang=lang)
    ).rowcount
    if changed:
        log(user, job, "customer_mode.start", lang=lang)
    db.session.commit()
    user.customer_job_id = job.id
    user.customer_lang = db.session.scalar(select(LoginSession.customer_lang).where(_this_login(user)))


def set_language(user: User, lang: str) -> None:
    """The customer's choice of language for the customer screens on this phone (not the worker's).

    Set-like, and only while the phone is in customer mode; the caller commits.
    """
    if lang not in LANGUAGES:
        return
    db.session.execute(
        update(LoginSession)
        .where(_this_login(user), LoginSession.customer_job_id.is_not(None))
        .values(customer_lang=lang)
    )
    user.customer_lang = lang


class HandBack(StrEnum):
    """The outcome of a try to take the phone back."""

    OK = "ok"
    WRONG = "wrong"
    LOGGED_OUT = "logged_out"


def hand_back_offline(user: User, secret: str) -> HandBack:
    """The phone was taken back without signal: the worker's password unwrapped, on the phone, the
    secret made at login (static/js/handback_key.js); the outbox sends it when there is signal.

    The login keeps only its SHA-256 (handback_check), so whoever holds the phone cannot end customer
    mode without the password. Set-like, as hand_back; a wrong secret counts as a wrong password.
    """
    check = db.session.scalar(select(LoginSession.handback_check).where(_this_login(user)))
    sent = hashlib.sha256((secret or "").strip().lower().encode()).hexdigest()
    if check is None or not hmac.compare_digest(check, sent):
        return hand_back(user, None)
    begin_writing()
    job = db.session.get(Job, user.customer_job_id) if user.customer_job_id else None
    if job is not None:
        take_client_key(job)  # once per key, and the phone's time of it kept on the event
    return _end_customer_mode(user, offline=True)


def _end_customer_mode(user: User, **facts) -> HandBack:
    job = db.session.get(Job, user.customer_job_id) if user.customer_job_id else None
    ended = db.session.execute(
        update(LoginSession)
        .where(_this_login(user), LoginSession.customer_job_id.is_not(None))
        .values(customer_job_id=None, handback_failures=0, customer_lang=None)
    ).rowcount
    if ended and job is not None:
        log(user, job, "customer_mode.end", **facts)
    db.session.commit()
    user.customer_job_id = user.customer_lang = None
    return HandBack.OK


def hand_back(user: User, password: str | None) -> HandBack:
    """Check the worker's password (slow hash first, then a short write) and end customer mode.

    A wrong password counts against this login; at MAX_HANDBACK_FAILURES the login ends. Two right
    answers at the same instant end the mode once.
    """
    valid = password is not None and check_password_hash(user.password_hash, password)
    begin_writing()
    if valid:
        return _end_customer_mode(user)
    job = db.session.get(Job, user.customer_job_id) if user.customer_job_id else None
    db.session.execute(
        update(LoginSession)
        .where(_this_login(user))
        .values(handback_failures=LoginSession.handback_failures + 1)
    )
    failures = db.session.scalar(select(LoginSession.handback_failures).where(_this_login(user))) or 0
    if failures < MAX_HANDBACK_FAILURES:
        db.session.commit()
        return HandBack.WRONG
    logged_out = db.session.execute(
        update(LoginSession)
        .where(_this_login(user), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    ).rowcount
    if logged_out and job is not None:
        log(user, job, "customer_mode.logged_out", failures=failures)
    db.session.commit()
    return HandBack.LOGGED_OUT


def tries_left(user: User) -> int:
    """How many wrong passwords may still be tried before the login on this phone ends."""
    failures = db.session.scalar(select(LoginSession.handback_failures).where(_this_login(user))) or 0
    return max(0, MAX_HANDBACK_FAILURES - failures)
