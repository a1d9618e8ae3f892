"""Two real app servers serving one company, as behind a proxy: gunicorn A and gunicorn B on two
ports, each with an instance folder of its own (as on two machines), sharing one PostgreSQL database
(one made for this module, never the suite's), a Redis database of its own (the queue, the rate
limits), moto's S3 server (the stored photos and PDFs), the secret key and the signing key (a
PKCS#12 file made by `flask hk init-signing --export`); and a queue worker (`huey_consumer
hk.worker.huey`) with the same environment. Everything is started as bench/load.py starts it
(bench/cluster.py), and a phone walks a whole job as bench/load.py's phones do (bench/load_phone.py),
each request on the other server.

It needs PostgreSQL (HK_DATABASE_URL; `.ci/run`'s second run) and Redis on 127.0.0.1:6379 (started
here when none answers; with HK_REQUIRE_REDIS=1, as `.ci/run` sets, a missing Redis fails the test).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import make_url

from bench.cluster import environment, flask, redis_database, serving, start_redis, stop
from bench.load_phone import CSRF, HX, Phone, Run
from bench.load_servers import phone_photo, seed

DATABASE_URL = os.environ.get("HK_DATABASE_URL", "")
pytestmark = [
    pytest.mark.servers,
    pytest.mark.xdist_group("two_servers"),  # one module, one set of servers, one test process
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgresql", "postgres:")),
        reason="two servers share one PostgreSQL database, and HK_DATABASE_URL is not PostgreSQL here "
        "(.ci/run runs the suite a second time on PostgreSQL, where this runs)",
    ),
]
PASSWORD = "a quiet morning in the park"
MAX_FAILURES, LOOKUPS = 5, 4
LINK = re.compile(r'<a href="([^"]+)" data-testid="customer-link"')
VERDICT = re.compile(r'data-testid="verdict" data-verdict="(\w+)"')


@dataclass
class Cluster:
    bases: list[str]
    env: dict  # the operator's environment (a setup instance folder): the flask commands run with it
    jobs: list[dict]
    database_url: str
    redis_url: str
    folder: Path
    logs: Callable[[], str]  # every server's and the worker's log so far


def _psycopg(url: str, database: str | None = None):
    import psycopg

    parts = make_url(url)
    return psycopg.connect(
        host=parts.host,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname=database or parts.database,
        autocommit=True,
    )


@contextlib.contextmanager
def own_database() -> Iterator[str]:
    """A PostgreSQL database for this module beside HK_DATABASE_URL's, dropped after."""
    name = f"hk_two_servers_{uuid.uuid4().hex[:8]}"
    with _psycopg(DATABASE_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with _psycopg(DATABASE_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(cluster: Cluster, sql: str, *params) -> list[tuple]:
    with _psycopg(cluster.database_url) as conn:
        return conn.execute(sql, params).fetchall()


def _seed(database_url: str, instance: Path, n: int) -> list[dict]:
    """N cleaners with a job each, through hk's code in this process (its queue put back after)."""
    from hk import queue

    saved = list(queue._apps)
    try:
        settings = {"QUEUE": "immediate", "SECRET_KEY": secrets.token_urlsafe(32)}
        return seed(database_url, instance, n, PASSWORD, cheap=True, settings=settings)
    finally:
        queue._apps[:] = saved


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, s3_server) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("two-servers")
    try:
        redis_server = start_redis(folder / "redis.log")
    except RuntimeError as error:
        if os.environ.get("HK_REQUIRE_REDIS"):
            pytest.fail(f"HK_REQUIRE_REDIS is set: {error}")
        pytest.skip(f"{error}; HK_REQUIRE_REDIS=1 makes this fail")
    bucket = f"hk-two-{uuid.uuid4().hex[:12]}"
    s3_server.client.create_bucket(Bucket=bucket)
    try:
        with redis_database(folder.name) as redis_url, own_database() as database_url:
            hk = {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "STORAGE_URL": f"s3://{bucket}/hk",
                "S3_ENDPOINT_URL": s3_server.url,
                "SECRET_KEY": secrets.token_urlsafe(48),
                "PUBLIC_URL": "https://hk.example.test",  # the proxy's address, the same for both
                "COMPANY_NAME": "双服务器家政",
                "INSTANCE_PATH": str(folder / "operator"),
                "LOGIN_MAX_FAILURES": MAX_FAILURES,
                "RATELIMIT_VERIFY_LOOKUP": f"{LOOKUPS} per minute",
            }
            env = environment(hk, aws=True)
            flask(env, "db", "upgrade")
            flask(env, "hk", "load-catalogue")
            bundle, password = folder / "company.p12", secrets.token_urlsafe(16)
            env["HK_SIGNING_PKCS12_PASSWORD"] = password
            flask(env, "hk", "init-signing", "--export", str(bundle))
            env["HK_SIGNING_PKCS12"] = str(bundle)
            jobs = _seed(database_url, folder / "operator", 3)
            with serving(
                env, folder, servers=2, workers=2, threads=2, queue=("thread", 2), own_instances=True
            ) as s:
                yield Cluster(s.bases, env, jobs, database_url, redis_url, folder, s.log_text)
    finally:
        if redis_server is not None:
            stop([redis_server])


def alternating(bases: list[str]):
    """For each phone: POSTs on A, B, A, B…, GETs on B, A, B, A…: consecutive taps never on one server."""

    def picker():
        turns = {"POST": itertools.cycle(bases), "GET": itertools.cycle(bases[::-1])}
        return lambda method: next(turns[method])

    return picker


def _csrf(client: httpx.Client, url: str) -> str:
    return CSRF.search(client.get(url).text).group(1)


def test_a_whole_job_alternating_between_the_servers_makes_one_record(cluster):
    a, b = cluster.bases
    run = Run(cluster.bases, think=(0, 0), ramp=0, pick=alternating(cluster.bases))
    job = cluster.jobs[0]

    async def walk() -> tuple[list, str]:
        async with httpx.AsyncClient(**run.client_options) as client:
            phone = Phone(run, client, job)
            await phone.whole_job(PASSWORD)  # ends once the thanks page shows the record ready
            signed = await phone.req("page", "GET", f"{phone.path}/signed")
            return phone.served, urlsplit(LINK.search(signed.text).group(1)).path

    # In a thread of its own: Playwright's sync API (the e2e tests' browser, alive for the whole session
    # on this test process) keeps an event loop running in the main thread, where asyncio.run refuses.
    with ThreadPoolExecutor(1) as thread:
        served, link = thread.submit(asyncio.run, walk()).result()

    assert run.failures == [] and len(run.ready) == 1, run.failures
    posts = [(base, url) for base, method, url, _ in served if method == "POST"]
    assert posts[0] == (a, "/login")  # logged in on A…
    assert next(base for base, m, url, _ in served if m == "GET" and url == f"/jobs/{job['id']}") == b
    for kind in ("/items/", "/photos", "/complete"):  # …ticks, photos, stages on both
        assert {base for base, url in posts if kind in url} == {a, b}, kind
    handed, signed = (
        next(base for base, url in posts if url.endswith(end)) for end in ("/customer-mode", "/sign")
    )
    assert handed != signed  # handed to the customer on one server, signed on the other

    records = rows(cluster, "SELECT render_status, chain_seq, pdf_sha256 FROM service_records")
    assert len(records) == 1 and records[0][0].lower() == "done" and records[0][1] == 1
    assert flask(cluster.env, "hk", "verify-chain") == "chain whole: 1 records"
    pdfs = [httpx.get(f"{base}{link}/record.pdf", timeout=30) for base in (a, b)]
    assert [r.status_code for r in pdfs] == [200, 200]
    assert pdfs[0].content == pdfs[1].content and pdfs[0].content.startswith(b"%PDF")
    assert hashlib.sha256(pdfs[0].content).hexdigest() == records[0][2]
    # Both servers check PDFs against the one company key: a changed copy is "ours, but altered" on
    # each (a server with a key of its own would not know the signature at all).
    altered = pdfs[0].content.replace(b"/Producer", b"/Pr0ducer", 1)
    for base in (a, b):
        with httpx.Client(base_url=base, headers={"Accept-Language": "en"}) as client:
            for pdf, verdict in ((pdfs[0].content, "genuine"), (altered, "altered")):
                data = {"csrf_token": _csrf(client, "/verify")}
                answer = client.post("/verify", data=data, files={"pdf": ("r.pdf", pdf, "application/pdf")})
                assert VERDICT.search(answer.text).group(1) == verdict, (base, verdict)
    # Nothing of the company's was kept on either server or the worker: all in PostgreSQL, Redis, S3.
    for name in ("web-1", "web-2", "queue"):
        assert sorted(p.name for p in (cluster.folder / name).iterdir()) == [], name
    assert "Traceback" not in cluster.logs()


def test_a_login_on_one_server_is_known_to_the_other_and_logging_out_ends_it_on_both(cluster):
    a, b = cluster.bases
    job = cluster.jobs[2]
    with httpx.Client(headers={"Accept-Language": "en"}) as phone:
        data = {"username": job["username"], "password": PASSWORD, "csrf_token": _csrf(phone, f"{a}/login")}
        assert phone.post(f"{b}/login", data=data).status_code == 303
        assert phone.get(f"{a}/today").status_code == 200
        assert phone.post(f"{a}/logout", data={"csrf_token": _csrf(phone, f"{b}/today")}).status_code == 303
        assert phone.get(f"{b}/today").status_code == 302  # to the login page: the session is over


def test_a_double_tap_split_across_the_servers_makes_one_change(cluster):
    a, b = cluster.bases
    job = cluster.jobs[1]
    path, stage = f"/jobs/{job['id']}", job["stages"][0]
    item = stage["items"][0]["code"]
    phone = httpx.Client(timeout=30)
    data = {"username": job["username"], "password": PASSWORD, "csrf_token": _csrf(phone, f"{a}/login")}
    assert phone.post(f"{a}/login", data=data).status_code == 303
    token = _csrf(phone, f"{b}{path}")
    assert phone.post(f"{b}{path}/check-in", data={"csrf_token": token}).status_code == 303
    twin = httpx.Client(timeout=30, cookies=phone.cookies)  # the same phone: its session and device
    photo = phone_photo()

    def tick(client, base):
        url = f"{base}{path}/stages/{stage['code']}/items/{item}"
        return client.post(url, data={"csrf_token": token, "answer": "done"}, headers=HX)

    def upload(client, base):
        data = {"csrf_token": token, "client_key": "one-photo", "stage": stage["code"]}
        files = {"photo": ("p.jpg", photo, "image/jpeg")}
        return client.post(
            f"{base}{path}/photos", data=data, files=files, headers={"X-Requested-With": "fetch"}
        )

    for call in (tick, upload):
        start, answers = threading.Barrier(2), {}

        def tap(client, base, call=call, start=start, answers=answers):
            start.wait()
            answers[base] = call(client, base).status_code

        threads = [threading.Thread(target=tap, args=pair) for pair in ((phone, a), (twin, b))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(answers.values()) == ({200} if call is tick else {201}), answers
    checks = rows(
        cluster, "SELECT count(*) FROM item_checks WHERE job_id = %s AND item_code = %s", job["id"], item
    )
    events = "SELECT count(*) FROM events WHERE subject_id = %s AND action = %s"
    assert checks == [(1,)] and rows(cluster, events, job["id"], "item.answer") == [(1,)]
    assert rows(cluster, "SELECT count(*) FROM photos WHERE job_id = %s", job["id"]) == [(1,)]

    # Another phone of the same cleaner, on the other server: the job is active on the first one.
    other = httpx.Client(timeout=30)
    data = {"username": job["username"], "password": PASSWORD, "csrf_token": _csrf(other, f"{b}/login")}
    assert other.post(f"{b}/login", data=data).status_code == 303
    other_token = _csrf(other, f"{a}/today")
    url = f"{a}{path}/stages/{stage['code']}/items/{stage['items'][1]['code']}"
    assert other.post(url, data={"csrf_token": other_token, "answer": "done"}, headers=HX).status_code == 409
    for client in (phone, twin, other):
        client.close()


def test_failed_logins_on_both_servers_add_up(cluster):
    a, b = cluster.bases
    name = "nobody-in-particular"
    with httpx.Client(headers={"Accept-Language": "en"}) as browser:
        for n in range(MAX_FAILURES):
            server = (a, b)[n % 2]
            data = {
                "username": name,
                "password": "not the password",
                "csrf_token": _csrf(browser, f"{server}/login"),
            }
            assert browser.post(f"{server}/login", data=data).status_code == 401
        for server in (a, b):  # the next try, on either, is refused before the password is looked at
            data = {
                "username": name,
                "password": "not the password",
                "csrf_token": _csrf(browser, f"{server}/login"),
            }
            answer = browser.post(f"{server}/login", data=data)
            assert answer.status_code == 429 and "Too many failed attempts" in answer.text


def test_a_rate_limit_counts_on_both_servers(cluster):
    import redis

    a, b = cluster.bases
    assert [httpx.get(f"{(a, b)[n % 2]}/verify/ABCD-EFGH").status_code for n in range(LOOKUPS)] == [200] * 4
    for server in (a, b):
        assert httpx.get(f"{server}/verify/ABCD-EFGH").status_code == 429
    with redis.Redis.from_url(cluster.redis_url) as client:
        assert client.keys("LIMITS*"), "the counts are not in the shared Redis"
