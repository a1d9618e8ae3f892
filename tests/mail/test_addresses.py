"""Which addresses hk sends to, how HK_SMTP_URL is read, what an email looks like, and the forms."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from hk import create_app
from hk.config import ConfigError, TestConfig
from hk.extensions import db
from hk.mail.addresses import normal_address, sender
from hk.mail.building import build_email
from hk.mail.service import from_address
from hk.mail.transport import SmtpSettings, SmtpUrlError, parse_smtp_url
from hk.models import Customer, Role, User
from tests.builders import make_user
from tests.conftest import csrf_token
from tests.mail.conftest import a_message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://hk%40example.com:p%40ss%3Aw0rd@mail.example.com:587",
            SmtpSettings("mail.example.com", 587, "starttls", "hk@example.com", "p@ss:w0rd"),
        ),
        ("smtp://mail.example.com", SmtpSettings("mail.example.com", 587, "starttls")),
        ("SMTPS://u:p@mail.example.com", SmtpSettings("mail.example.com", 465, "ssl", "u", "p")),
        ("smtps://mail.example.com:2465", SmtpSettings("mail.example.com", 2465, "ssl")),
        ("smtp://127.0.0.1:1025?starttls=0", SmtpSettings("127.0.0.1", 1025, "none")),
        ("smtp://u:p@localhost:25?starttls=0", SmtpSettings("localhost", 25, "none", "u", "p")),
        (
            "smtp://mail.example.com?starttls=1&cafile=/etc/hk/ca.pem&timeout=5",
            SmtpSettings("mail.example.com", 587, "starttls", cafile="/etc/hk/ca.pem", timeout=5.0),
        ),
    ],
)
def test_smtp_urls_are_read(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.com",
        "mail.example.com:587",
        "smtp://:587",
        "smtp://mail.example.com:port",
        "smtp://u:p@mail.example.com?starttls=0",  # a password across a network, unencrypted
        "smtp://mail.example.com?starttls=maybe",
        "smtp://mail.example.com?tls=1",
        "smtp://mail.example.com?timeout=0",
    ],
)
def test_unusable_smtp_urls_are_refused(url):
    with pytest.raises(SmtpUrlError):
        parse_smtp_url(url)


def test_the_password_is_not_shown_with_the_settings():
    settings = parse_smtp_url("smtp://hk:very-secret@mail.example.com")
    assert settings.password == "very-secret" and "very-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"SMTP_URL": "smtp://mail.example.com", "MAIL_FROM": None}, "HK_MAIL_FROM must be set"),
        ({"SMTP_URL": "smtps://u:p@"}, "names no server"),
        ({"MAIL_FROM": "not an address"}, "HK_MAIL_FROM"),
    ],
)
def test_the_app_refuses_to_start_with_mail_settings_it_cannot_use(tmp_path, extra, message):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update({"INSTANCE_PATH": str(tmp_path), "MAIL_FROM": "hk@example.com", **extra})
    with pytest.raises(ConfigError, match=message):
        create_app(config)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("zhou.li@example.com", "zhou.li@example.com"),
        ("  Zhou.Li+hk@Mail.Example.COM ", "Zhou.Li+hk@mail.example.com"),
        ("a@b.cn", "a@b.cn"),
        ("", None),
        ("zhou.li", None),
        ("zhou.li@localhost", None),
        ("zhou li@example.com", None),
        ("a@b.com, c@d.com", None),
        ("a@b.com\r\nBcc: c@d.com", None),
        ('"a"@b.com', None),
        ("周丽@例子.中国", None),
        (".a@b.com", None),
        ("a..b@b.com", None),
        ("a@-b.com", None),
        ("x" * 65 + "@example.com", None),
    ],
)
def test_which_addresses_are_taken(text, stored):
    assert normal_address(text) == stored


def test_the_sender_is_named_after_the_company_unless_hk_mail_from_names_it():
    assert str(sender("noreply@example.com", "安心家政")) == "安心家政 <noreply@example.com>"
    assert str(sender("Anxin <noreply@Example.com>", "安心家政")) == "Anxin <noreply@example.com>"
    assert sender(None, "安心家政").addr_spec == "hk@localhost"
    with pytest.raises(ValueError, match="HK_MAIL_FROM"):
        sender("noreply@example.com\r\nBcc: x@example.com", "")


def test_an_email_is_seven_bit_with_its_chinese_subject_and_sender_encoded(app):
    app.config["COMPANY_NAME"] = "安心家政"
    message = a_message(
        subject="您的服务记录：2026年3月1日 日常保洁", body="周女士，您好：\n" + "谢谢。" * 60 + "\n"
    )
    data = build_email(message, from_address()).as_bytes()
    assert data.isascii() and b"=?utf-8?" in data
    assert all(len(line) <= 78 for line in data.splitlines())
    email = message_from_bytes(data, policy=policy.default)
    assert email["Subject"] == "您的服务记录：2026年3月1日 日常保洁"
    assert str(email["From"]) == "安心家政 <hk@localhost>"
    assert email["Message-ID"] == message.message_id and message.message_id.endswith("@localhost>")
    assert email["Content-Language"] == "zh-CN" and email.get_content_charset() == "utf-8"
    assert email.get_content().startswith("周女士，您好：\n谢谢。")
    assert build_email(message, from_address()).as_bytes() == data  # every try sends the same bytes


def test_a_message_is_queued_only_to_an_address_hk_sends_to(app):
    with pytest.raises(ValueError, match="not an email address"):
        a_message(to="a@b.com\r\nBcc: c@d.com")
    db.session.rollback()


# --- the forms ---------------------------------------------------------------------------------


@pytest.fixture
def office(client, login):
    login("supervisor")
    token = csrf_token(client, "/office/customers")

    def post(path, data=None):
        return client.post(path, data={"csrf_token": token, **(data or {})})

    return post


CUSTOMER = {"name": "钱女士", "phone": "13911112222", "address": "上海市黄浦区测试路1号"}


def test_a_customer_email_is_optional_checked_and_stored_plainly(client, office):
    refused = office("/office/customers/new", {**CUSTOMER, "email": "qian@example"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "请填写电子邮箱地址，例如 name@example.com。" in page and 'value="qian@example"' in page
    assert 'type="email"' in page
    assert office("/office/customers/new", {**CUSTOMER, "email": " Qian@Example.COM "}).status_code == 303
    customer = db.session.scalar(select(Customer).where(Customer.name == "钱女士"))
    assert customer.email == "Qian@example.com"
    assert office(f"/office/customers/{customer.id}", {**CUSTOMER, "email": ""}).status_code == 303
    db.session.refresh(customer)
    assert customer.email is None


def test_a_workers_email_is_optional_and_checked(client, office):
    worker = make_user(Role.WORKER)
    form = {"display_name": worker.display_name, "phone": "13800001111"}
    assert office(f"/office/workers/{worker.id}", {**form, "email": "a@b@c.com"}).status_code == 422
    assert (
        office(f"/office/workers/{worker.id}", {**form, "email": "ayi.zhang@example.com"}).status_code == 303
    )
    db.session.expire_all()
    assert db.session.get(User, worker.id).email == "ayi.zhang@example.com"
