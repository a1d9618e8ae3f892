"""A signature made on the phone without signal, arriving later: the view the customer read, both times."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import timedelta

from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, HandoverItem, ItemCheck, Message, ServiceRecord, SignOff, utcnow
from hk.records.shown import canonical, shown_view
from hk.storage import get_storage
from tests.builders import make_customer, make_job
from tests.conftest import csrf_token
from tests.jobs.helpers import hand_to_customer
from tests.records.test_sign_flow import signature_png


def _handed_over(client, login, **job):
    worker = login("worker")
    made = make_job(worker, state="awaiting_signature", **job)
    assert hand_to_customer(client, made.id).status_code == 303
    return made


def _served(client, job_id):
    """What the phone keeps while it has signal: the view and its hash."""
    answer = client.get(f"/jobs/{job_id}/shown.json")
    assert answer.status_code == 200
    return answer.get_json()


def _offline_sign(client, job_id, view, at_ms=None, lang="zh_CN", key=None, **overrides):
    """The outbox sending a signature made offline: the view as the phone hashed it, and the phone time."""
    text = canonical(view)
    data = {
        "csrf_token": csrf_token(client, f"/jobs/{job_id}/review"),
        "signer_name": "周丽",
        "consent": "y",
        "signature": signature_png(),
        "shown": text,
        "shown_hash": hashlib.sha256(text.encode()).hexdigest(),
        "lang": lang,
    }
    data.update(overrides)
    headers = {"X-Requested-With": "hk-outbox"}
    if at_ms is not None:
        headers["X-HK-Happened-At"] = str(at_ms)
    if key is not None:
        headers["X-HK-Client-Key"] = key
    return client.post(f"/jobs/{job_id}/sign", data=data, headers=headers)


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def test_the_served_view_is_the_servers_view_and_its_hash(client, login):
    job = _handed_over(client, login)
    served = _served(client, job.id)
    assert served["view"] == shown_view(db.session.get(type(job), job.id))
    assert served["hash"] == hashlib.sha256(canonical(served["view"]).encode()).hexdigest()
    # no server-only detail and no time: the phone can build it from its own writes
    text = canonical(served["view"])
    assert "storage_key" not in text and "_at" not in text and '"id"' not in text
    keys = [p["key"] for s in served["view"]["stages"] for p in s["photos"]]
    assert keys and all(isinstance(k, str) and k for k in keys)


def test_an_offline_signature_with_the_same_view_signs_at_the_phones_time(client, login):
    customer = make_customer(email="zhou@example.com")
    job = _handed_over(client, login, customer=customer)
    view = _served(client, job.id)["view"]
    signed_on_phone = utcnow() - timedelta(minutes=42)
    answer = _offline_sign(client, job.id, view, at_ms=_ms(signed_on_phone))
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/jobs/{job.id}/signed")
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    assert abs(signoff.signed_at - signed_on_phone) < timedelta(milliseconds=2)
    assert signoff.received_at is not None and signoff.received_at - signoff.signed_at > timedelta(minutes=41)
    assert signoff.shown_json == canonical(view)
    assert signoff.shown_hash == hashlib.sha256(signoff.shown_json.encode()).hexdigest()
    event = db.session.scalar(select(Event).where(Event.subject_id == job.id, Event.action == "sign"))
    assert event.data["offline"] is True and event.data["signed_at"] == signoff.signed_at.isoformat()
    assert event.data["received_at"] == signoff.received_at.isoformat()
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == "done", record.render_error
    message = db.session.scalar(select(Message).where(Message.kind == "record_ready"))
    assert message is not None and message.to_address == "zhou@example.com"


def test_the_record_says_when_it_was_signed_and_when_it_was_received(client, login, tmp_path):
    job = _handed_over(client, login)
    view = _served(client, job.id)["view"]
    assert _offline_sign(client, job.id, view, at_ms=_ms(utcnow() - timedelta(hours=2))).status_code == 303
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    path = tmp_path / "record.pdf"
    path.write_bytes(get_storage().get(record.pdf_key))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "在无信号时于手机上签字" in text and "签字送达时间" in text


def test_a_signature_made_online_says_nothing_of_receiving(client, login, tmp_path):
    job = _handed_over(client, login)
    view = _served(client, job.id)["view"]
    assert _offline_sign(client, job.id, view, at_ms=_ms(utcnow())).status_code == 303
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    path = tmp_path / "record.pdf"
    path.write_bytes(get_storage().get(record.pdf_key))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert (
        signoff.received_at is not None and "无信号" not in text and "签字送达时间" not in text
    )  # same minute: one time is enough


def test_a_phone_clock_ahead_or_reset_gives_the_arrival_and_keeps_the_raw_value(client, login):
    job = _handed_over(client, login)
    view = _served(client, job.id)["view"]
    assert _offline_sign(client, job.id, view, at_ms=86_400_000).status_code == 303  # 1970
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    assert signoff.signed_at == signoff.received_at
    event = db.session.scalar(select(Event).where(Event.subject_id == job.id, Event.action == "sign"))
    assert event.data["phone_time_refused"] == "86400000" and event.happened_at is None


def test_a_changed_job_refuses_the_signature_saying_what_differs_in_both_languages(client, login):
    worker = login("worker", locale="zh_CN")
    job = make_job(worker, state="awaiting_signature")
    assert hand_to_customer(client, job.id).status_code == 303
    view = _served(client, job.id)["view"]
    stage = view["stages"][1]
    item = stage["items"][0]
    # meanwhile (another phone, an earlier write the phone did not know of) the item got a note
    check = db.session.scalar(
        select(ItemCheck).where(
            ItemCheck.job_id == job.id,
            ItemCheck.stage_code == stage["code"],
            ItemCheck.item_code == item["code"],
        )
    )
    check.note = "墙角有旧污渍"
    db.session.add(HandoverItem(job_id=job.id, description="门禁卡", quantity=1, client_key="k-card"))
    db.session.commit()
    answer = _offline_sign(client, job.id, view, at_ms=_ms(utcnow()), lang="en")
    assert answer.status_code == 409
    body = answer.get_data(as_text=True)
    assert (
        "review it again and sign" in body and "请让客户重新核对并签字" in body
    )  # the customer's, the worker's
    assert item["label"]["en"] in body and item["label"]["zh_CN"] in body
    assert "handed back" in body
    assert body.index("review it again") < body.index("请让客户重新核对")
    assert db.session.scalar(select(func.count(SignOff.id))) == 0
    assert str(db.session.get(type(job), job.id).status) == "awaiting_signature"
    refused = db.session.scalar(select(Event).where(Event.action == "sign.offline_changed"))
    assert ["item", stage["code"], item["code"]] in refused.data["differences"]
    assert ["handover", None, None] in refused.data["differences"]
    # the customer reviews again, with signal, and signs the view as it is now
    fresh = _served(client, job.id)["view"]
    assert _offline_sign(client, job.id, fresh, at_ms=_ms(utcnow())).status_code == 303


def test_a_damaged_entry_is_refused_and_changes_nothing(client, login):
    job = _handed_over(client, login)
    view = _served(client, job.id)["view"]
    assert _offline_sign(client, job.id, view, shown_hash="0" * 64).status_code == 400
    assert _offline_sign(client, job.id, view, shown="{not json").status_code == 400
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_a_view_sent_with_other_key_order_is_the_same_view(client, login):
    """The phone hashes what it sent; the server compares meaning, and keeps the text it was given."""
    job = _handed_over(client, login)
    view = _served(client, job.id)["view"]
    text = json.dumps(view, ensure_ascii=True, indent=1)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert _offline_sign(client, job.id, view, shown=text, shown_hash=digest).status_code == 303
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    assert signoff.shown_json == text and signoff.shown_hash == digest


def test_the_entry_sent_again_is_answered_as_applied_and_a_refused_one_can_be_sent_again(client, login):
    job = _handed_over(client, login)
    view = _served(client, job.id)["view"]
    changed = {**view, "quote": {**view["quote"], "total": "1.00"}}
    assert _offline_sign(client, job.id, changed, key="sign-1").status_code == 409
    assert _offline_sign(client, job.id, changed, key="sign-1").status_code == 409  # no key was kept
    assert _offline_sign(client, job.id, view, key="sign-2").status_code == 303
    again = _offline_sign(client, job.id, view, key="sign-2")
    assert again.status_code == 200 and again.headers["X-HK-Replayed"] == "1"
    assert db.session.scalar(select(func.count(SignOff.id))) == 1
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "sign")) == 1
