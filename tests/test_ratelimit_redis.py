"""The rate limits' counts in Redis, shared by several servers; and what happens when Redis is down.

These run against a real Redis at HK_TEST_REDIS_URL (redis://127.0.0.1:6379/0 by default). Each
test keeps its keys under a prefix of its own, removed afterwards, so runs side by side never share
a count. Without Redis they are skipped, unless HK_REQUIRE_REDIS is set (.ci/run sets it): then they
fail.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid

import pytest
import redis

from hk.config import Config
from hk.ratelimit import limiter_of
from tests.test_ratelimit import lookup

REDIS_URL = os.environ.get("HK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOOKUPS = 4


@pytest.fixture
def shared_redis(make_app):
    """make(): an app counting in Redis under this test's own prefix, as one of several servers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("HK_REQUIRE_REDIS"):
            pytest.fail(f"HK_REQUIRE_REDIS is set but Redis does not answer at {REDIS_URL}: {error}")
        pytest.skip(f"Redis does not answer at {REDIS_URL} ({error}); HK_REQUIRE_REDIS=1 makes this fail")
    prefix = f"hk-test-{uuid.uuid4().hex}"

    def make():
        return make_app(
            RATELIMIT_STORAGE_URI=REDIS_URL,
            RATELIMIT_STORAGE_OPTIONS={**Config.RATELIMIT_STORAGE_OPTIONS, "key_prefix": prefix},
            RATELIMIT_VERIFY_LOOKUP=f"{LOOKUPS} per minute",
        )

    make.stored = lambda: list(client.scan_iter(f"{prefix}*"))
    yield make
    for key in make.stored():
        client.delete(key)
    client.close()


def test_two_servers_on_one_redis_share_the_count(shared_redis):
    first, second = shared_redis(), shared_redis()
    a, b = first.test_client(), second.test_client()
    assert [lookup(a).status_code, lookup(b).status_code, lookup(a).status_code] == [200, 200, 200]
    assert lookup(b).status_code == 200
    for client in (a, b):  # the fifth look-up from this address, whichever server answers it
        response = lookup(client, lang="zh-CN")
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert "此网络核验过于频繁，请 1 分钟后再试。" in response.get_data(as_text=True)
    assert lookup(a, address="198.51.100.7").status_code == 200
    assert shared_redis.stored(), "the counts were not kept in Redis"
    assert not limiter_of(first)._storage_dead


def test_a_burst_on_two_servers_lets_in_exactly_the_limit(shared_redis):
    servers, n = [shared_redis(), shared_redis()], 12
    clients = [servers[i % 2].test_client() for i in range(n)]
    start, statuses = threading.Barrier(n), []

    def one(client):
        start.wait()
        statuses.append(lookup(client).status_code)

    threads = [threading.Thread(target=one, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * LOOKUPS + [429] * (n - LOOKUPS)


@pytest.fixture(params=["refused", "silent"])
def dead_redis(request):
    """A Redis URL where nothing answers: the port refuses, or accepts and never replies."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    if request.param == "refused":
        server.close()
    else:
        server.listen(64)
    yield f"redis://127.0.0.1:{port}/0"
    server.close()


def test_with_redis_down_the_checks_still_answer_and_are_still_limited(make_app, dead_redis):
    """Each process counts in memory until Redis answers again: never a 500, and still a limit."""
    app = make_app(RATELIMIT_STORAGE_URI=dead_redis, RATELIMIT_VERIFY_LOOKUP=f"{LOOKUPS} per minute")
    client = app.test_client()
    statuses = [lookup(client).status_code for _ in range(LOOKUPS + 1)]
    assert statuses == [200] * LOOKUPS + [429]
    assert client.get("/verify").status_code == 200
    assert limiter_of(app)._storage_dead  # it knows, and asks Redis again now and then


def test_an_error_while_counting_lets_the_request_through(make_app, dead_redis, monkeypatch):
    app = make_app(RATELIMIT_STORAGE_URI=dead_redis, RATELIMIT_VERIFY_LOOKUP="1 per minute")
    limiter = limiter_of(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the fallback failed too")

    monkeypatch.setattr(limiter._fallback_limiter, "hit", broken)
    client = app.test_client()
    assert [lookup(client).status_code for _ in range(3)] == [200, 200, 200]
