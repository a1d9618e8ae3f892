"""An S3 server for the tests: moto's standalone server (`moto[server]`) in its own process, spoken to
over real HTTP on a free port of 127.0.0.1, as hk would speak to MinIO or AWS. Nothing is mocked
inside the test process. It is started as bench/load.py starts it (bench/cluster.py).

Fixtures (imported by tests/conftest.py): `s3_server` (one per test process), `s3_bucket` (a new,
empty bucket per test), `s3_app` (the test app storing in that bucket through HK_STORAGE_URL).
"""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass

import pytest

from bench.cluster import AWS_ENV, AWS_UNSET, start_moto


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
            process, url = start_moto(log)
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
