"""The back office: workers' accounts, certificates and training."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from hk.domain.clock import local_today
from hk.extensions import db
from hk.models import Certificate, Event, User
from tests.builders import PASSWORD, make_user
from tests.conftest import post_form
from tests.office.helpers import TZ


def _scan() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), (240, 240, 230)).save(buf, "JPEG")
    return buf.getvalue()


def test_an_administrator_creates_a_worker_account(client, admin_office):
    response = admin_office(
        "/office/workers/new",
        {"username": "zhaomin", "display_name": "赵敏", "password": "first-pass-1", "employee_no": "E-7"},
    )
    assert response.status_code == 303
    worker = db.session.scalar(select(User).where(User.username == "zhaomin"))
    assert worker.role == "worker" and worker.profile.employee_no == "E-7"
    assert "first-pass-1" not in worker.password_hash and check_password_hash(
        worker.password_hash, "first-pass-1"
    )
    event = db.session.scalar(select(Event).where(Event.action == "account.create"))
    assert event.subject_id == worker.id and "first-pass-1" not in str(event.data)


def test_a_supervisor_adds_a_health_certificate_and_training(client, office):
    worker = make_user("worker", certified=False)
    today = local_today(TZ)
    response = office(
        f"/office/workers/{worker.id}/certificates",
        {
            "kind": "health",
            "number": "JK-001",
            "issuer": "徐汇区疾控中心",
            "valid_from": str(today - timedelta(days=10)),
            "valid_until": str(today + timedelta(days=20)),
            "scan": (io.BytesIO(_scan()), "scan.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    cert = db.session.scalar(select(Certificate).where(Certificate.worker_id == worker.id))
    assert (
        cert.scan_key
        and client.get(f"/office/workers/{worker.id}/certificates/{cert.id}/scan").status_code == 200
    )
    assert (
        office(
            f"/office/workers/{worker.id}/trainings",
            {
                "course": "安全操作",
                "topic": "safety",
                "completed_on": str(today),
                "score": "95",
                "passed": "y",
            },
        ).status_code
        == 303
    )
    listing = client.get("/office/workers").get_data(as_text=True)
    assert "即将过期" in listing  # expires within 30 days: marked
    page = client.get(f"/office/workers/{worker.id}").get_data(as_text=True)
    assert "安全操作" in page and "JK-001" in page


def test_a_certificate_that_ends_before_it_starts_is_refused(client, office):
    worker = make_user("worker", certified=False)
    response = office(
        f"/office/workers/{worker.id}/certificates",
        {
            "kind": "job",
            "number": "X1",
            "issuer": "协会",
            "valid_from": "2026-05-01",
            "valid_until": "2026-04-01",
        },
    )
    assert response.status_code == 422 and "结束日期早于开始日期" in response.get_data(as_text=True)
    assert not db.session.scalar(select(func.count(Certificate.id)))


def test_a_non_image_certificate_scan_is_refused(client, office):
    worker = make_user("worker", certified=False)
    response = office(
        f"/office/workers/{worker.id}/certificates",
        {
            "kind": "job",
            "number": "X1",
            "issuer": "协会",
            "valid_from": "2026-01-01",
            "valid_until": "2027-01-01",
            "scan": (io.BytesIO(b"not an image"), "x.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "这不是照片" in response.get_data(as_text=True)


def test_a_taken_username_is_refused(client, admin_office):
    make_user("worker", username="taken")
    response = admin_office(
        "/office/workers/new", {"username": "taken", "display_name": "x", "password": "long-enough"}
    )
    assert response.status_code == 422 and "该用户名已被使用" in response.get_data(as_text=True)


def test_a_taken_employee_number_is_refused_not_a_busy_page(client, admin_office):
    first = {"username": "first", "display_name": "甲", "password": "long-enough", "employee_no": "E-1"}
    assert admin_office("/office/workers/new", first).status_code == 303
    response = admin_office("/office/workers/new", {**first, "username": "second"})
    assert response.status_code == 422 and "该工号已被使用" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "second")) == 0


def test_a_short_first_password_is_refused_by_the_one_policy(client, admin_office):
    response = admin_office(
        "/office/workers/new", {"username": "duan", "display_name": "短", "password": "1234567"}
    )
    assert response.status_code == 422 and "密码至少需要8个字符" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "duan")) == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234567", "密码至少需要8个字符"),
        ("Password1", "这个密码太常见"),
        ("88888888", "这个密码太容易被猜到"),
        ("zhaomin-2024", "密码不能包含用户名、姓名、手机号或公司名称"),
        ("赵敏的密码很长很长", "密码不能包含用户名、姓名、手机号或公司名称"),
        ("tel 13912345678", "密码不能包含用户名、姓名、手机号或公司名称"),
    ],
)
def test_a_weak_first_password_is_refused_with_the_reason(client, admin_office, password, message):
    data = {"username": "zhaomin", "display_name": "赵敏", "phone": "13912345678", "password": password}
    response = admin_office("/office/workers/new", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert 'value="zhaomin"' in body  # what was typed is kept (the password is not sent back)
    assert db.session.scalar(select(User).where(User.username == "zhaomin")) is None


def test_disabling_a_worker_ends_their_sessions_at_once(app, client, admin_office):
    worker = make_user("worker")
    phone = app.test_client()
    post_form(phone, "/login", {"username": worker.username, "password": PASSWORD})
    assert phone.get("/today").status_code == 200
    admin_office(f"/office/workers/{worker.id}/enabled", {})
    assert phone.get("/today").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, worker.id).is_enabled
    assert db.session.scalar(select(Event.action).where(Event.subject_id == worker.id)) == "account.disable"


def test_a_supervisor_may_not_create_or_disable_accounts(client, office):
    worker = make_user("worker")
    new = {"username": "sneaky", "display_name": "x", "password": "long-enough"}
    for path, data in (("/office/workers/new", new), (f"/office/workers/{worker.id}/enabled", {})):
        response = office(path, data)
        body = response.get_data(as_text=True)
        assert response.status_code == 403 and "只有管理员才能进行此操作" in body and "未做任何更改" in body
    db.session.expire_all()
    assert db.session.get(User, worker.id).is_enabled
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "sneaky")) == 0
