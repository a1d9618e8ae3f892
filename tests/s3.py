"""An S3 server for the tests: moto's standalone server (`moto[server]`) in its own process, spoken to
over real HTTP on a free port of 127.0.0.1, as hk would speak to MinIO or AWS. Nothing is mocked
inside the test process.

Fixtures (imported by tests/conftest.py): `s3_server` (one per test process), `s3_bucket` (a new,
empty bucket per test), `s3_app` (the test app storing in that bucket through HK_STORAGE_URL).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

# boto3 reads these itself; anything a developer's own AWS setup says is kept out of the tests.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
AWS_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as response:  # noqa: S310 (our server)
            return response.status == 200
    except OSError:
        return False


def _start(log) -> tuple[subprocess.Popen, str]:
    """moto_server on a free port, once it answers; a port taken in between is tried again."""
    for _ in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(url):
                return process, url
            time.sleep(0.1)
        process.kill()
        process.wait()
    raise RuntimeError(f"moto_server did not start; see {log.name}")


@dataclass(frozen=True)
class Server:
    url: str
    client: object  # a boto3 S3 client to look at the server from outside hk


@dataclass(frozen=True)
class Bucket:
    name: str
    endpoint_url: str
    client: object  # a boto3 S3 client to look at the bucket from outside hk

    def url(self, prefix: str = "hk") -> str:
        return f"s3://{self.name}/{prefix}" if prefix else f"s3://{self.name}"

    def names(self) -> list[str]:
        """Every object's name in the bucket."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A moto server of this test process (its address, a client), with boto3's environment set for it."""
    import boto3

    with pytest.MonkeyPatch.context() as env:
        for name in AWS_UNSET:
            env.delenv(name, raising=False)
        for name, value in AWS_ENV.items():
            env.setenv(name, value)
        with (tmp_path_factory.mktemp("moto") / "moto_server.log").open("wb") as log:
            process, url = _start(log)
            try:
                yield Server(url, boto3.session.Session().client("s3", endpoint_url=url))
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def s3_bucket(s3_server) -> Bucket:
    """A new empty bucket on the moto server."""
    name = f"hk-test-{uuid.uuid4().hex[:12]}"
    s3_server.client.create_bucket(Bucket=name)
    return Bucket(name=name, endpoint_url=s3_server.url, client=s3_server.client)


@pytest.fixture
def s3_app(app, s3_bucket):
    """The test app with HK_STORAGE_URL=s3://<bucket>/hk and HK_S3_ENDPOINT_URL at the moto server."""
    from hk.storage import EXTENSION_KEY, init_storage

    local = app.extensions[EXTENSION_KEY]
    app.config.update(STORAGE_URL=s3_bucket.url(), S3_ENDPOINT_URL=s3_bucket.endpoint_url)
    init_storage(app)
    yield app
    app.extensions[EXTENSION_KEY] = local  # the `app` fixture puts the config back
