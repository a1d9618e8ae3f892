"""The back office: the catalogue of services, checklists and prices."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from hk.catalogue import DEFAULT_CATALOGUE, export_service_types
from hk.extensions import db
from hk.models import Job, PriceItem, ServiceType
from tests.builders import make_job, make_user, service_type


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
