"""Emergency plans are catalogue data: loaded from the YAML, exported and imported, edited, logged."""

import io

import pytest
import yaml
from sqlalchemy import func, select

from hk.catalogue import DEFAULT_CATALOGUE, export_service_types, load_catalogue_file
from hk.domain.emergency import IncidentType
from hk.extensions import db
from hk.models import EmergencyPlan, Event, plan_of
from tests.builders import load_shipped_catalogue, service_type
from tests.conftest import csrf_token

SHIPPED_PLANS = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))["emergency_plans"]


@pytest.fixture
def office(client, login):
    """An administrator's back office (only administrators change emergency plans)."""
    login("admin")
    token = csrf_token(client, "/office/catalogue")

    def post(path, data=None, **kwargs):
        return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    return post


def _plans() -> dict[str, EmergencyPlan]:
    db.session.expire_all()
    return {p.incident_type.value: p for p in db.session.scalars(select(EmergencyPlan))}


def _plan_events(plan: EmergencyPlan) -> list[Event]:
    return db.session.scalars(
        select(Event)
        .where(Event.subject_type == "emergency_plan", Event.subject_id == plan.id)
        .order_by(Event.id)
    ).all()


def test_the_shipped_plans_are_loaded_into_the_database_one_per_incident_type(app):
    summary = load_catalogue_file()
    assert sorted(summary.plans) == sorted(t.value for t in IncidentType)
    plans = _plans()
    assert set(plans) == {t.value for t in IncidentType}
    for entry in SHIPPED_PLANS:
        plan = plans[entry["incident_type"]]
        assert (plan.version, plan.calls, plan.steps) == (1, entry["calls"], entry["steps"])
    fire = plans["fire"]
    assert fire.step_texts("en")[0] == "Stop work and get everyone out; use the stairs, never the lift."
    assert fire.step_texts("zh_CN")[0].startswith("立即停止作业")
    assert load_catalogue_file().plans == {}  # loading again changes nothing
    assert all(p.version == 1 for p in _plans().values())


