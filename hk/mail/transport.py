"""How a finished email leaves hk: to an SMTP server (HK_SMTP_URL), or as a .eml file in the outbox.

Plain standard library (smtplib, ssl, email), no Flask: the service decides what to send and when;
this module only hands one message over and says how that went.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT = 30.0  # seconds, for each step of talking to the mail server
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class SmtpUrlError(ValueError):
    """HK_SMTP_URL cannot be used as it is; the text says why (and never holds the password)."""


class Unconfirmed(Exception):
    """The message was handed over but the server's answer never came: it may have arrived.

    Sending it again could deliver it twice, so hk does not retry it by itself."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the mail server, read from HK_SMTP_URL."""

    host: str
    port: int
    security: str  # "ssl" (smtps://, TLS from the start), "starttls", or "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None  # a CA file to trust instead of the system's (a company's own CA)
    timeout: float = DEFAULT_TIMEOUT


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS).

    Options after "?": starttls=0 for a server without TLS (allowed only on this machine when a
    password is given: a password never crosses a network unencrypted), cafile=/path/ca.pem,
    timeout=seconds. The user name and password are URL-encoded (@ as %40, : as %3A).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise SmtpUrlError("HK_SMTP_URL must start with smtp:// or smtps://")
    try:
        port = parts.port
    except ValueError as error:
        raise SmtpUrlError("HK_SMTP_URL has a port that is not a number") from error
    host = parts.hostname
    if not host:
        raise SmtpUrlError("HK_SMTP_URL names no server")
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "cafile", "timeout"}
    if unknown:
        raise SmtpUrlError(f"HK_SMTP_URL has unknown options: {', '.join(sorted(unknown))}")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if scheme == "smtps":
        security, port = "ssl", port or 465
    else:
        starttls = query.get("starttls", "1").lower()
        if starttls not in _TRUE | _FALSE:
            raise SmtpUrlError("HK_SMTP_URL: starttls must be 1 or 0")
        security, port = ("starttls" if starttls in _TRUE else "none"), port or 587
        if security == "none" and username and host not in LOOPBACK:
            raise SmtpUrlError("HK_SMTP_URL: a password is sent only over TLS (drop starttls=0)")
    try:
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
    except ValueError as error:
        raise SmtpUrlError("HK_SMTP_URL: timeout must be a number of seconds") from error
    if not 0 < timeout <= 120:  # a try must end well within its lease (hk.mail.service.LEASE)
        raise SmtpUrlError("HK_SMTP_URL: timeout must be between 0 and 120 seconds")
    return SmtpSettings(host, port, security, username, password, query.get("cafile") or None, timeout)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=settings.cafile)
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if settings.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


def send_smtp(settings: SmtpSettings, message: EmailMessage, sender: str, recipient: str) -> None:
    """Hand one message to the server for one recipient.

    Raises what smtplib raises while nothing has been handed over, or when the server answered with
    a refusal (both safe to try again); Unconfirmed when the content was sent but no answer came.
    """
    data = message.as_bytes(policy=policy.SMTP)
    client = _connect(settings)
    try:
        code, reply = client.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        try:
            code, reply = client.data(data)
        except smtplib.SMTPResponseException:
            raise  # the server refused to take the content (DATA not answered with 354)
        except (OSError, smtplib.SMTPException) as error:
            raise Unconfirmed(f"{type(error).__name__}: {error}") from error
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def describe(error: BaseException) -> str:
    """A failure as an administrator reads it: its kind and the server's own words."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        said = "; ".join(f"{code} {_text(reply)}" for code, reply in error.recipients.values())
        return f"{type(error).__name__}: {said}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def worth_retrying(error: BaseException) -> bool:
    """False for an answer that trying again cannot change (the server refuses this address or this
    content for good) and for a message that may have arrived already (Unconfirmed)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return not all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code < 500
    return not isinstance(error, Unconfirmed)


def write_outbox(folder: Path, name: str, data: bytes) -> Path:
    """Write a .eml file whole or not at all: a temporary file in the same folder, then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        path = folder / name
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
