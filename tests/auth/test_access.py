"""Every route declares who may open it; the role × route table proves it is enforced."""

import pytest

from hk.models import Role
from tests.builders import make_user

PUBLIC = {"auth.login", "auth.set_language", "main.healthz", "static"}

# endpoint → (path, roles allowed, status for an allowed role)
ACCESS = {
    "main.home": ("/", set(Role), 302),
    "main.today": ("/today", {Role.WORKER}, 200),
    "main.overview": ("/overview", {Role.SUPERVISOR, Role.ADMIN}, 200),
}
POST_ONLY = {"auth.logout": ("/logout", set(Role))}


def test_every_endpoint_is_public_or_declares_its_roles(app):
    for endpoint, view in app.view_functions.items():
        if endpoint in PUBLIC:
            assert getattr(view, "hk_public", False) or endpoint == "static", endpoint
        else:
            assert getattr(view, "hk_roles", None), f"{endpoint} has no role declaration"


def test_the_access_table_covers_every_endpoint(app):
    assert set(app.view_functions) == PUBLIC | set(ACCESS) | set(POST_ONLY)


def test_declared_roles_match_the_table(app):
    for endpoint, (_path, roles, _status) in ACCESS.items():
        assert app.view_functions[endpoint].hk_roles == roles, endpoint
    for endpoint, (_path, roles) in POST_ONLY.items():
        assert app.view_functions[endpoint].hk_roles == roles, endpoint


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_role_by_route(client, login, role, endpoint):
    path, roles, ok_status = ACCESS[endpoint]
    login(role)
    response = client.get(path)
    if role in roles:
        assert response.status_code == ok_status
    else:
        assert response.status_code == 403
        assert "您无权访问此页面" in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_anonymous_visitors_are_sent_to_login(client, endpoint):
    path = ACCESS[endpoint][0]
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_403_page_speaks_english_to_an_english_user(client, login):
    login(make_user(Role.WORKER, locale="en"))
    response = client.get("/overview")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
