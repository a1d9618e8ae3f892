"""A queued message as an email: headers in UTF-8 where needed, plain text, fixed Message-ID and Date."""

from __future__ import annotations

from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from hk.models import Message

# To a mail server: content in 7-bit form (base64 or quoted-printable where the text is not ASCII),
# which every server takes, with or without 8BITMIME. Headers in Chinese become RFC 2047 words.
SMTP_POLICY = policy.default.clone(cte_type="7bit")


def build_email(message: Message, from_address: Address, readable: bool = False) -> EmailMessage:
    """The email of a queued message, the same at every try (its Date is when it was queued).

    readable: the text as it is (UTF-8, "8bit"), for the .eml outbox a person opens in any program;
    otherwise encoded for a mail server. Either way a mail program shows the same message.
    """
    email = EmailMessage(policy=policy.default if readable else SMTP_POLICY)
    email["From"] = from_address
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    email.set_content(message.body, subtype="plain", charset="utf-8", cte="8bit" if readable else None)
    email["Content-Language"] = "en" if message.language == "en" else "zh-CN"  # after set_content
    return email
