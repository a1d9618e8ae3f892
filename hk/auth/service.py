"""Password checks and login throttling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from hk.database import begin_writing
from hk.extensions import db
from hk.models import LoginAttempt, User, utcnow

# Checked against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0f9a")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None  # "throttled", "invalid", "disabled"
    retry_minutes: int = 0


def _recent_failures(column, value: str, since) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since
        )
    )


def _pair_failures(username: str, ip: str, since) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.success.is_(False),
            LoginAttempt.at >= since,
        )
    )


def is_throttled(username: str, ip: str, usual_device: bool) -> bool:
    """Whether to refuse this try before checking the password.

    A few failures lock the name *from that address* only, so a stranger cannot lock the owner
    out; many failures from one address lock that address for every name; and a much higher number
    of failures for one name, from anywhere, locks the name except on a browser where its owner
    has logged in before (`usual_device`).
    """
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    if _pair_failures(username, ip, since) >= cfg["LOGIN_MAX_FAILURES"]:
        return True
    if _recent_failures(LoginAttempt.ip, ip, since) >= cfg["LOGIN_MAX_FAILURES_PER_IP"]:
        return True
    if usual_device:
        return False
    return _recent_failures(LoginAttempt.username, username, since) >= cfg["LOGIN_MAX_FAILURES_PER_NAME"]


def authenticate(username: str, password: str, ip: str, usual_device: bool = False) -> LoginResult:
    """Check a login and record the attempt; repeated failures are throttled (see is_throttled)."""
    cfg = current_app.config
    now = utcnow()
    username = username.strip().lower()
    if is_throttled(username, ip, usual_device):
        return LoginResult(None, "throttled", cfg["LOGIN_LOCK_MINUTES"])
    user = db.session.scalar(select(User).where(func.lower(User.username) == username))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    begin_writing()  # the slow hash is done: now the short write of the attempt
    if not valid or user is None:
        db.session.add(LoginAttempt(username=username, ip=ip, at=now, success=False))
        db.session.commit()
        return LoginResult(None, "invalid")
    if not user.is_enabled:
        return LoginResult(None, "disabled")
    db.session.add(LoginAttempt(username=username, ip=ip, at=now, success=True))
    return LoginResult(user, None)
