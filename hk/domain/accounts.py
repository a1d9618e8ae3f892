"""Login accounts: what a first password must be, and which changes of role or access may be made.

Roles are the strings stored in the database ("worker", "supervisor", "admin").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hk.domain.workflow import Refusal

ADMIN = "admin"
WORKER = "worker"

MIN_PASSWORD = 8
MAX_PASSWORD = 128


def password_problems(password: str) -> list[Refusal]:
    """Why a password may not be set: today only its length (the one place a policy will grow)."""
    if len(password) < MIN_PASSWORD:
        return [Refusal("password_too_short", {"min": MIN_PASSWORD})]
    if len(password) > MAX_PASSWORD:
        return [Refusal("password_too_long", {"max": MAX_PASSWORD})]
    return []


@dataclass(frozen=True)
class Account:
    """What the rules need to know about one account."""

    id: int
    role: str
    enabled: bool


def change_problems(
    actor_id: int,
    enabled_admin_ids: Collection[int],
    account: Account,
    role: str,
    enabled: bool,
    open_jobs: int = 0,
) -> list[Refusal]:
    """Why an account may not get this role and this access.

    `enabled_admin_ids` are the company's enabled administrators as they are now, read under the lock
    that makes account changes one at a time. Only an enabled administrator changes accounts (a
    request sent just before its sender lost that right is refused); the company always keeps at
    least one enabled administrator; a cleaner keeps the cleaner's role while jobs not yet finished
    are assigned to them.
    """
    if actor_id not in enabled_admin_ids:
        return [Refusal("not_admin")]
    problems = []
    remaining = set(enabled_admin_ids) - {account.id}
    if role == ADMIN and enabled:
        remaining.add(account.id)
    if not remaining:
        problems.append(Refusal("last_admin"))
    if account.role == WORKER and role != WORKER and open_jobs:
        problems.append(Refusal("open_jobs", {"count": open_jobs}))
    return problems
