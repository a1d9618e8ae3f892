"""Configuration read from HK_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

WEAK_SECRETS = {"", "dev", "change-me", "secret", "changeme"}


class ConfigError(RuntimeError):
    """Raised when the app must not start with the configuration it was given."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"HK_{name}", default)


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Settings for a running hk; every value can be set by an HK_* variable."""

    ENV = _env("ENV", "development")
    INSTANCE_PATH = _env("INSTANCE_PATH")
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    COMPANY_NAME = _env("COMPANY_NAME", "")
    COMPANY_PHONE = _env("COMPANY_PHONE", "400-000-0000")
    # Printed on page 1 of every record, for a customer with a question or a dispute.
    COMPANY_ADDRESS = _env("COMPANY_ADDRESS", "")
    # Whether a worker sees (and may call) the customer's number on their own open jobs; otherwise the
    # job's call button rings the office (COMPANY_PHONE), which keeps customers' numbers private.
    WORKERS_SEE_CUSTOMER_PHONE = (_env("WORKERS_SEE_CUSTOMER_PHONE") or "0").lower() in ("1", "true", "yes")
    # The map search a job's address opens, {address} replaced by the address, URL-encoded. Amap's
    # URI API works in any phone browser: on Android and iOS it opens the Amap app when it is installed
    # (callnative=1), else its web map; Google's maps do not open in mainland China.
    MAP_SEARCH_URL = _env(
        "MAP_SEARCH_URL", "https://uri.amap.com/search?keyword={address}&src=hk&callnative=1"
    )
    TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")
    # Where customers and the QR code on each record reach hk, e.g. https://hk.example.com
    PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
    # A PKCS#12 file with the company's signing key; without it a company CA is made under instance/.
    SIGNING_PKCS12 = _env("SIGNING_PKCS12")
    SIGNING_PKCS12_PASSWORD = _env("SIGNING_PKCS12_PASSWORD")
    # Whether instance/signing may be filled on first use; None: yes, unless several servers may run
    # (several_servers below), where `flask hk init-signing --export` makes the one key all are given.
    SIGNING_KEYS_ON_FIRST_USE: bool | None = None
    CUSTOMER_LINK_DAYS = _env_int("CUSTOMER_LINK_DAYS", 30)
    # Where photos, signatures and record PDFs live: a folder (default instance/storage) or
    # s3://bucket/prefix in an S3-compatible service; S3_ENDPOINT_URL for one other than AWS (MinIO…).
    # Credentials and region are boto3's own: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION.
    STORAGE_URL = _env("STORAGE_URL")
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
    # A refund or compensation above this sum (CNY) proposed by a supervisor waits for an admin.
    REMEDY_APPROVAL_ABOVE = Decimal(_env("REMEDY_APPROVAL_ABOVE") or "200")
    # The share of ratings 4–5 the company aims at, as a fraction (the quality figures' target line).
    SATISFACTION_TARGET = float(_env("SATISFACTION_TARGET") or "0.9")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("zh_CN", "en")
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    MAX_PHOTO_BYTES = _env_int("MAX_PHOTO_BYTES", 15 * 1024 * 1024)
    MAX_PHOTO_PIXELS = _env_int("MAX_PHOTO_PIXELS", 50_000_000)
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    LOGIN_MAX_FAILURES_PER_IP = _env_int("LOGIN_MAX_FAILURES_PER_IP", 30)
    # From anywhere, for one name: a guessing crowd is stopped, the owner's own browser still gets in.
    LOGIN_MAX_FAILURES_PER_NAME = _env_int("LOGIN_MAX_FAILURES_PER_NAME", 50)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "hk_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    # Redis (queue, shared rate limits) when several servers run; without it the queue is a
    # SQLite file in instance/ and `make run` needs no server.
    REDIS_URL = _env("REDIS_URL")
    QUEUE = _env("QUEUE")  # "sqlite", "redis", "memory" or "immediate"; chosen from REDIS_URL when unset
    QUEUE_PATH = _env("QUEUE_PATH")  # the SQLite queue file; instance/queue.db by default
    # Email: SMTP_URL like smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465;
    # without it every message is written as a .eml file under instance/outbox and nothing is sent.
    SMTP_URL = _env("SMTP_URL")
    MAIL_FROM = _env("MAIL_FROM")  # "name@example.com" or "Name <name@example.com>"; needed with SMTP_URL
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)  # tries before a message is marked failed
    # Number of reverse proxies in front of hk whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # Limits per client address (the one login throttling counts) on what anyone may ask without
    # logging in (hk/ratelimit.py, Flask-Limiter), as "N per minute; M per hour": PDFs checked at
    # /verify, look-ups of a record's code (/verify/<code>), the customer's link (/r/<token>).
    RATELIMIT_VERIFY_UPLOAD = _env("RATELIMIT_VERIFY_UPLOAD", "10 per minute; 60 per hour")
    RATELIMIT_VERIFY_LOOKUP = _env("RATELIMIT_VERIFY_LOOKUP", "30 per minute; 300 per hour")
    RATELIMIT_CUSTOMER_LINK = _env("RATELIMIT_CUSTOMER_LINK", "120 per minute; 1200 per hour")
    # The customer's forms on their link: each writes; a problem report decodes up to 3 photos.
    RATELIMIT_CUSTOMER_FEEDBACK = _env("RATELIMIT_CUSTOMER_FEEDBACK", "20 per minute; 200 per hour")
    RATELIMIT_CUSTOMER_PROBLEM = _env("RATELIMIT_CUSTOMER_PROBLEM", "5 per minute; 30 per hour")
    # Where the counts live: each server process counts on its own in memory; Redis shares them
    # between processes and servers (HK_REDIS_URL's when set).
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # A Redis that is slow or gone costs a request at most a quarter of a second, then each process
    # counts in memory until Redis answers again; an error in counting never refuses a request.
    RATELIMIT_STORAGE_OPTIONS: dict = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STRATEGY = "moving-window"  # exact: no burst of twice the figure across a window's edge
    TESTING = False


class TestConfig(Config):
    """Settings for the test suite: fast hashing, a throwaway secret, no rate surprises."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = secrets.token_urlsafe(32)
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL") or "sqlite://"
    COMPANY_NAME = "测试家政"
    COMPANY_PHONE = "400-000-0000"
    COMPANY_ADDRESS = "上海市徐汇区测试路1号"
    WORKERS_SEE_CUSTOMER_PHONE = False
    MAP_SEARCH_URL = "https://uri.amap.com/search?keyword={address}&src=hk&callnative=1"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (fast hashing in tests only)
    QUEUE = "immediate"  # tasks run inside the request that enqueues them; tests of the queue choose "memory"
    # The limiter runs in every test, with figures no other test reaches; tests/test_ratelimit.py
    # sets its own.
    RATELIMIT_VERIFY_UPLOAD = "10000 per minute"
    RATELIMIT_VERIFY_LOOKUP = "10000 per minute"
    RATELIMIT_CUSTOMER_LINK = "10000 per minute"
    RATELIMIT_CUSTOMER_FEEDBACK = "10000 per minute"
    RATELIMIT_CUSTOMER_PROBLEM = "10000 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    SIGNING_KEYS_ON_FIRST_USE = True  # each test process signs with keys of its own instance folder
    STORAGE_URL = None  # never the real bucket from tests either: tests/s3.py runs an S3 server
    S3_ENDPOINT_URL = None
    SMTP_URL = None  # never real email from tests, whatever the environment says: tests/mail runs a server
    MAIL_FROM = None


