"""What several servers must share is never made on one of them on the spot: the secret key and the
signing key. (tests/test_two_servers.py runs two real servers; these need neither.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hk import create_app
from hk.config import ConfigError, TestConfig
from hk.records.keys import SigningKeysMissing, load_company_keys
from hk.records.service import company_keys

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = "redis://127.0.0.1:1/0"  # never asked: nothing here talks to Redis
SHARED = [
    {"REDIS_URL": NOWHERE},
    {"RATELIMIT_STORAGE_URI": NOWHERE},
    {"STORAGE_URL": "s3://hk-bucket/records"},
]


def _config(tmp_path: Path, **overrides) -> dict:
    base = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    return {**base, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides}


@pytest.mark.parametrize("shared", SHARED)
def test_several_servers_need_the_one_secret_key_given_to_them_all(tmp_path, shared):
    with pytest.raises(ConfigError, match="HK_SECRET_KEY must be set, the same on every server"):
        create_app(_config(tmp_path, ENV="development", SECRET_KEY=None, **shared))
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("shared", SHARED)
def test_several_servers_never_make_a_signing_key_on_the_spot(make_app, shared):
    other = make_app(SIGNING_KEYS_ON_FIRST_USE=None, **shared)
    assert other.config["SIGNING_KEYS_ON_FIRST_USE"] is False
    with other.app_context(), pytest.raises(SigningKeysMissing, match="init-signing --export"):
        company_keys()
    assert not (Path(other.instance_path) / "signing").exists()


def test_one_server_makes_its_signing_key_on_first_use(make_app):
    alone = make_app(SIGNING_KEYS_ON_FIRST_USE=None)
    assert alone.config["SIGNING_KEYS_ON_FIRST_USE"] is True


def _cli(app, args: list[str], typed: str = ""):
    with app.app_context():  # the command's app, not the test's
        return app.test_cli_runner().invoke(args=args, input=typed)


def test_init_signing_exports_the_key_every_server_then_signs_with(make_app, tmp_path):
    operator = make_app(SIGNING_KEYS_ON_FIRST_USE=None, REDIS_URL=NOWHERE)
    bundle = tmp_path / "company.p12"
    args = ["hk", "init-signing", "--export", str(bundle)]
    done = _cli(operator, args, "a long pass phrase\na long pass phrase\n")
    assert done.exit_code == 0, done.output
    assert "signing as:" in done.output and f"written: {bundle}" in done.output
    assert (bundle.stat().st_mode & 0o777) == 0o600
    made = Path(operator.instance_path) / "signing" / "ca.pem"
    servers = [
        make_app(
            SIGNING_KEYS_ON_FIRST_USE=None,
            REDIS_URL=NOWHERE,
            SIGNING_PKCS12=str(bundle),
            SIGNING_PKCS12_PASSWORD="a long pass phrase",
        )
        for _ in range(2)
    ]
    for server in servers:
        with server.app_context():
            assert company_keys().ca_cert_pem == made.read_bytes()
        assert not (Path(server.instance_path) / "signing").exists()
    keys = load_company_keys(tmp_path / "unused", "x", str(bundle), "a long pass phrase")
    assert keys.signing_cert_pem == (made.parent / "signer.pem").read_bytes()

    again = _cli(operator, args, "another\nanother\n")
    assert again.exit_code != 0 and "never overwritten" in again.output
    given = _cli(servers[0], ["hk", "init-signing", "--export", str(tmp_path / "b.p12")])
    assert given.exit_code != 0 and "HK_SIGNING_PKCS12 is set" in given.output


def test_the_queue_worker_will_not_start_without_the_signing_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HK_")}
    env.update(
        HK_INSTANCE_PATH=str(tmp_path),
        HK_DATABASE_URL=f"sqlite:///{tmp_path / 'hk.db'}",
        HK_REDIS_URL=NOWHERE,
        HK_SECRET_KEY="x" * 40,
    )
    done = subprocess.run(
        [sys.executable, "-c", "import hk.worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "hk's queue worker cannot sign records" in done.stderr and "HK_SIGNING_PKCS12" in done.stderr
