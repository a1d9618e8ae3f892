"""Limits per client address on the record checks and the customer's link (hk/ratelimit.py).

The session's app counts in memory with figures no other test reaches; these tests set small ones
(the figures are read at every request) and start from empty counts. Redis: test_ratelimit_redis.py.
"""

from __future__ import annotations

import io
import threading

import pytest

from hk.config import Config, ConfigError
from hk.ratelimit import limiter_of
from tests.conftest import csrf_token

UPLOADS, LOOKUPS, LINKS = 3, 4, 5

REFUSED = {
    "en": "Too many checks from this network. Please try again in 1 minute.",
    "zh-CN": "此网络核验过于频繁，请 1 分钟后再试。",
}


@pytest.fixture
def limits(app):
    """Small figures on the session's app, and counts that start from nothing."""
    limiter_of(app).reset()
    app.config.update(
        RATELIMIT_VERIFY_UPLOAD=f"{UPLOADS} per minute; 100 per hour",
        RATELIMIT_VERIFY_LOOKUP=f"{LOOKUPS} per minute",
        RATELIMIT_CUSTOMER_LINK=f"{LINKS} per minute",
    )
    yield app
    limiter_of(app).reset()


def upload(client, address: str = "203.0.113.1", lang: str = "en", path: str = "/verify", token=None):
    """POST a file to check, as a browser would; not a PDF, so nothing is parsed (422 when let in)."""
    return client.post(
        path,
        data={"csrf_token": token or csrf_token(client, "/verify"), "pdf": (io.BytesIO(b"no pdf"), "r.pdf")},
        content_type="multipart/form-data",
        headers={"Accept-Language": lang},
        environ_base={"REMOTE_ADDR": address},
    )


def lookup(client, code: str = "ABCDEFGHJK", address: str = "203.0.113.1", lang: str = "en"):
    headers = {"Accept-Language": lang}
    return client.get(f"/verify/{code}", headers=headers, environ_base={"REMOTE_ADDR": address})


def assert_refused(response, lang: str = "en") -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 429, body
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert REFUSED[lang] in body
    assert 'data-testid="verify-file"' in body  # the check page, with its form, not a bare error
    return body


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_upload_past_the_limit_is_refused_in_the_persons_language(limits, client, lang):
    token = csrf_token(client, "/verify")
    for _ in range(UPLOADS):
        assert upload(client, lang=lang, token=token).status_code == 422  # let in: "not a PDF"
    assert_refused(upload(client, lang=lang, token=token), lang)


def test_another_address_is_not_affected(limits, client):
    token = csrf_token(client, "/verify")
    for _ in range(UPLOADS + 1):
        upload(client, address="203.0.113.1", token=token)
    assert upload(client, address="203.0.113.1", token=token).status_code == 429
    assert upload(client, address="198.51.100.7", token=token).status_code == 422
    assert lookup(client, address="203.0.113.1").status_code == 200  # another limit, its own count


def test_code_lookups_are_limited_and_a_refused_one_claims_nothing(limits, client):
    for n in range(LOOKUPS):
        response = lookup(client, code=f"AAAAAAAA{n:02d}")
        assert response.status_code == 200
        assert "No record with the code" in response.get_data(as_text=True)
    body = assert_refused(lookup(client, code="AAAAAAAA99"))
    assert "No record with the code" not in body  # nothing was looked up: no verdict on the code
    assert lookup(client, address="198.51.100.7").status_code == 200


def test_an_upload_on_a_code_page_counts_as_a_lookup(limits, client):
    token = csrf_token(client, "/verify")
    for _ in range(LOOKUPS - 1):
        assert lookup(client).status_code == 200
    assert upload(client, path="/verify/ABCDEFGHJK", token=token).status_code == 422
    assert_refused(lookup(client))


