"""The form-based checklist editor: fields to catalogue data, and saving a new version."""

import yaml
from sqlalchemy import select

from hk.catalogue import export_service_types
from hk.domain.catalogue import check
from hk.extensions import db
from hk.models import ServiceType
from hk.office.checklist_form import lines_of, parse_checklist
from tests.builders import make_job, make_user, service_type


def fields_of(entry: dict) -> dict:
    """What the browser sends for an entry, unchanged."""
    form = {"tools": lines_of(entry["tools"]), "materials": lines_of(entry["materials"])}
    for i, stage in enumerate(entry["stages"]):
        form.update(
            {
                f"s-{i}-code": stage["code"],
                f"s-{i}-kind": stage["kind"],
                f"s-{i}-order": str(i + 1),
                f"s-{i}-name_zh": stage["name"]["zh_CN"],
                f"s-{i}-name_en": stage["name"]["en"],
            }
        )
        for j, item in enumerate(stage["items"]):
            p = f"s-{i}-it-{j}-"
            form.update(
                {
                    p + "code": item["code"],
                    p + "order": str(j + 1),
                    p + "label_zh": item["label"]["zh_CN"],
                    p + "label_en": item["label"]["en"],
                }
            )
            for flag, key in (("required", "required"), ("photo", "photo_required"), ("safety", "safety")):
                if item[key]:
                    form[p + flag] = "1"
    return form


def _entry(app):
    return yaml.safe_load(export_service_types([service_type("daily_cleaning")]))["service_types"][0]


def test_unchanged_fields_give_back_the_same_checklist(app):
    entry = _entry(app)
    assert parse_checklist(fields_of(entry), entry) == entry


def test_add_reorder_and_delete_items(app):
    entry = _entry(app)
    form = fields_of(entry)
    form.update(
        {
            "s-2-it-new-label_zh": "冰箱顶部除尘",
            "s-2-it-new-label_en": "Dust the top of the fridge",
            "s-2-it-new-order": "0.5",
            "s-2-it-new-photo": "1",
            "s-2-it-1-delete": "1",
        }
    )
    edited = parse_checklist(form, entry)
    items = edited["stages"][2]["items"]
    assert (
        items[0]["label"]["zh_CN"] == "冰箱顶部除尘"
        and items[0]["photo_required"]
        and not items[0]["required"]
    )
    assert items[0]["code"] == "dust_the_top_of_the_fridge"
    assert entry["stages"][2]["items"][1]["code"] not in [i["code"] for i in items]
    check({"format": "hk-catalogue/1", "service_types": [edited]})


def test_a_new_stage_with_its_first_item(app):
    entry = _entry(app)
    form = fields_of(entry)
    form.update(
        {
            "s-new-name_zh": "阳台",
            "s-new-name_en": "Balcony",
            "s-new-order": "6.5",
            "s-new-kind": "cleaning",
            "s-new-it-new-label_zh": "阳台地面冲洗",
            "s-new-it-new-label_en": "Rinse the balcony floor",
            "s-new-it-new-required": "1",
        }
    )
    edited = parse_checklist(form, entry)
    names = [s["name"]["en"] for s in edited["stages"]]
    assert names.index("Balcony") == 6 and edited["stages"][6]["code"] == "balcony"


def test_saving_in_the_browser_makes_a_new_version(client, login):
    job = make_job(make_user("worker"))
    login("supervisor")
    st = service_type("daily_cleaning")
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/office/catalogue/{st.id}/checklist")
    form = fields_of(_entry(None))
    form.update(
        {
            "csrf_token": token,
            "s-3-it-new-label_zh": "浴帘清洗",
            "s-3-it-new-label_en": "Wash the shower curtain",
        }
    )
    response = client.post(f"/office/catalogue/{st.id}/checklist", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    st = db.session.scalar(select(ServiceType).where(ServiceType.code == "daily_cleaning"))
    assert st.current_template.version == 2
    assert any(
        i["label"]["en"] == "Wash the shower curtain"
        for s in st.current_template.snapshot()["stages"]
        for i in s["items"]
    )
    assert job.template_snapshot["version"] == 1


def test_a_stage_left_empty_is_refused_and_what_was_typed_stays(client, login):
    login("supervisor")
    st = service_type("daily_cleaning")
    from tests.conftest import csrf_token

    entry = _entry(None)
    form = fields_of(entry)
    for j in range(len(entry["stages"][2]["items"])):
        form[f"s-2-it-{j}-delete"] = "1"
    form.update(
        {
            "csrf_token": csrf_token(client, f"/office/catalogue/{st.id}/checklist"),
            "s-0-name_en": "Talk with the customer first",
        }
    )
    response = client.post(f"/office/catalogue/{st.id}/checklist", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "stages[2].items: needs at least 1 entry" in body and "Talk with the customer first" in body
    assert db.session.get(ServiceType, st.id).current_template.version == 1
