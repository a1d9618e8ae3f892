"""The customer signs (or refuses), the record is rendered, signed, archived, chained and checkable."""

import base64
import hashlib
import io
import subprocess
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import CustomerLink, Event, Job, ServiceRecord, SignOff, utcnow
from hk.records import service as records
from hk.records.signing import Verdict
from hk.storage import get_storage
from tests.builders import make_job, make_user
from tests.conftest import csrf_token, post_form
from tests.jobs.helpers import Phone, review_hash


def signature_png(points=((20, 80), (80, 20), (140, 90), (220, 30), (300, 85)), size=(340, 120)) -> str:
    """A drawn signature as signature_pad sends it: a transparent PNG data URL."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(img).line(points, fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _ready(client, login):
    """A logged-in worker's phone handed to the customer, on a job awaiting signature (built, not walked)."""
    worker = login("worker")
    phone = Phone(client, make_job(worker, state="awaiting_signature"))
    assert phone.hand_to_customer().status_code == 303
    return phone


def _walked(client, login):
    """The same, with the whole job walked over HTTP first, as the worker's phone does it."""
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    assert phone.walk() is None
    assert phone.hand_to_customer().status_code == 303
    return phone


def _shown_hash(client, job_id, lang="zh_CN"):
    return review_hash(client, job_id, lang)


def _sign(phone, **overrides):
    data = {
        "signer_name": "周丽",
        "consent": "y",
        "signature": signature_png(),
        "shown_hash": _shown_hash(phone.client, phone.job_id),
        "lang": "zh_CN",
    }
    data.update(overrides)
    return phone.client.post(f"/jobs/{phone.job_id}/sign", data={"csrf_token": phone.token, **data})


def test_signing_makes_a_signed_chained_record(app, client, login, tmp_path):
    phone = _walked(client, login)
    review = client.get(f"/jobs/{phone.job_id}/review")
    assert review.status_code == 200 and "请核对并签字" in review.get_data(as_text=True)
    response = _sign(phone)
    assert response.status_code == 303 and response.headers["Location"].endswith("/signed")
    job = phone.job()
    assert job.status == "completed"
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    assert signoff.kind == "signed" and signoff.signer_name == "周丽" and len(signoff.shown_hash) == 64
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == "done", record.render_error
    pdf = get_storage().get(record.pdf_key)
    assert hashlib.sha256(pdf).hexdigest() == record.pdf_sha256
    assert record.chain_seq == 1 and record.prev_chain_hash == "0" * 64
    assert records.verify_upload(pdf).verdict == Verdict.GENUINE
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in out
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts and " yes yes " in fonts  # Chinese embedded as a subset
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "服务记录" in text and job.number in text and "周丽" in text
    signed = client.get(f"/jobs/{job.id}/signed").get_data(as_text=True)
    assert "/r/" in signed and "data:image/svg+xml;base64," in signed
    actions = [
        e.action
        for e in db.session.scalars(select(Event).where(Event.subject_id == job.id).order_by(Event.id))
    ]
    assert "sign" in actions and "record.create" in actions


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("", "请在下方的框内用手指签名"),
        (signature_png(points=((50, 50), (51, 51))), "签名太小"),
        ("data:image/png;base64,not-base64!!", "无法识别签名"),
    ],
)
def test_a_blank_or_dot_signature_is_refused(client, login, signature, message):
    phone = _ready(client, login)
    response = _sign(phone, signature=signature)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert phone.job().status == "awaiting_signature"
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_a_missing_name_or_consent_is_refused(client, login):
    phone = _ready(client, login)
    response = _sign(phone, signer_name="", consent="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "请写下您的姓名" in body and "请勾选确认" in body


def test_a_second_signing_changes_nothing(client, login):
    phone = _ready(client, login)
    assert _sign(phone).status_code == 303
    again = phone.client.post(
        f"/jobs/{phone.job_id}/sign",
        data={
            "csrf_token": phone.token,
            "signer_name": "别人",
            "consent": "y",
            "signature": signature_png(),
            "shown_hash": "0" * 64,
            "lang": "zh_CN",
        },
    )
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(SignOff.id))) == 1
    assert db.session.scalar(select(func.count(ServiceRecord.id))) == 1
    assert db.session.scalar(select(SignOff)).signer_name == "周丽"