def finalize(app) -> None:
    """Fill in derived settings and refuse to run production with an unsafe secret."""
    cfg = app.config
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = cfg.get("ENV") == "production"
    secret = cfg.get("SECRET_KEY") or ""
    if production:
        if secret in WEAK_SECRETS or len(secret) < 32:
            raise ConfigError(
                "HK_SECRET_KEY must be set to a random value of at least 32 characters "
                "when HK_ENV=production."
            )
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
    elif not secret:
        if several_servers(cfg):
            raise ConfigError(
                "HK_SECRET_KEY must be set, the same on every server, when HK_REDIS_URL or object "
                "storage is set: each server would otherwise make its own instance/secret_key, and a "
                "login, a form or a customer's link made on one would not be valid on another."
            )
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        cfg["SECRET_KEY"] = key_file.read_text().strip()
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'hk.db'}"
    uri = cfg["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    cfg["SQLALCHEMY_DATABASE_URI"] = uri
    _check_storage(cfg, instance)
    _check_mail(cfg)
    if cfg.get("SIGNING_KEYS_ON_FIRST_USE") is None:
        # A signing key made on the spot by one of several servers would be one the others do not know.
        cfg["SIGNING_KEYS_ON_FIRST_USE"] = not several_servers(cfg)
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg.get("TIMEZONE", "Asia/Shanghai")


def several_servers(cfg) -> bool:
    """Whether this configuration is one several app servers and queue workers may share: a Redis
    (the queue, the rate limits' counts) or object storage. Then what must be the same on every
    server (the secret key, the signing key) is never made in instance/ on the spot."""
    limits = cfg.get("RATELIMIT_STORAGE_URI") or ""
    storage = cfg.get("STORAGE_URL") or ""
    return bool(cfg.get("REDIS_URL")) or limits.startswith("redis") or storage.startswith("s3://")


def _check_storage(cfg, instance: Path) -> None:
    """STORAGE_PATH from HK_STORAGE_URL when that is a folder; refuse an address hk cannot store at."""
    from hk.storage import parse_s3_url

    url = cfg.get("STORAGE_URL") or ""
    if url.startswith("s3://"):
        try:
            parse_s3_url(url)
        except ValueError as error:
            raise ConfigError(f"HK_STORAGE_URL: {error}") from error
    elif "://" in url:
        raise ConfigError(f"HK_STORAGE_URL must be a folder or s3://bucket/prefix, not {url!r}")
    elif url:
        cfg["STORAGE_PATH"] = str(Path(url).expanduser().resolve())
    cfg.setdefault("STORAGE_PATH", str(instance / "storage"))


def _check_mail(cfg) -> None:
    """Refuse to start with a mail server hk cannot use, or without a sender address for it."""
    from hk.mail.addresses import sender
    from hk.mail.transport import SmtpUrlError, parse_smtp_url

    if cfg.get("SMTP_URL"):
        try:
            parse_smtp_url(cfg["SMTP_URL"])
        except SmtpUrlError as error:
            raise ConfigError(str(error)) from error
        if not cfg.get("MAIL_FROM"):
            raise ConfigError(
                "HK_MAIL_FROM must be set when HK_SMTP_URL is (the address messages come from)."
            )
    try:
        sender(cfg.get("MAIL_FROM"), "")
    except ValueError as error:
        raise ConfigError(str(error)) from error
