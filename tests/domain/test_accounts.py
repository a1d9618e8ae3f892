"""Account rules: a first password's length, and which changes of role or access may be made."""

import pytest

from hk.domain.accounts import MAX_PASSWORD, MIN_PASSWORD, Account, change_problems, password_problems


def _codes(problems):
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("x" * (MIN_PASSWORD - 1), ["password_too_short"]),
        ("x" * MIN_PASSWORD, []),
        ("x" * MAX_PASSWORD, []),
        ("x" * (MAX_PASSWORD + 1), ["password_too_long"]),
        ("", ["password_too_short"]),
    ],
)
def test_a_first_password_needs_a_sensible_length(password, codes):
    assert _codes(password_problems(password)) == codes


ME, OTHER = 1, 2


@pytest.mark.parametrize(
    ("admins", "account", "role", "enabled", "codes"),
    [
        # the last enabled administrator may neither step down nor be switched off
        ({ME}, Account(ME, "admin", True), "supervisor", True, ["last_admin"]),
        ({ME}, Account(ME, "admin", True), "admin", False, ["last_admin"]),
        ({ME}, Account(ME, "admin", True), "admin", True, []),
        # with another one left, they may
        ({ME, OTHER}, Account(ME, "admin", True), "supervisor", True, []),
        ({ME, OTHER}, Account(OTHER, "admin", True), "worker", False, []),
        # others' changes never touch the count
        ({ME}, Account(OTHER, "supervisor", True), "supervisor", False, []),
        ({ME}, Account(OTHER, "supervisor", True), "admin", True, []),
    ],
)
def test_the_company_always_keeps_an_enabled_administrator(admins, account, role, enabled, codes):
    assert _codes(change_problems(ME, admins, account, role, enabled)) == codes


def test_only_an_enabled_administrator_changes_accounts():
    """A request sent just before its sender was demoted or disabled finds them gone from the list."""
    problems = change_problems(ME, {OTHER}, Account(OTHER, "admin", True), "supervisor", True)
    assert _codes(problems) == ["not_admin"]


def test_a_cleaner_with_unfinished_jobs_stays_a_cleaner():
    worker = Account(OTHER, "worker", True)
    assert _codes(change_problems(ME, {ME}, worker, "supervisor", True, open_jobs=2)) == ["open_jobs"]
    assert change_problems(ME, {ME}, worker, "supervisor", True, open_jobs=0) == []
    assert change_problems(ME, {ME}, worker, "worker", False, open_jobs=2) == []  # disabling is fine
