"""The back office: customers, workers and certificates, dispatch with its rules, catalogue and prices."""

import io
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from hk.catalogue import DEFAULT_CATALOGUE, export_service_types
from hk.domain.clock import local_today
from hk.extensions import db
from hk.models import Certificate, Customer, Event, Job, PriceItem, ServiceType, User
from tests.builders import PASSWORD, make_customer, make_job, make_user, service_type
from tests.conftest import csrf_token, post_form

TZ = "Asia/Shanghai"


def _poster(client, login, role):
    login(role)
    token = csrf_token(client, "/office/customers")

    def post(path, data=None, **kwargs):
        return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    return post


@pytest.fixture
def office(client, login):
    """Posts from a supervisor, who runs the daily work."""
    return _poster(client, login, "supervisor")


@pytest.fixture
def admin_office(client, login):
    """Posts from an administrator: accounts, the catalogue and prices are theirs alone."""
    return _poster(client, login, "admin")


def _tomorrow():
    return local_today(TZ) + timedelta(days=1)


# --- customers ---------------------------------------------------------------------------------


def test_create_search_edit_and_archive_a_customer(client, office):
    response = office(
        "/office/customers/new",
        {
            "name": "钱女士",
            "phone": "13911112222",
            "address": "上海市黄浦区测试路1号",
            "access_notes": "门禁 8888#",
            "has_pets": "y",
        },
    )
    assert response.status_code == 303
    customer = db.session.scalar(select(Customer).where(Customer.name == "钱女士"))
    assert customer.has_pets and customer.access_notes == "门禁 8888#"
    listing = client.get("/office/customers?q=1391111").get_data(as_text=True)
    assert "钱女士" in listing and "8888#" not in listing  # door codes stay out of lists
    office(
        f"/office/customers/{customer.id}",
        {
            "name": "钱女士",
            "phone": "13911112222",
            "address": "上海市黄浦区新地址2号",
            "access_notes": "门禁 9999#",
        },
    )
    events = db.session.scalars(select(Event).where(Event.subject_type == "customer")).all()
    assert any(
        e.data["changes"].get("address") == ["上海市黄浦区测试路1号", "上海市黄浦区新地址2号"] for e in events
    )
    assert all("8888" not in str(e.data) and "9999" not in str(e.data) for e in events)  # and out of logs
    page = client.get(f"/office/customers/{customer.id}").get_data(as_text=True)
    assert "新地址2号" in page and "修改记录" in page
    office(f"/office/customers/{customer.id}/archive")
    assert "钱女士" not in client.get("/office/customers").get_data(as_text=True)
    assert "钱女士" in client.get("/office/customers?archived=1").get_data(as_text=True)


def test_a_duplicate_phone_is_warned_not_blocked(client, office):
    make_customer(name="老客户", phone="13800001111")
    response = office(
        "/office/customers/new",
        {"name": "新客户", "phone": "13800001111", "address": "某地"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "老客户的电话号码相同" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Customer.id)).where(Customer.phone == "13800001111")) == 2


