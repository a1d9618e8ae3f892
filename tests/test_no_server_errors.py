"""Requests that once gave a 500 get a 4xx with a message, and change nothing."""

import base64
import re

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Photo, SignOff, User
from tests.builders import make_job, make_user
from tests.conftest import csrf_token
from tests.jobs.helpers import Phone, jpeg
from tests.records.test_sign_flow import _ready, _sign
from tests.test_photos import png_header_only


def test_a_signature_claiming_ten_billion_pixels_is_refused(client, login):
    phone = _ready(client, login)
    bomb = "data:image/png;base64," + base64.b64encode(png_header_only(100_000, 100_000)).decode()
    response = _sign(phone, signature=bomb)
    assert response.status_code == 422
    assert "无法识别签名" in response.get_data(as_text=True)
    assert phone.job().status == "awaiting_signature"
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_a_photo_for_a_stage_that_does_not_exist_is_refused(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    assert phone.check_in().status_code == 303
    response = phone.post(
        "/photos",
        {"stage": "nope", "client_key": "k-nope", "photo": (__import__("io").BytesIO(jpeg()), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert 400 <= response.status_code < 500, response.status_code
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_completing_a_stage_that_does_not_exist_is_refused(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    assert phone.check_in().status_code == 303
    for htmx in (False, True):
        response = phone.post("/stages/nope/complete", htmx=htmx)
        assert 400 <= response.status_code < 500, response.status_code
    assert phone.job().status == "checked_in"


def test_a_workers_emergency_contact_and_notes_are_saved(client, login):
    login("supervisor")
    worker = make_user("worker")
    response = client.post(
        f"/office/workers/{worker.id}",
        data={
            "csrf_token": csrf_token(client, "/office/workers"),
            "display_name": worker.display_name,
            "phone": "13900000001",
            "emergency_contact": "王芳 13900000002",
            "notes": "周三下午不排班",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    saved = db.session.get(User, worker.id)
    assert saved.profile.emergency_contact == "王芳 13900000002"
    assert saved.profile.notes == "周三下午不排班"


@pytest.mark.parametrize("role", ["worker", "supervisor", "admin"])
def test_an_id_no_table_can_hold_is_not_found_on_every_route(app, client, login, role):
    """A URL's id past what an id column holds is a 404 on every route, never a database error."""
    login(role)
    huge = "99999999999999999999"
    token = csrf_token(client, "/account")
    tried = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:\w+>", huge, rule.rule)
        path = re.sub(r"<(?:string:)?\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(
                path, method=method, data={"csrf_token": token} if method == "POST" else None
            )
            assert response.status_code < 500, (method, path, response.status_code)
            tried += 1
    assert tried > 40
