"""Anyone may check a PDF at /verify; what that costs the server is bounded (hardening finding 1)."""

import io

import pytest
from sqlalchemy import select

from hk.extensions import db
from hk.models import ServiceRecord
from hk.records import service as records
from hk.records.signing import Verdict
from hk.storage import get_storage
from tests.conftest import csrf_token
from tests.records.test_sign_flow import _ready, _sign

# One incremental update appended to a PDF: a new object, its cross-reference and a trailer.
UPDATE = (
    b"\n9999 0 obj\n<< /Hk 1 >>\nendobj\nxref\n9999 1\n0000000000 00000 n \n"
    b"trailer\n<< /Size 10000 >>\nstartxref\n0\n%%EOF\n"
)


@pytest.fixture
def archived_pdf(app, client, login):
    _sign(_ready(client, login))
    record = db.session.scalar(select(ServiceRecord))
    return get_storage().get(record.pdf_key)


@pytest.fixture
def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the PDF was parsed")

    monkeypatch.setattr(records, "check_pdf", refuse)


def _upload(app, data: bytes):
    anon = app.test_client()
    return anon.post(
        "/verify",
        data={"csrf_token": csrf_token(anon, "/verify"), "pdf": (io.BytesIO(data), "record.pdf")},
        content_type="multipart/form-data",
    )


def test_an_archived_record_is_genuine_by_its_hash_without_parsing(app, archived_pdf, no_parsing):
    response = _upload(app, archived_pdf)
    assert response.status_code == 200
    assert 'data-verdict="genuine"' in response.get_data(as_text=True)


def test_a_record_with_thousands_of_appended_updates_is_not_parsed(app, archived_pdf, no_parsing):
    bloated = archived_pdf + UPDATE * 5000
    assert len(bloated) < 4 * 1024 * 1024
    response = _upload(app, bloated)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verdict="genuine"' not in body and "无法确认为真实记录" in body


def test_a_changed_record_of_normal_shape_is_still_checked(app, archived_pdf, monkeypatch):
    """Below the bounds the file is parsed, so that "ours, but changed" can be told from "not ours"."""
    parsed = []
    real = records.check_pdf
    monkeypatch.setattr(records, "check_pdf", lambda *a: parsed.append(1) or real(*a))
    changed = bytearray(archived_pdf)
    changed[len(changed) // 2] ^= 0x20
    assert records.verify_upload(bytes(changed)).verdict != Verdict.GENUINE
    assert parsed == [1]


def test_a_file_larger_than_any_record_is_refused_unread(app, no_parsing):
    response = _upload(app, b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024))
    assert response.status_code == 413
    assert "文件太大" in response.get_data(as_text=True)
