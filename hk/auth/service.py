"""Password checks, login throttling, login sessions and the change of one's own password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from hk.database import begin_writing, lock_for_write, reading
from hk.extensions import db
from hk.mail.addresses import normal_address
from hk.models import Event, LoginAttempt, LoginSession, User, record_event, utcnow
from hk.models.people import hash_password

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


@dataclass(frozen=True)
class PasswordChange:
    error: str | None  # "throttled", "wrong" (not the current password), "ended" (logged out meanwhile)
    retry_minutes: int = 0


def change_own_password(
    user: User, current: str, new: str, ip: str, user_agent: str, usual_device: bool
) -> PasswordChange:
    """Change a logged-in person's password once they have given the current one.

    A wrong current password counts as a failed login for their name from this address, so a stolen
    session cannot guess it without limit (is_throttled). On success every login session of the
    person ends, this one too, and this browser gets a fresh one (the caller logs it in: user.get_id()
    names it): a copy of any cookie or remember token from before is worthless. The new password
    has passed the rule (hk.domain.passwords) in the form.
    """
    username = user.username.lower()
    if is_throttled(username, ip, usual_device):
        return PasswordChange("throttled", current_app.config["LOGIN_LOCK_MINUTES"])
    token = user.login_token
    valid = check_password_hash(user.password_hash, current)
    new_hash = hash_password(new) if valid else ""
    begin_writing()  # the slow hashes are done: now the short write
    if not valid:
        db.session.add(LoginAttempt(username=username, ip=ip, at=utcnow(), success=False))
        db.session.commit()
        return PasswordChange("wrong")
    user = lock_for_write(User, user.id)  # a twin request waits here (PostgreSQL; SQLite's lock already)
    own = db.session.scalar(select(LoginSession).where(LoginSession.token == token))
    if own is None or own.ended_at is not None:
        db.session.rollback()
        return _after_twin(user, own, new)
    ended = db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    ).rowcount
    user.password_hash = new_hash
    user.session_version += 1
    fresh = start_session(user, ip, user_agent)
    db.session.flush()
    record_event(
        user,
        "user",
        user.id,
        "password.change",
        changes={"password_hash": "changed"},
        other_logins_ended=ended - 1,
        from_session=own.id,
        session=fresh.id,
    )
    db.session.commit()
    return PasswordChange(None)


def set_own_email(user: User, email: str | None) -> bool:
    """A person sets (or clears) the address of their work messages; logged. False when unchanged."""
    address = normal_address(email)
    if user.email == address:
        return False
    record_event(user, "user", user.id, "account.email", changes={"email": [user.email, address]})
    user.email = address
    db.session.commit()
    return True


def _after_twin(user: User, own: LoginSession | None, new: str) -> PasswordChange:
    """This request's login ended while its password was checked. When its twin (a double tap)
    changed the password to this same new one, it takes over the twin's fresh login, so this browser
    stays logged in whichever answer it keeps; otherwise (logged out everywhere meanwhile) it ends."""
    with reading():
        last = db.session.scalar(
            select(Event)
            .where(
                Event.subject_type == "user", Event.subject_id == user.id, Event.action == "password.change"
            )
            .order_by(Event.id.desc())
            .limit(1)
        )
        if own is None or last is None or last.data.get("from_session") != own.id:
            return PasswordChange("ended")
        fresh = db.session.get(LoginSession, last.data.get("session"))
        if fresh is None or fresh.ended_at is not None or not check_password_hash(user.password_hash, new):
            return PasswordChange("ended")
        user.login_token = fresh.token
        return PasswordChange(None)


def handback_check(value: str | None) -> str | None:
    """The SHA-256 (hex) a phone sends at login for taking the phone back offline; None if not one."""
    value = (value or "").strip().lower()
    return value if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else None


def start_session(user: User, ip: str, user_agent: str) -> LoginSession:
    """A new login session for this browser, in the caller's transaction; user.get_id() carries it."""
    login = LoginSession(
        token=secrets.token_urlsafe(32), user=user, ip=ip[:64], user_agent=(user_agent or "")[:200] or None
    )
    db.session.add(login)
    user.login_token = login.token
    return login


def user_for(cookie_id: str) -> User | None:
    """The user of a live login session named by a cookie's "<user id>:<version>:<token>", else None."""
    try:
        uid, version, token = cookie_id.split(":", 2)
        uid, version = int(uid), int(version)
    except ValueError:
        return None
    row = db.session.execute(
        select(User, LoginSession.customer_job_id, LoginSession.customer_lang)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == uid, LoginSession.token == token, LoginSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    user, customer_job_id, customer_lang = row
    if user.session_version != version or not user.is_enabled:
        return None
    user.login_token = token
    user.customer_job_id = customer_job_id
    user.customer_lang = customer_lang if customer_job_id is not None else None
    return user


def end_session(user: User) -> None:
    """End the login session this request runs under (logout)."""
    if user.login_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token == user.login_token, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    db.session.commit()


def end_all_sessions(user: User) -> int:
    """End every login session of this person, on every device; how many were still open."""
    ended = db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    ).rowcount
    user.session_version += 1
    db.session.commit()
    return ended


_PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)


def device_label(user_agent: str | None) -> str | None:
    """A short name for the browser and system of a login ("Chrome · Android"), or None if unknown."""
    ua = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in ua), None)
    platform = next((name for key, name in _PLATFORMS if key in ua), None)
    return " · ".join(x for x in (browser, platform) if x) or None


def open_sessions(user: User) -> list[LoginSession]:
    """This person's login sessions that are still open, newest first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
            .order_by(LoginSession.created_at.desc())
        )
    )
