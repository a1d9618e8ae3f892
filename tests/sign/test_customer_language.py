"""The customer's screens speak the customer's language: one switch, kept from the review to the thanks
page, into the record and the customer's email; the worker's own language comes back with the phone."""

import re

from sqlalchemy import select

from hk.extensions import db
from hk.models import LoginSession, Message, ServiceRecord, SignOff, User
from tests.builders import PASSWORD, make_customer, make_job
from tests.conftest import csrf_token
from tests.jobs.helpers import SHOWN_HASH_RE, Phone
from tests.records.test_sign_flow import signature_png


def _choose(client, job_id: int, lang: str, next_path: str | None = None):
    token = csrf_token(client, f"/jobs/{job_id}/review")
    data = {"csrf_token": token, "lang": lang, "next": next_path or f"/jobs/{job_id}/review"}
    return client.post("/customer-mode/language", data=data)


def _handed_over(client, login, **customer):
    worker = login("worker", locale="zh_CN")
    job = make_job(worker, customer=make_customer(**customer), state="awaiting_signature")
    phone = Phone(client, job)
    assert phone.hand_to_customer().status_code == 303
    return worker, phone


def _sign_as_shown(phone, name="Zhou Li"):
    """Sign with what the review shows, in the language it is shown in (no ?lang= in the address)."""
    review = phone.client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)
    lang = re.search(r'name="lang" type="hidden" value="(\w+)"', review).group(1)
    data = {
        "signer_name": name,
        "consent": "y",
        "signature": signature_png(),
        "shown_hash": SHOWN_HASH_RE.search(review).group(1),
        "lang": lang,
    }
    return phone.post("/sign", data)


def test_one_switch_kept_from_review_to_thanks_record_and_email(client, login):
    worker, phone = _handed_over(client, login, email="zhou@example.com")
    review = client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)
    assert "请核对并签字" in review
    # one language switch on the customer's screen, and it is not the worker's setting
    assert review.count('action="/customer-mode/language"') == 1
    assert 'action="/language"' not in review and "lang-choice" not in review
    chose = _choose(client, phone.job_id, "en")
    assert chose.status_code == 303 and chose.headers["Location"].endswith(f"/jobs/{phone.job_id}/review")
    review = client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)
    assert "Please review and sign" in review and 'lang="en"' in review
    assert 'value="en" class="btn-link" lang="en" aria-pressed="true"' in review

    assert _sign_as_shown(phone).status_code == 303
    thanks = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    assert "Thank you, Zhou Li" in thanks and "谢谢" not in thanks
    db.session.expire_all()
    assert db.session.scalar(select(SignOff)).language == "en"
    record = db.session.scalar(select(ServiceRecord))
    assert record.language == "en" and record.render_status == "done"
    message = db.session.scalar(select(Message).where(Message.kind == "record_ready"))
    assert message.language == "en" and message.subject.startswith("Your service record")
    assert db.session.get(User, worker.id).locale == "zh_CN"  # the worker's own choice untouched

    # the worker's page to take the phone back is in the worker's language, and so is everything after
    hand_back = client.get("/customer-mode/hand-back").get_data(as_text=True)
    assert "取回手机" in hand_back and "customer-mode/language" not in hand_back
    token = csrf_token(client, "/customer-mode/hand-back")
    client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": PASSWORD})
    assert "我的今日工单" in client.get("/today").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(LoginSession.customer_lang)) is None


def test_a_refusal_keeps_the_customers_language(client, login):
    _worker, phone = _handed_over(client, login)
    _choose(client, phone.job_id, "en")
    review = client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)
    shown = SHOWN_HASH_RE.search(review).group(1)
    assert (
        phone.post(
            "/refuse", {"reason": "Mirror still smeared", "lang": "en", "shown_hash": shown}
        ).status_code
        == 303
    )
    thanks = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    assert "Recorded as not signed" in thanks
    assert db.session.scalar(select(ServiceRecord)).language == "en"


def test_the_next_visit_opens_in_the_language_the_customer_signed_in_last(client, login):
    worker, phone = _handed_over(client, login)
    _choose(client, phone.job_id, "en")
    assert _sign_as_shown(phone).status_code == 303
    token = csrf_token(client, "/customer-mode/hand-back")
    client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": PASSWORD})
    customer = phone.job().customer
    second = Phone(client, make_job(worker, customer=customer, state="awaiting_signature"))
    assert second.hand_to_customer().status_code == 303
    assert "Please review and sign" in client.get(f"/jobs/{second.job_id}/review").get_data(as_text=True)


def test_the_switch_is_only_for_the_customer_screens(client, login):
    worker = login("worker", locale="zh_CN")
    token = csrf_token(client, "/today")
    response = client.post(
        "/customer-mode/language", data={"csrf_token": token, "lang": "en", "next": "/today"}
    )
    assert response.status_code == 303 and not response.headers["Location"].endswith("/today")
    assert db.session.get(User, worker.id).locale == "zh_CN"
    assert "我的今日工单" in client.get("/today").get_data(as_text=True)


def test_a_bad_language_or_a_way_out_changes_nothing(client, login):
    _worker, phone = _handed_over(client, login)
    token = csrf_token(client, f"/jobs/{phone.job_id}/review")
    bad = client.post(
        "/customer-mode/language", data={"csrf_token": token, "lang": "fr", "next": "https://evil.example/"}
    )
    assert bad.status_code == 303 and bad.headers["Location"].endswith(f"/jobs/{phone.job_id}/review")
    assert "请核对并签字" in client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)


def test_the_switch_on_a_refused_forms_page_leads_back_to_the_review(client, login):
    _worker, phone = _handed_over(client, login)
    refused = phone.post("/sign", {"signer_name": "", "lang": "zh_CN"})
    assert refused.status_code == 422  # its address is the form's: /jobs/<id>/sign
    chose = _choose(client, phone.job_id, "en", next_path=f"/jobs/{phone.job_id}/sign")
    assert chose.headers["Location"].endswith(f"/jobs/{phone.job_id}/review")
    thanks = _choose(client, phone.job_id, "en", next_path=f"/jobs/{phone.job_id}/signed")
    assert thanks.headers["Location"].endswith(f"/jobs/{phone.job_id}/signed")
