"""The form-based checklist editor: fields to catalogue data, and saving a new version."""

import yaml
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hk.catalogue import export_service_types
from hk.domain.catalogue import check
from hk.extensions import db
from hk.models import ServiceType
from hk.office.checklist_form import ChecklistForm, entry_from, lines_of
from tests.builders import make_job, make_user, service_type


def fields_of(entry: dict) -> dict:
    """What the browser sends for an entry, unchanged."""
    form = {"tools": lines_of(entry["tools"]), "materials": lines_of(entry["materials"])}
    for i, stage in enumerate(entry["stages"]):
        form.update(
            {
                f"stages-{i}-code": stage["code"],
                f"stages-{i}-kind": stage["kind"],
                f"stages-{i}-order": str(i + 1),
                f"stages-{i}-name_zh": stage["name"]["zh_CN"],
                f"stages-{i}-name_en": stage["name"]["en"],
            }
        )
        for j, item in enumerate(stage["items"]):
            p = f"stages-{i}-items-{j}-"
            form.update(
                {
                    p + "code": item["code"],
                    p + "order": str(j + 1),
                    p + "label_zh": item["label"]["zh_CN"],
                    p + "label_en": item["label"]["en"],
                }
            )
            flags = (("required", "required"), ("photo", "photo_required"), ("safety", "safety"))
            for flag, key in (*flags, ("allows_na", "allows_na")):
                if item[key]:
                    form[p + flag] = "1"
    return form


def parse_checklist(fields: dict, entry: dict) -> dict:
    """The edited entry, through the editor's form as a request would go."""
    form = ChecklistForm(formdata=MultiDict(fields), meta={"csrf": False})
    assert form.validate(), form.errors
    return entry_from(form.data, entry)


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
            "stages-2-items-99-label_zh": "冰箱顶部除尘",
            "stages-2-items-99-label_en": "Dust the top of the fridge",
            "stages-2-items-99-order": "0.5",
            "stages-2-items-99-photo": "1",
            "stages-2-items-1-delete": "1",
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
            "stages-99-name_zh": "阳台",
            "stages-99-name_en": "Balcony",
            "stages-99-order": "6.5",
            "stages-99-kind": "cleaning",
            "stages-99-items-0-label_zh": "阳台地面冲洗",
            "stages-99-items-0-label_en": "Rinse the balcony floor",
            "stages-99-items-0-required": "1",
        }
    )
    edited = parse_checklist(form, entry)
    names = [s["name"]["en"] for s in edited["stages"]]
    assert names.index("Balcony") == 6 and edited["stages"][6]["code"] == "balcony"


def test_saving_in_the_browser_makes_a_new_version(client, login):
    job = make_job(make_user("worker"))
    login("admin")  # the checklist is the administrator's to change
    st = service_type("daily_cleaning")
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/office/catalogue/{st.id}/checklist")
    form = fields_of(_entry(None))
    form.update(
        {
            "csrf_token": token,
            "stages-3-items-99-label_zh": "浴帘清洗",
            "stages-3-items-99-label_en": "Wash the shower curtain",
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
    login("admin")  # the checklist is the administrator's to change
    st = service_type("daily_cleaning")
    from tests.conftest import csrf_token

    entry = _entry(None)
    form = fields_of(entry)
    for j in range(len(entry["stages"][2]["items"])):
        form[f"stages-2-items-{j}-delete"] = "1"
    form.update(
        {
            "csrf_token": csrf_token(client, f"/office/catalogue/{st.id}/checklist"),
            "stages-0-name_en": "Talk with the customer first",
        }
    )
    response = client.post(f"/office/catalogue/{st.id}/checklist", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "stages[2].items: needs at least 1 entry" in body and "Talk with the customer first" in body
    assert db.session.get(ServiceType, st.id).current_template.version == 1
