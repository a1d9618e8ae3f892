"""Headers, CSP-safe templates, CSRF on htmx requests, secrets and uploads limits."""

import re
from pathlib import Path

import pytest

from hk import create_app
from hk.config import ConfigError, TestConfig
from hk.models import Role
from tests.auth.test_access import ACCESS, _subjects
from tests.builders import make_job, make_user
from tests.conftest import csrf_token
from tests.jobs.helpers import review_hash
from tests.records.test_sign_flow import signature_png

ROOT = Path(__file__).resolve().parent.parent


def _assert_secure_headers(response, where: str) -> None:
    """The headers every answer of hk carries: a strict CSP, nosniff, no framing, same-origin referrer."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp or "script-src 'self'" in csp, f"{where}: CSP {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: CSP {csp!r}"
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, f"{where}: CSP {csp!r}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where


def test_security_headers_on_the_public_pages_and_the_error_pages(client):
    for path, status in (
        ("/login", 200),
        ("/verify", 200),
        ("/verify/ZZZZ-ZZZZ", 200),
        ("/healthz", 200),
        ("/r/not-a-token", 404),
        ("/no-such-page", 404),
        ("/today", 302),  # to the login page
    ):
        response = client.get(path)
        assert response.status_code == status, path
        _assert_secure_headers(response, path)
    response = client.get("/login")
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("role", list(Role))
def test_security_headers_on_every_page_a_role_reaches(client, login, queued, role):
    """Every GET page of the role × route table (tests/auth/test_access.py) the role may open, with
    the status the table expects, the first page it may not open (403), and the htmx fragments."""
    user = login(role)
    worker = user if role == Role.WORKER else make_user(Role.WORKER)
    ids = _subjects(worker)
    reached = 0
    for endpoint, (path, roles, status) in ACCESS.items():
        if role in roles:
            response = client.get(path.format(**ids))
            assert response.status_code == status, endpoint
            _assert_secure_headers(response, endpoint)
            reached += 1
    assert reached == sum(role in roles for _path, roles, _status in ACCESS.values()) > 5
    forbidden = next(path for path, roles, _status in ACCESS.values() if role not in roles)
    response = client.get(forbidden.format(**ids))
    assert response.status_code == 403
    _assert_secure_headers(response, f"403 {forbidden}")
    if role != Role.WORKER:
        return
    # htmx fragments: an answered item, and the thanks page asking whether the record is made
    token = csrf_token(client, "/today")
    started = make_job(user, state="checked_in")
    fragment = client.post(
        f"/jobs/{started.id}/stages/pre_service/items/confirm_scope",
        data={"csrf_token": token, "answer": "done"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    _assert_secure_headers(fragment, "item fragment")
    refused = client.post(
        f"/jobs/{started.id}/stages/cleaning/items/nope",
        data={"csrf_token": token, "answer": "done"},
        headers={"HX-Request": "true"},
    )
    assert 400 <= refused.status_code < 500
    _assert_secure_headers(refused, "refusal fragment")
    job = make_job(user, state="awaiting_signature", photos=False)
    shown = review_hash(client, job.id, token=token)
    signed = client.post(
        f"/jobs/{job.id}/sign",
        data={
            "csrf_token": token,
            "signer_name": "周丽",
            "consent": "y",
            "signature": signature_png(),
            "shown_hash": shown,
            "lang": "zh_CN",
        },
    )
    assert signed.status_code == 303
    status = client.get(f"/jobs/{job.id}/signed", headers={"HX-Request": "true"})
    assert status.status_code == 200 and "<html" not in status.get_data(as_text=True)
    _assert_secure_headers(status, "record status fragment")


def test_templates_have_no_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {template}"
        assert not re.search(r"\sstyle=", text), f"inline style in {template}"
        assert not re.search(r"\son[a-z]+=", text), f"inline handler in {template}"
        assert "hx-on" not in text, f"hx-on needs eval: {template}"


def test_htmx_requests_need_the_csrf_header(client):
    no_token = client.post("/language", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert no_token.status_code == 400
    token = csrf_token(client)
    with_token = client.post(
        "/language", data={"lang": "en"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert with_token.status_code == 303


def test_the_page_carries_the_csrf_header_for_htmx(client):
    body = client.get("/login").get_data(as_text=True)
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", body)


def _config(tmp_path, **overrides):
    base = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    return {**base, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides}


@pytest.mark.parametrize("secret", [None, "", "dev", "short-secret"])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, secret):
    with pytest.raises(ConfigError, match="HK_SECRET_KEY"):
        create_app(_config(tmp_path, ENV="production", SECRET_KEY=secret))


def test_production_starts_with_a_real_secret_and_secure_cookies(tmp_path):
    app = create_app(_config(tmp_path, ENV="production", SECRET_KEY="x" * 40))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_development_generates_a_secret_into_instance_and_keeps_it(tmp_path):
    first = create_app(_config(tmp_path, ENV="development", SECRET_KEY=None))
    second = create_app(_config(tmp_path, ENV="development", SECRET_KEY=None))
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32


def test_an_unexpected_error_shows_a_friendly_page_not_a_traceback(tmp_path):
    app = create_app(_config(tmp_path))

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.hk_roles = {"admin"}
    app.view_functions["boom"].hk_public = True
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "系统出现问题" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_an_oversized_request_is_refused_politely(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "文件太大" in response.get_data(as_text=True)
