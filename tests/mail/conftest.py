"""A real SMTP server in this process (aiosmtpd), and helpers to read what it received."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hk.extensions import db
from hk.mail.service import queue_message
from hk.models import Message, RecipientKind


class Inbox:
    """The server's handler: keeps what arrived; can refuse (replies queued in `refuse_data`)."""

    def __init__(self):
        self.received: list[EmailMessage] = []
        self.envelopes = []
        self.refuse_data: list[str] = []  # replies given to DATA, one per message, before accepting
        self.refuse_always: str | None = None
        self.refuse_rcpt: str | None = None
        self.logins: list[tuple[bytes, bytes]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_always:
                return self.refuse_always
            if self.refuse_data:
                return self.refuse_data.pop(0)
            self.envelopes.append(envelope)
            self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"hk@example.com", b"p@ss:w0rd/")
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(inbox: Inbox, **kwargs) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, port


@pytest.fixture
def inbox(app):
    """A plain SMTP server on this machine; the app sends to it (HK_SMTP_URL without TLS)."""
    box = Inbox()
    controller, port = start_server(box)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}?starttls=0"
    yield box
    controller.stop()


@pytest.fixture
def outbox_mode(app):
    """No SMTP server set: messages are written to instance/outbox."""
    app.config["SMTP_URL"] = None
    yield


def self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files: (certificate, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hk test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


def server_tls(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def a_message(key: str = "test:1", to: str = "kehu@example.com", lang: str = "zh_CN", **kwargs) -> Message:
    """A message queued and committed, as a caller does it."""
    message = queue_message(
        kwargs.pop("kind", "record_ready"),
        to,
        lang,
        kwargs.pop("subject", "您的服务记录"),
        kwargs.pop("body", "您好，\n链接：https://hk.example.com/r/abc\n"),
        key,
        RecipientKind.CUSTOMER,
        **kwargs,
    )
    db.session.commit()
    return message