def test_export_then_import_keeps_every_plan_as_it_was(client, office):
    load_shipped_catalogue()
    before = {k: (p.version, p.calls, p.steps) for k, p in _plans().items()}
    exported = client.get("/office/catalogue/export.yaml")
    assert exported.status_code == 200
    data = yaml.safe_load(exported.data)
    assert [p["incident_type"] for p in data["emergency_plans"]] == [t.value for t in IncidentType]
    assert data["emergency_plans"] == SHIPPED_PLANS
    response = office(
        "/office/catalogue/import",
        {"file": (io.BytesIO(exported.data), "c.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200 and "未变4个" in response.get_data(as_text=True)
    assert {k: (p.version, p.calls, p.steps) for k, p in _plans().items()} == before
    assert db.session.scalar(select(func.count(Event.id)).where(Event.subject_type == "emergency_plan")) == 0


def test_an_imported_change_to_a_plan_makes_a_new_version_logged_with_before_and_after(client, office):
    load_shipped_catalogue()
    data = yaml.safe_load(client.get("/office/catalogue/export.yaml").data)
    fire = next(p for p in data["emergency_plans"] if p["incident_type"] == "fire")
    fire["steps"].insert(0, {"zh_CN": "大声呼喊“着火了”", "en": "Shout “Fire!”"})
    response = office(
        "/office/catalogue/import",
        {"file": (io.BytesIO(yaml.safe_dump(data, allow_unicode=True).encode()), "c.yaml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "应急预案新增或修改1个" in response.get_data(as_text=True)
    plan = _plans()["fire"]
    assert plan.version == 2 and plan.step_texts("en")[0] == "Shout “Fire!”"
    [event] = _plan_events(plan)
    assert event.action == "emergency_plan.edit" and event.actor_id is not None
    assert event.data["changes"] == {"version": [1, 2]}
    assert len(event.data["before"]["steps"]) + 1 == len(event.data["after"]["steps"])
    assert _plans()["fall"].version == 1


def test_a_single_service_types_export_has_no_plans_and_its_editor_refuses_them(client, office):
    st = service_type("daily_cleaning")
    alone = yaml.safe_load(client.get(f"/office/catalogue/{st.id}/export.yaml").data)
    assert "emergency_plans" not in alone
    text = export_service_types([st], list(_plans().values()))
    response = office(f"/office/catalogue/{st.id}", {"text": text})
    assert response.status_code == 422
    assert "edit the emergency plans on their own page" in response.get_data(as_text=True)


def test_the_catalogue_page_lists_every_plan_with_a_link_to_edit_it(client, office):
    load_shipped_catalogue()
    db.session.delete(_plans()["other"])
    db.session.commit()
    page = client.get("/office/catalogue").get_data(as_text=True)
    assert 'href="/office/emergency-plans/electrical"' in page and "触电或电气故障" in page
    assert "还没有预案" in page  # "other" has none now


def _form(plan: EmergencyPlan, steps: list[tuple[str, str]] | None = None, **change) -> dict:
    """The editor's fields: the numbers to call and a row of Chinese and English for each step."""
    rows = steps if steps is not None else [(s["zh_CN"], s["en"]) for s in plan.steps]
    fields = {"calls": list(plan.calls)}
    for n, (zh, en) in enumerate([*rows, ("", ""), ("", "")]):
        fields[f"steps-{n}-zh"], fields[f"steps-{n}-en"] = zh, en
    return fields | change


def test_editing_a_plan_raises_its_version_keeps_the_call_order_and_logs_the_change(client, office):
    load_shipped_catalogue()
    plan = _plans()["fire"]
    page = client.get("/office/emergency-plans/fire").get_data(as_text=True)
    assert plan.steps[0]["zh_CN"] in page and 'href="tel:119"' in page  # the form and the preview
    rows = [(s["zh_CN"], s["en"]) for s in plan.steps] + [
        ("到楼下集合点等候", "Wait at the assembly point downstairs")
    ]
    form = _form(plan, rows, calls=["119", "120", "110"])
    response = office("/office/emergency-plans/fire", form, follow_redirects=True)
    assert "已保存为第2版" in response.get_data(as_text=True)
    plan = _plans()["fire"]
    assert plan.version == 2 and plan.calls == ["119", "120", "110"]
    assert plan.steps[-1] == {"zh_CN": "到楼下集合点等候", "en": "Wait at the assembly point downstairs"}
    [event] = _plan_events(plan)
    assert event.data["changes"] == {"version": [1, 2], "calls": ["119 120 company", "119 120 110"]}
    again = office("/office/emergency-plans/fire", _form(plan), follow_redirects=True)
    assert "预案没有变化" in again.get_data(as_text=True) and _plans()["fire"].version == 2
    assert len(_plan_events(plan)) == 1


def test_a_refused_plan_keeps_what_was_typed(client, office):
    load_shipped_catalogue()
    plan = _plans()["electrical"]
    rows = [(s["zh_CN"], s["en"]) for s in plan.steps]
    rows[2] = (rows[2][0], "")
    rows[0] = ("先确认周围没有积水", "First check there is no water on the floor")
    response = office("/office/emergency-plans/electrical", _form(plan, rows))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "step 3: the English text is missing" in body
    assert "先确认周围没有积水" in body and "First check there is no water on the floor" in body
    assert plan.steps[2]["zh_CN"] in body
    no_calls = office("/office/emergency-plans/electrical", _form(plan, calls=[]))
    assert no_calls.status_code == 422 and "请至少选择一个要拨打的号码" in no_calls.get_data(as_text=True)
    assert _plans()["electrical"].version == 1


def test_a_type_without_a_plan_gets_one_from_the_editor(client, office):
    assert plan_of("other") is None
    assert client.get("/office/emergency-plans/other").status_code == 200
    response = office(
        "/office/emergency-plans/other",
        {"calls": ["company"], "steps-0-zh": "先确保安全", "steps-0-en": "Stay safe"}
        | {"steps-1-zh": "通知督导", "steps-1-en": "Tell your supervisor"},
    )
    assert response.status_code == 303
    plan = _plans()["other"]
    assert (plan.version, plan.calls, len(plan.steps)) == (1, ["company"], 2)
    assert client.get("/office/emergency-plans/flood").status_code == 404


def test_a_supervisor_reads_a_plan_but_cannot_change_it(client, login):
    login("supervisor")
    page = client.get("/office/emergency-plans/fire").get_data(as_text=True)
    assert 'data-testid="plan-read-only"' in page and 'data-testid="save-plan"' not in page
    token = csrf_token(client, "/office/emergency-plans/fire")
    refused = client.post("/office/emergency-plans/fire", data={"csrf_token": token, "calls": ["119"]})
    assert refused.status_code == 403 and "只有管理员" in refused.get_data(as_text=True)
