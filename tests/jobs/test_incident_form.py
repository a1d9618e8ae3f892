"""The incident form on the worker's phone: the kind first, then its emergency plan, then the report."""

import re

import pytest
from sqlalchemy import func, select

from hk.domain.emergency import IncidentType
from hk.extensions import db
from hk.models import EmergencyPlan, Incident, plan_of
from tests.builders import load_shipped_catalogue, make_job, make_user
from tests.jobs.helpers import Phone

TEL_RE = re.compile(r'href="tel:([^"]+)"')


@pytest.fixture
def phone(client, login):
    worker = login("worker")
    job = make_job(worker, state="cleaning")
    load_shipped_catalogue()  # the plans, beside the service types the job came from
    return Phone(client, job)


def _page(phone, query: str = "", **headers):
    response = phone.client.get(f"/jobs/{phone.job_id}/incidents/new{query}", headers=headers)
    assert response.status_code == 200
    return response


def test_the_form_asks_for_the_kind_first_with_a_big_button_for_each(phone):
    body = _page(phone).get_data(as_text=True)
    for kind in IncidentType:
        assert f'href="/jobs/{phone.job_id}/incidents/new?type={kind.value}"' in body
        assert f'hx-get="/jobs/{phone.job_id}/incidents/new?type={kind.value}"' in body
    assert "触电或电气故障" in body and "火灾或冒烟" in body
    assert 'data-testid="incident-form"' not in body  # no report fields before the kind is chosen


def test_a_chosen_kind_shows_its_plan_with_call_buttons_before_the_report_fields(app, phone):
    body = _page(phone, "?type=fire").get_data(as_text=True)
    plan = plan_of("fire")
    calls = TEL_RE.findall(body)
    assert calls == ["119", "120", app.config["COMPANY_PHONE"]]  # in the plan's order
    steps = [body.index(step["zh_CN"]) for step in plan.steps]
    assert steps == sorted(steps)  # in order
    form = body.index('data-testid="incident-form"')
    assert body.index('href="tel:119"') < steps[0] < steps[-1] < form
    assert body.index("严重程度") > form  # the severity is part of the report, after the plan
    assert 'name="type" value="fire"' in body
    assert "火警" in body and "急救" in body  # the buttons say whom they call


def test_the_plan_speaks_english_to_an_english_worker(client, login):
    worker = login(make_user("worker", locale="en"))
    phone = Phone(client, make_job(worker, state="cleaning"))
    load_shipped_catalogue()
    body = _page(phone, "?type=chemical_exposure").get_data(as_text=True)
    assert "rinse with plenty of running water for at least 15 minutes" in body
    assert "Ambulance" in body and "大量流动清水" not in body


def test_htmx_swaps_in_only_the_part_below_the_jobs_head(phone):
    response = _page(phone, "?type=electrical", **{"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section class="card incident-report" id="incident-body"')
    assert 'hx-target="this"' in body and "<html" not in body and "job-bar" not in body
    assert "配电箱拉闸断电" in body and 'href="tel:120"' in body
    assert "HX-Request" in response.headers["Vary"]
    # back to the kinds, also as a fragment; and a history restore gets the whole page
    back = _page(phone, "", **{"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in back and 'data-testid="type-fire"' in back
    restore = _page(phone, "?type=fire", **{"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_an_unknown_kind_shows_the_kinds_again(phone):
    body = _page(phone, "?type=flood").get_data(as_text=True)
    assert 'data-testid="type-fire"' in body and 'data-testid="emergency-plan"' not in body


def test_without_a_written_plan_every_number_is_offered(app, phone):
    db.session.delete(plan_of("other"))
    db.session.commit()
    body = _page(phone, "?type=other").get_data(as_text=True)
    assert TEL_RE.findall(body) == ["120", "119", "110", app.config["COMPANY_PHONE"]]
    assert "此类事件还没有应急预案" in body


def test_no_company_button_when_no_company_phone_is_configured(app, phone):
    app.config["COMPANY_PHONE"] = ""
    body = _page(phone, "?type=property_damage").get_data(as_text=True)
    assert TEL_RE.findall(body) == []
    assert "不要自行维修" in body


def test_a_refused_report_keeps_what_was_typed_and_the_plan(phone):
    response = phone.post(
        "/incidents",
        {
            "client_key": "r1",
            "type": "fire",
            "what_happened": "厨房油锅起火，已用锅盖盖灭",
            "action_taken": "已关燃气",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "请选择严重程度" in body
    assert "厨房油锅起火，已用锅盖盖灭" in body and "已关燃气" in body
    assert 'href="tel:119"' in body and 'name="type" value="fire"' in body
    assert 'name="client_key" type="hidden" value="r1"' in body  # the same tap, when sent again
    assert db.session.scalar(select(func.count(Incident.id))) == 0


def test_a_report_keeps_the_version_of_the_plan_its_worker_was_shown(phone):
    plan = plan_of("electrical")
    plan.version = 3
    db.session.commit()
    data = {"client_key": "e1", "type": "electrical", "severity": "moderate", "what_happened": "插座冒火花"}
    assert phone.post("/incidents", data).status_code == 303
    incident = db.session.scalar(select(Incident).where(Incident.job_id == phone.job_id))
    assert (incident.type, incident.plan_version) == ("electrical", 3)
    page = phone.client.get(f"/jobs/{phone.job_id}/incidents/{incident.id}").get_data(as_text=True)
    assert "已上报" in page and "尚未" in page  # the timeline: reported, not yet acknowledged
    assert 'href="tel:120"' in page  # the plan stays at hand


def test_every_incident_type_has_a_plan_once_the_catalogue_is_loaded(phone):
    plans = {p.incident_type for p in db.session.scalars(select(EmergencyPlan))}
    assert plans == set(IncidentType)
    for plan in db.session.scalars(select(EmergencyPlan)):
        assert all(step["zh_CN"] and step["en"] for step in plan.steps)
