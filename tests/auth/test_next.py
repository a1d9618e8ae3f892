"""After login or a language change, hk goes back only to a page of its own (no open redirect)."""

from urllib.parse import quote

import pytest

from hk.views_helpers import safe_next
from tests.builders import PASSWORD, make_user
from tests.conftest import CSRF_RE, csrf_token

# Each would take a browser to another site (or break the Location header) if passed through.
HOSTILE = [
    "//evil.example/x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/x\r\nSet-Cookie: a=b",
    "/x\x00",
    "evil.example",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_every_way_out(target):
    assert safe_next(target, "/") == "/"


@pytest.mark.parametrize("target", ["/overview", "/jobs/12?x=1#item-3", "/r/abc.def-ghi", "/today"])
def test_safe_next_keeps_a_page_of_this_site(target):
    assert safe_next(target, "/") == target


@pytest.mark.parametrize("target", HOSTILE)
def test_login_with_a_hostile_next_lands_home(client, target):
    """The next value arrives through GET /login?next=… (percent-encoded), as a link would bring it."""
    user = make_user("supervisor")
    page = client.get("/login?next=" + quote(target, safe=""))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "csrf_token": CSRF_RE.search(body).group(1),
            "username": user.username,
            "password": PASSWORD,
            "next": target,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "/x\r\nA: b"])
def test_the_language_switch_with_a_hostile_next_stays_home(client, target):
    response = client.post("/language", data={"csrf_token": csrf_token(client), "lang": "en", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_language_switch_goes_back_to_the_page(client):
    response = client.post(
        "/language", data={"csrf_token": csrf_token(client), "lang": "en", "next": "/login?x=1"}
    )
    assert response.headers["Location"] == "/login?x=1"
