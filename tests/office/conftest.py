"""What the back-office tests share: a supervisor's and an administrator's posting client."""

import pytest

from tests.conftest import csrf_token


def _poster(client, login, role):
    login(role)
    token = csrf_token(client, "/office/customers")

    def post(path, data=None, **kwargs):
        return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    return post


@pytest.fixture
def office(client, login):
    """Posts from a supervisor, who runs the daily work."""
    return _poster(client, login, "supervisor")


@pytest.fixture
def admin_office(client, login):
    """Posts from an administrator: accounts, the catalogue and prices are theirs alone."""
    return _poster(client, login, "admin")
