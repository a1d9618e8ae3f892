"""Email addresses: which ones hk accepts, and the sender it writes from (HK_MAIL_FROM)."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import getaddresses

# A plain ASCII address (name@example.com): what every mail server takes without SMTPUTF8. No
# spaces, commas, quotes or line breaks, so an address can never carry a second recipient or header.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_SENDER = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})*")  # may be name@localhost
DEFAULT_SENDER = "hk@localhost"  # for the .eml outbox; a mail server needs HK_MAIL_FROM
MAX_LENGTH = 254


def normal_address(text: str | None) -> str | None:
    """The address as hk stores it (trimmed, its domain in small letters), or None when it is not one."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH or not _ADDRESS.fullmatch(text):
        return None
    local, domain = text.rsplit("@", 1)
    if len(local) > 64:
        return None
    return f"{local}@{domain.lower()}"


def sender(mail_from: str | None, company_name: str) -> Address:
    """The From of every message: HK_MAIL_FROM, named after the company when it gives no name."""
    text = mail_from or DEFAULT_SENDER
    found = getaddresses([text])
    name, address = found[0] if len(found) == 1 else ("", "")
    if not text.isprintable() or len(address) > MAX_LENGTH or not _SENDER.fullmatch(address):
        raise ValueError("HK_MAIL_FROM is not an email address")
    local, domain = address.rsplit("@", 1)
    return Address(display_name=name or company_name or "", username=local, domain=domain.lower())
