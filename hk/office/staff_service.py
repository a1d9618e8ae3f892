"""Login accounts: create one, change a person's role, disable or enable them, set the address of their
work messages — each logged and committed.

Every account change first locks the rows of the enabled administrators (in id order, on
PostgreSQL; SQLite's write transaction already shuts out every other writer), so account changes
happen one at a time and two administrators demoting each other at the same instant cannot leave
the company without one. A change of role or access ends every login session of the person at once.
"""

from __future__ import annotations

from sqlalchemy import select

from hk.auth.service import end_all_sessions
from hk.domain.accounts import Account, change_problems, password_problems
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.mail.addresses import normal_address
from hk.models import Role, User, WorkerProfile, record_event
from hk.office import queries
from hk.office.service import apply_changes


def set_first_password(user: User, password: str) -> None:
    """The one place a new account's password is set: checked against the policy, kept only hashed."""
    problems = password_problems(password)
    if problems:
        raise WorkflowError(problems)
    user.set_password(password)


def create_account(
    actor: User,
    role: Role,
    username: str,
    display_name: str,
    phone: str | None,
    password: str,
    employee_no: str | None = None,
) -> User:
    """A new account; a cleaner's comes with a worker profile (employee number)."""
    user = User(
        username=username.strip().lower(),
        display_name=display_name.strip(),
        phone=phone or None,
        role=Role(role),
    )
    set_first_password(user, password)
    if user.role == Role.WORKER:
        user.profile = WorkerProfile(employee_no=employee_no or None)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor,
        "user",
        user.id,
        "account.create",
        changes={"username": user.username, "display_name": user.display_name, "role": user.role.value},
    )
    db.session.commit()
    return user


def _enabled_admin_ids() -> list[int]:
    """The enabled administrators, their rows locked until the commit (the turn of account changes)."""
    query = (
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_enabled.is_(True))
        .order_by(User.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: logins (a key share) never wait for it
    )
    return list(db.session.scalars(query))


def change_account(actor: User, user_id: int, role: Role | None = None, enabled: bool | None = None) -> dict:
    """Give an account another role and/or turn it off or on; what changed ({} when nothing did).

    Refused (WorkflowError, nothing written) when the sender is no longer an enabled administrator,
    when no enabled administrator would be left, or when a cleaner with unfinished jobs would stop
    being a cleaner. Safe to run twice: the second run finds nothing to change.
    """
    try:
        admins = _enabled_admin_ids()
        user = db.session.get(User, user_id, with_for_update={"key_share": True}, populate_existing=True)
        role = Role(role) if role is not None else user.role
        enabled = user.is_enabled if enabled is None else enabled
        open_jobs = queries.open_jobs_of(user.id) if user.role == Role.WORKER and role != Role.WORKER else 0
        account = Account(user.id, user.role.value, user.is_enabled)
        problems = change_problems(actor.id, admins, account, role.value, enabled, open_jobs)
        if problems:
            raise WorkflowError(problems)
    except WorkflowError:
        db.session.rollback()
        raise
    changes = {}
    if role != user.role:
        changes |= apply_changes(actor, user, "user", "account.role", {"role": role})
        if role == Role.WORKER and user.profile is None:
            user.profile = WorkerProfile()
    if enabled != user.is_enabled:
        action = "account.enable" if enabled else "account.disable"
        changes |= apply_changes(actor, user, "user", action, {"is_enabled": enabled})
    if changes:
        end_all_sessions(user)  # the old rights stop at once; this commits the change with it
    else:
        db.session.commit()
    return changes


def set_email(actor: User, user: User, email: str | None) -> bool:
    """Set or clear the address a person's work messages go to; False when it was so already."""
    changes = apply_changes(actor, user, "user", "account.email", {"email": normal_address(email)})
    db.session.commit()
    return bool(changes)