def test_a_signature_for_someone_elses_job_is_refused(app, client, login):
    phone = _ready(client, login)
    other = app.test_client()
    intruder = make_user("worker")
    post_form(other, "/login", {"username": intruder.username, "password": "correct-horse-9"})
    response = other.post(
        f"/jobs/{phone.job_id}/sign",
        data={
            "csrf_token": csrf_token(other, "/today"),
            "signer_name": "x",
            "consent": "y",
            "signature": signature_png(),
            "shown_hash": "0" * 64,
        },
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_a_changed_job_must_be_reviewed_again(client, login):
    phone = _ready(client, login)
    shown = _shown_hash(client, phone.job_id)
    job = phone.job()
    job.handover_remarks = "changed after the customer read it"
    db.session.commit()
    response = _sign(phone, shown_hash=shown)
    assert response.status_code == 409
    assert "请重新核对" in response.get_data(as_text=True)


def test_a_refusal_is_recorded_with_the_reason_and_flagged(client, login):
    phone = _ready(client, login)
    response = phone.client.post(
        f"/jobs/{phone.job_id}/refuse",
        data={"csrf_token": phone.token, "reason": "卫生间镜面仍有水渍", "lang": "zh_CN"},
    )
    assert response.status_code == 303
    record = db.session.scalar(select(ServiceRecord))
    assert record.flag_refused and record.render_status == "done"
    assert db.session.scalar(select(SignOff)).refusal_reason == "卫生间镜面仍有水渍"
    empty = _ready(client, login)
    bad = empty.client.post(f"/jobs/{empty.job_id}/refuse", data={"csrf_token": empty.token, "reason": ""})
    assert bad.status_code == 422 and "请说明原因" in bad.get_data(as_text=True)


def test_the_review_is_in_the_customers_language(client, login):
    phone = _ready(client, login)
    body = client.get(f"/jobs/{phone.job_id}/review?lang=en").get_data(as_text=True)
    assert "Please review and sign" in body and "Daily cleaning" in body
    assert _sign(phone, shown_hash=_shown_hash(client, phone.job_id, "en"), lang="en").status_code == 303
    record = db.session.scalar(select(ServiceRecord))
    assert record.language == "en"


def test_a_failed_render_keeps_the_signature_and_is_retried(app, client, login, monkeypatch):
    import hk.records.making as making

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(making, "render_pdf", broken)
    phone = _ready(client, login)
    assert _sign(phone).status_code == 303
    record = db.session.scalar(select(ServiceRecord))
    assert record.render_status == "failed" and "renderer down" in record.render_error
    assert phone.job().status == "completed"
    assert db.session.scalar(select(SignOff)).signature_key
    signed = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    assert "签字已保存" in signed
    sup = make_user("supervisor")

    sup_client = app.test_client()
    post_form(sup_client, "/login", {"username": sup.username, "password": "correct-horse-9"})
    assert "部分记录尚未生成" in sup_client.get("/records").get_data(as_text=True)
    assert "PDF暂时未能生成" in sup_client.get(f"/records/{record.id}").get_data(as_text=True)
    monkeypatch.undo()
    assert making.make_all_waiting() == (1, 0)
    db.session.expire_all()
    assert db.session.get(ServiceRecord, record.id).render_status == "done"


def test_the_chain_detects_a_deleted_or_altered_record(app, client, login):
    for _ in range(3):
        _sign(_ready(client, login))
    assert records.verify_chain() == []
    result = app.test_cli_runner().invoke(args=["hk", "verify-chain"])
    assert result.exit_code == 0, result.output
    middle = db.session.scalar(select(ServiceRecord).where(ServiceRecord.chain_seq == 2))
    storage = get_storage()
    original = storage.get(middle.pdf_key)
    storage.path(middle.pdf_key).write_bytes(original[:-10] + b"%%EOF\n\n\n\n")
    problems = records.verify_chain()
    assert [(p.seq, "altered" in p.problem) for p in problems] == [(2, True)]
    result = app.test_cli_runner().invoke(args=["hk", "verify-chain"])
    assert result.exit_code != 0 and "#2" in result.output
    storage.path(middle.pdf_key).write_bytes(original)
    db.session.delete(middle)
    db.session.commit()
    problems = records.verify_chain()
    assert any("missing" in p.problem for p in problems)


def test_verify_record_cli_and_one_changed_byte(app, client, login, tmp_path):
    _sign(_ready(client, login))
    record = db.session.scalar(select(ServiceRecord))
    pdf = get_storage().get(record.pdf_key)
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(pdf)
    altered = bytearray(pdf)
    altered[len(pdf) // 3] ^= 0x01
    bad.write_bytes(bytes(altered))
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["hk", "verify-record", str(good)])
    assert ok.exit_code == 0 and "genuine" in ok.output
    nok = runner.invoke(args=["hk", "verify-record", str(bad)])
    assert nok.exit_code != 0 and "altered/unknown" in nok.output


def test_the_public_verify_page(app, client, login):
    _sign(_ready(client, login))
    record = db.session.scalar(select(ServiceRecord))
    pdf = get_storage().get(record.pdf_key)
    anon = app.test_client()
    page = anon.get(f"/verify/{record.code}").get_data(as_text=True)
    assert record.pdf_sha256 in page and "当前版本" in page
    assert db.session.get(Job, record.job_id).customer.address not in page
    token = csrf_token(anon, f"/verify/{record.code}")
    genuine = anon.post(
        f"/verify/{record.code}",
        data={"csrf_token": token, "pdf": (io.BytesIO(pdf), "r.pdf")},
        content_type="multipart/form-data",
    )
    assert 'data-verdict="genuine"' in genuine.get_data(as_text=True)
    altered = bytearray(pdf)
    altered[len(pdf) // 2] ^= 0x20
    result = anon.post(
        f"/verify/{record.code}",
        data={"csrf_token": token, "pdf": (io.BytesIO(bytes(altered)), "r.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'data-verdict="genuine"' not in result and ("已被改动" in result or "无法确认为真实记录" in result)
    # one verdict, stated first, with the reason under it: no green "exists" box above a red verdict
    assert 'data-testid="record-status"' not in result and "alert-ok" not in result
    assert result.index('data-testid="verdict"') < result.index('data-testid="archive-note"')
    assert result.index("verdict-word") < result.index("请勿采信")
    not_pdf = anon.post(
        "/verify",
        data={"csrf_token": token, "pdf": (io.BytesIO(b"hello"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert not_pdf.status_code == 422 and "这不是PDF文件" in not_pdf.get_data(as_text=True)
    assert "不存在" in anon.get("/verify/ZZZZ-ZZZZ").get_data(as_text=True)


def test_a_pdf_of_another_company_is_not_genuine(app, client, login, tmp_path):
    from weasyprint import HTML

    from hk.records.signing import load_company_keys, sign_pdf

    other = load_company_keys(tmp_path / "other", "别家保洁公司")
    forged = sign_pdf(HTML(string="<p>服务记录</p>").write_pdf(), other, reason="x", location="y")
    assert records.verify_upload(forged).verdict != Verdict.GENUINE


def test_the_customer_link_expires_can_be_revoked_and_resists_tampering(app, client, login):
    phone = _ready(client, login)
    _sign(phone)
    import re

    signed = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    url = re.search(r'data-testid="customer-link">([^<]+)<', signed).group(1)
    path = url[url.index("/r/") :]
    anon = app.test_client()
    page = anon.get(path)
    assert page.status_code == 200 and "下载PDF" in page.get_data(as_text=True)
    pdf = anon.get(path + "/record.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    tampered = anon.get(path[:-3] + ("abc" if not path.endswith("abc") else "xyz"))
    assert tampered.status_code == 404 and "链接无效" in tampered.get_data(as_text=True)
    link = db.session.scalar(select(CustomerLink))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = anon.get(path)
    assert expired.status_code == 410 and "链接已过期" in expired.get_data(as_text=True)
    link.expires_at = utcnow() + timedelta(days=1)
    link.revoked_at = utcnow()
    db.session.commit()
    assert anon.get(path).status_code == 410
    assert anon.get(path + "/record.pdf").status_code == 410


def test_a_correction_makes_a_new_version_and_keeps_the_old(app, client, login):
    phone = _ready(client, login)
    _sign(phone)
    first = db.session.scalar(select(ServiceRecord))
    supervisor = make_user("supervisor")
    sup = app.test_client()
    post_form(sup, "/login", {"username": supervisor.username, "password": "correct-horse-9"})
    token = csrf_token(sup, "/records")
    response = sup.post(f"/records/{first.id}/correct", data={"csrf_token": token, "reason": "客户姓名写错"})
    assert response.status_code == 303
    db.session.expire_all()
    versions = db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.version)).all()
    assert [(v.version, v.status) for v in versions] == [(1, "superseded"), (2, "current")]
    assert versions[1].supersedes_id == versions[0].id and versions[1].render_status == "done"
    assert get_storage().exists(versions[0].pdf_key)
    assert records.verify_chain() == []
    assert "已被新版本取代" in app.test_client().get(f"/verify/{versions[0].code}").get_data(as_text=True)
    assert sup.get("/records?refused=1").status_code == 200
    assert (
        sup.post(
            f"/records/{versions[1].id}/send-back", data={"csrf_token": token, "reason": "照片不清楚"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(ServiceRecord, versions[1].id).review_status == "sent_back"


def test_workers_cannot_reach_the_review_pages(client, login):
    phone = _ready(client, login)
    _sign(phone)
    record = db.session.scalar(select(ServiceRecord))
    for path in ("/records", f"/records/{record.id}", f"/records/{record.id}/pdf", "/records/chain"):
        assert client.get(path).status_code == 403
