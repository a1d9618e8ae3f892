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


def authenticate(username: str, password: str, ip: str) -> LoginResult:
    """Check a login and record the attempt; repeated failures lock the name and the address."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    now = utcnow()
    since = now - window
    username = username.strip().lower()
    if (
        _recent_failures(LoginAttempt.username, username, since) >= cfg["LOGIN_MAX_FAILURES"]
        or _recent_failures(LoginAttempt.ip, ip, since) >= cfg["LOGIN_MAX_FAILURES_PER_IP"]
    ):
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
