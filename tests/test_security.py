"""Headers, CSP-safe templates, CSRF on htmx requests, secrets and uploads limits."""

import re
from pathlib import Path

import pytest

from hk import create_app
from hk.config import ConfigError, TestConfig
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


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