def test_the_plain_form_is_not_limited(limits, client):
    for _ in range(UPLOADS + LOOKUPS + 1):
        upload(client)
        lookup(client)
    for _ in range(20):
        response = client.get("/verify", environ_base={"REMOTE_ADDR": "203.0.113.1"})
        assert response.status_code == 200


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_customer_link_has_a_generous_limit_shared_by_its_page_and_pdf(limits, client, lang):
    message = {
        "en": "Too many requests from this network. Please try again in 1 minute.",
        "zh-CN": "此网络访问过于频繁，请 1 分钟后再试。",
    }[lang]
    headers = {"Accept-Language": lang}
    for n in range(LINKS):
        path = "/r/not-a-token" if n % 2 else "/r/not-a-token/record.pdf"
        assert client.get(path, headers=headers).status_code == 404
    response = client.get("/r/not-a-token", headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 60
    assert message in body and 'data-status="429"' in body


def test_a_forwarded_for_header_is_not_believed_without_a_trusted_proxy(limits, client):
    for n in range(LOOKUPS):
        spoofed = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert client.get("/verify/ABCDEFGHJK", headers=spoofed).status_code == 200
    assert client.get("/verify/ABCDEFGHJK", headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_counts(make_app):
    proxied = make_app(TRUSTED_PROXIES=1, RATELIMIT_VERIFY_LOOKUP="2 per minute")
    client = proxied.test_client()

    def via_proxy(address):
        return client.get("/verify/ABCDEFGHJK", headers={"X-Forwarded-For": address})

    assert [via_proxy("192.0.2.1").status_code for _ in range(3)] == [200, 200, 429]
    assert via_proxy("192.0.2.2").status_code == 200


@pytest.mark.parametrize("kind", ["lookup", "upload"])
def test_a_burst_from_one_address_lets_in_exactly_the_limit_and_never_fails(limits, kind):
    """Threads released together, each with its own client: no 5xx, and no more than the limit."""
    n, allowed = 16, {"lookup": LOOKUPS, "upload": UPLOADS}[kind]
    clients = [limits.test_client() for _ in range(n)]
    tokens = [csrf_token(c, "/verify") for c in clients]
    start, statuses = threading.Barrier(n), []

    def one(client, token):
        start.wait()
        response = lookup(client) if kind == "lookup" else upload(client, token=token)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=one, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    let_in = {"lookup": 200, "upload": 422}[kind]
    assert sorted(statuses) == [let_in] * allowed + [429] * (n - allowed)


def test_the_limits_are_on_in_production_with_the_documented_figures(make_app):
    assert Config.RATELIMIT_VERIFY_UPLOAD == "10 per minute; 60 per hour"
    assert Config.RATELIMIT_VERIFY_LOOKUP == "30 per minute; 300 per hour"
    assert Config.RATELIMIT_CUSTOMER_LINK == "120 per minute; 1200 per hour"
    production = make_app(
        Config,
        ENV="production",
        SECRET_KEY="x" * 40,
        RATELIMIT_STORAGE_URI="memory://",  # whatever HK_REDIS_URL this machine has
    )
    assert limiter_of(production).enabled
    client = production.test_client()
    assert [lookup(client).status_code for _ in range(31)] == [200] * 30 + [429]


def test_a_limit_that_cannot_be_read_stops_the_start(make_app):
    with pytest.raises(ConfigError, match="HK_RATELIMIT_VERIFY_LOOKUP"):
        make_app(RATELIMIT_VERIFY_LOOKUP="lots")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_customer_forms_have_their_own_limits(app, client, lang):
    """Ratings, replies and problem reports write, and a problem report decodes photos: a smaller
    figure than the page's, and a smaller one still for problem reports."""
    limiter_of(app).reset()
    app.config.update(RATELIMIT_CUSTOMER_FEEDBACK="4 per minute", RATELIMIT_CUSTOMER_PROBLEM="2 per minute")
    token = csrf_token(client, "/verify")

    def post(path, address):
        data = {"csrf_token": token}
        return client.post(
            path, data=data, headers={"Accept-Language": lang}, environ_base={"REMOTE_ADDR": address}
        )

    try:
        # a link that is not valid answers 404, but each post counts
        assert [post("/r/nope/problems", "203.0.113.7").status_code for _ in range(3)] == [404, 404, 429]
        assert [post("/r/nope/rating", "203.0.113.8").status_code for _ in range(5)] == [404] * 4 + [429]
        refused = post("/r/nope/cases/1/reply", "203.0.113.8")
        message = {"en": "Too many requests from this network", "zh-CN": "此网络访问过于频繁"}[lang]
        assert refused.status_code == 429 and message in refused.get_data(as_text=True)
        assert refused.headers["Retry-After"]
        page = client.get("/r/nope", environ_base={"REMOTE_ADDR": "203.0.113.8"})
        assert page.status_code == 404  # the page itself has its own, larger figure
    finally:
        limiter_of(app).reset()