def test_a_bad_customer_form_keeps_what_was_typed(client, office):
    response = office(
        "/office/customers/new", {"name": "", "phone": "abc", "address": "上海", "preferences": "只用清水"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "此项必填" in body and "请输入6到20位数字" in body and "只用清水" in body


def test_the_customer_page_shows_the_service_history(client, office):
    customer = make_customer(name="历史客户")
    make_job(make_user("worker"), customer)
    page = client.get(f"/office/customers/{customer.id}").get_data(as_text=True)
    assert "日常保洁" in page and "已排班" in page


# --- workers -----------------------------------------------------------------------------------


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


# --- dispatch ----------------------------------------------------------------------------------


def _job_form(customer, worker=None, day=None, start="09:00", end="12:00", **extra):
    st = service_type("daily_cleaning")
    data = {
        "customer": customer.id,
        "service_type": st.id,
        "day": str(day or _tomorrow()),
        "start": start,
        "end": end,
        "worker": worker.id if worker else 0,
        "repeat": "none",
        "count": "1",
        "area_m2": "90",
    }
    data.update(extra)
    return data


def test_create_a_job_for_tomorrow_with_a_quote_and_assign_it(client, office):
    customer, worker = make_customer(), make_user("worker")
    response = office("/office/jobs/new", _job_form(customer, worker))
    assert response.status_code == 303
    job = db.session.scalar(select(Job))
    assert job.worker_id == worker.id and job.template_snapshot["version"] == 1
    assert sum(line.amount for line in job.quote_lines) > 0
    assert job.number.startswith(f"HK{_tomorrow():%Y%m%d}-")


def test_an_end_before_the_start_is_refused(client, office):
    response = office("/office/jobs/new", _job_form(make_customer(), start="12:00", end="09:00"))
    assert response.status_code == 422 and "结束时间必须晚于开始时间" in response.get_data(as_text=True)
    assert not db.session.scalar(select(func.count(Job.id)))


def test_an_uncertified_worker_is_refused_with_the_reason(client, office):
    worker = make_user("worker", certified=False)
    response = office("/office/jobs/new", _job_form(make_customer(), worker))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "不能接这个工单" in body and "缺少健康证" in body
    assert not db.session.scalar(select(func.count(Job.id)))


def test_a_certificate_expiring_before_the_jobs_day_is_refused(client, office):
    worker = make_user("worker")
    health = next(c for c in worker.certificates if c.kind == "health")
    health.valid_until = local_today(TZ)
    db.session.commit()
    response = office("/office/jobs/new", _job_form(make_customer(), worker, day=_tomorrow()))
    assert response.status_code == 422 and "健康证已于" in response.get_data(as_text=True)


def test_a_double_booked_worker_is_refused_and_reassignment_works(client, office):
    worker, other = make_user("worker"), make_user("worker")
    office("/office/jobs/new", _job_form(make_customer(), worker, start="09:00", end="12:00"))
    response = office("/office/jobs/new", _job_form(make_customer(), worker, start="11:00", end="13:00"))
    assert response.status_code == 422 and "已有工单" in response.get_data(as_text=True)
    office("/office/jobs/new", _job_form(make_customer(), None, start="11:00", end="13:00"))
    second = db.session.scalars(select(Job).order_by(Job.id)).all()[-1]
    refused = office(f"/office/jobs/{second.id}/assign", {"worker": worker.id})
    assert refused.status_code == 409 and "已有工单" in refused.get_data(as_text=True)
    assert office(f"/office/jobs/{second.id}/assign", {"worker": other.id}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Job, second.id).worker_id == other.id


def test_cancel_needs_a_reason(client, office):
    job = make_job(make_user("worker"))
    assert office(f"/office/jobs/{job.id}/cancel", {"reason": ""}).status_code == 422
    assert office(f"/office/jobs/{job.id}/cancel", {"reason": "客户改期"}).status_code == 303
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "cancelled" and job.cancel_reason == "客户改期"


def test_a_weekly_series_is_created_and_each_week_checked(client, office):
    worker = make_user("worker")
    response = office("/office/jobs/new", _job_form(make_customer(), worker, repeat="weekly", count="4"))
    assert response.status_code == 303
    jobs = db.session.scalars(select(Job).order_by(Job.scheduled_start)).all()
    assert len(jobs) == 4 and len({j.series_key for j in jobs}) == 1
    assert [(b.scheduled_start - a.scheduled_start).days for a, b in pairwise(jobs)] == [
        7,
        7,
        7,
    ]
    week = client.get(f"/office/schedule?view=week&day={_tomorrow()}").get_data(as_text=True)
    assert worker.display_name in week


def _quote_fields(lines, changed=None) -> dict:
    """The quote form as the browser sends it; changed maps a line to its (quantity, price)."""
    data = {}
    for n, line in enumerate(lines):
        qty, price = (changed or {}).get(line.id, (str(line.quantity), str(line.unit_price)))
        data.update(
            {f"lines-{n}-line_id": line.id, f"lines-{n}-quantity": qty, f"lines-{n}-unit_price": price}
        )
    return data


@pytest.mark.parametrize("value", ["-5", "abc", "1.234", "NaN", ""])
def test_a_negative_or_non_numeric_quote_price_is_refused(client, office, value):
    job = make_job(make_user("worker"))
    line = job.quote_lines[0]
    response = office(
        f"/office/jobs/{job.id}/quote",
        {**_quote_fields(job.quote_lines, {line.id: ("2", value)}), "reason": "客户要求"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "价格必须是不小于0的数字" in body
    assert f"报价项“{line.name_zh}”" in body  # the line is named
    db.session.expire_all()
    assert db.session.get(type(line), line.id).unit_price == line.unit_price


def test_a_quote_adjustment_needs_a_reason_and_is_logged(client, office):
    job = make_job(make_user("worker"))
    line = job.quote_lines[0]
    data = _quote_fields(job.quote_lines, {line.id: ("4", "55.00")})
    assert office(f"/office/jobs/{job.id}/quote", data).status_code == 422
    assert office(f"/office/jobs/{job.id}/quote", {**data, "reason": "面积比预计大"}).status_code == 303
    db.session.expire_all()
    line = db.session.get(type(line), line.id)
    assert (line.quantity, line.unit_price, line.amount) == (
        Decimal("4"),
        Decimal("55.00"),
        Decimal("220.00"),
    )
    assert (
        db.session.scalar(select(Event).where(Event.action == "quote.adjust")).data["reason"]
        == "面积比预计大"
    )


def test_the_assigned_worker_sees_the_new_job(app, client, office):
    worker = make_user("worker")
    today = local_today(TZ)
    office(
        "/office/jobs/new",
        _job_form(make_customer(name="新派客户"), worker, day=today, start="20:00", end="22:00"),
    )
    phone = app.test_client()
    post_form(phone, "/login", {"username": worker.username, "password": PASSWORD})
    assert "新派客户" in phone.get("/today").get_data(as_text=True)


# --- catalogue and prices ----------------------------------------------------------------------


def test_editing_a_checklist_makes_a_new_version_and_jobs_keep_theirs(client, admin_office):
    job = make_job(make_user("worker"))
    st = service_type("daily_cleaning")
    text = export_service_types([st]).replace(
        "Confirm service scope and priority areas with the customer",
        "Walk through every room with the customer",
        1,
    )
    response = admin_office(f"/office/catalogue/{st.id}", {"text": text})
    assert response.status_code == 303
    db.session.expire_all()
    st = db.session.get(ServiceType, st.id)
    assert st.current_template.version == 2
    assert db.session.get(Job, job.id).template_snapshot["version"] == 1
    unchanged = admin_office(
        f"/office/catalogue/{st.id}", {"text": export_service_types([st])}, follow_redirects=True
    )
    assert "检查清单没有变化" in unchanged.get_data(as_text=True)


def test_a_template_with_an_empty_stage_is_refused(client, admin_office):
    import yaml

    st = service_type("daily_cleaning")
    data = yaml.safe_load(export_service_types([st]))
    data["service_types"][0]["stages"][2]["items"] = []
    response = admin_office(f"/office/catalogue/{st.id}", {"text": yaml.safe_dump(data, allow_unicode=True)})
    assert response.status_code == 422
    assert "stages[2].items: needs at least 1 entry" in response.get_data(as_text=True)
    assert db.session.get(ServiceType, st.id).current_template.version == 1


def test_an_import_file_with_a_wrong_structure_names_the_line(client, admin_office):
    bad = "format: hk-catalogue/1\nservice_types:\n  - code: x\n    name: {zh_CN: 甲, en: A}\n    stages: 5\n"
    response = admin_office(
        "/office/catalogue/import",
        {"file": (io.BytesIO(bad.encode()), "bad.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "文件未导入" in body and "line 3" in body and "stages" in body


def test_import_and_export_round_trip(client, admin_office):
    response = admin_office(
        "/office/catalogue/import",
        {"file": (io.BytesIO(DEFAULT_CATALOGUE.read_bytes()), "c.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    exported = client.get("/office/catalogue/export.yaml")
    assert exported.status_code == 200 and "日常保洁" in exported.get_data(as_text=True)
    again = admin_office(
        "/office/catalogue/import",
        {"file": (io.BytesIO(exported.data), "c.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "未变4个" in again.get_data(as_text=True)


@pytest.mark.parametrize("value", ["-1", "abc", ""])
def test_a_negative_or_non_numeric_price_is_refused(client, admin_office, value):
    st = service_type("daily_cleaning")
    item = db.session.scalar(
        select(PriceItem).where(PriceItem.service_type_id == st.id, PriceItem.code == "labour")
    )
    response = admin_office(
        f"/office/catalogue/prices/{item.id}", {"unit_price": value}, follow_redirects=True
    )
    assert "价格必须是不小于0的数字" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PriceItem, item.id).unit_price == Decimal("50.00")
    admin_office(f"/office/catalogue/prices/{item.id}", {"unit_price": "58.00"})
    db.session.expire_all()
    assert db.session.get(PriceItem, item.id).unit_price == Decimal("58.00")


def test_workers_get_403_on_every_office_page(client, login):
    login("worker")
    for path in (
        "/office/customers",
        "/office/workers",
        "/office/jobs/new",
        "/office/schedule",
        "/office/catalogue",
    ):
        response = client.get(path)
        assert response.status_code == 403 and "您无权访问此页面" in response.get_data(as_text=True)


def test_a_supervisor_reads_the_catalogue_but_cannot_change_it(client, office):
    st = service_type("daily_cleaning")
    item = db.session.scalar(
        select(PriceItem).where(PriceItem.service_type_id == st.id, PriceItem.code == "labour")
    )
    listing = client.get("/office/catalogue").get_data(as_text=True)
    assert "查看检查清单" in listing and "¥50.00" in listing
    assert "/office/catalogue/prices/" not in listing and "/office/catalogue/import" not in listing
    for path in (f"/office/catalogue/{st.id}", f"/office/catalogue/{st.id}/checklist"):
        page = client.get(path)
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and 'data-testid="read-only"' in body
        assert 'method="post"' not in body.split('<main id="main"', 1)[1]  # no form to send
    text = export_service_types([st]).replace("Confirm service scope", "Skip", 1)
    refused = [
        office(f"/office/catalogue/prices/{item.id}", {"unit_price": "1.00"}),
        office(f"/office/catalogue/{st.id}", {"text": text}),
        office(f"/office/catalogue/{st.id}/checklist", {}),
        office(
            "/office/catalogue/import",
            {"file": (io.BytesIO(DEFAULT_CATALOGUE.read_bytes()), "c.yaml")},
            content_type="multipart/form-data",
        ),
    ]
    for response in refused:
        body = response.get_data(as_text=True)
        assert response.status_code == 403 and "只有管理员才能进行此操作" in body and "未做任何更改" in body
    db.session.expire_all()
    assert db.session.get(PriceItem, item.id).unit_price == Decimal("50.00")
    assert db.session.get(ServiceType, st.id).current_template.version == 1
