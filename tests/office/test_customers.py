"""The back office: customers, their duplicates and their service history."""

from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Customer, Event
from tests.builders import make_customer, make_job, make_user


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
