"""A severe incident alerts the supervisors at once; its response runs reported → acknowledged → resolved."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, Incident
from tests.builders import PASSWORD, make_job, make_user
from tests.conftest import csrf_token, post_form
from tests.jobs.helpers import Phone

BANNER = 'data-testid="severe-alert"'


def _client_for(app, user):
    client = app.test_client()
    assert post_form(client, "/login", {"username": user.username, "password": PASSWORD}).status_code == 303
    return client


def _report(app, severity="severe", kind="fire", what="厨房冒烟", state="cleaning"):
    """A worker reports an incident from their phone; the incident."""
    worker = make_user("worker")
    phone = Phone(_client_for(app, worker), make_job(worker, state=state))
    data = {"client_key": f"k-{kind}-{severity}", "type": kind, "severity": severity, "what_happened": what}
    assert phone.post("/incidents", data).status_code == 303
    return db.session.scalar(select(Incident).where(Incident.job_id == phone.job_id)), phone


def _events(incident, action):
    db.session.expire_all()
    return db.session.scalars(
        select(Event).where(
            Event.subject_type == "job", Event.subject_id == incident.job_id, Event.action == action
        )
    ).all()


@pytest.fixture
def supervisor(app):
    user = make_user("supervisor")
    return user, _client_for(app, user)


def test_a_severe_incident_shows_a_banner_on_every_supervisor_page_until_acknowledged(app, supervisor):
    user, client = supervisor
    incident, phone = _report(app)
    admin = _client_for(app, make_user("admin"))
    for path in ("/overview", "/office/customers", "/records", "/office/catalogue", "/account"):
        for who in (client, admin):
            body = who.get(path).get_data(as_text=True)
            assert BANNER in body and "未确认的严重突发事件：1起" in body, path
            assert f'action="/incidents/{incident.id}/acknowledge"' in body
    assert BANNER not in phone.client.get("/today").get_data(as_text=True)  # workers never see it
    [alert] = _events(incident, "incident.alert")  # the point where the message will be sent
    assert alert.data == {"incident": incident.id, "type": "fire", "severity": "severe"}

    response = client.post(
        f"/incidents/{incident.id}/acknowledge", data={"csrf_token": csrf_token(client, "/overview")}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/jobs/{incident.job_id}/incidents/{incident.id}"
    for who in (client, admin):
        assert BANNER not in who.get("/overview").get_data(as_text=True)
    db.session.expire_all()
    incident = db.session.get(Incident, incident.id)
    assert incident.acknowledged_by_id == user.id and incident.acknowledged_at >= incident.reported_at
    [event] = _events(incident, "incident.acknowledge")
    assert (event.actor_id, event.data, event.at) == (
        user.id,
        {"incident": incident.id},
        incident.acknowledged_at,
    )
    page = phone.client.get(f"/jobs/{incident.job_id}/incidents/{incident.id}").get_data(as_text=True)
    assert "已确认" in page and user.display_name in page  # the worker sees who took it in hand


def test_a_minor_or_moderate_incident_raises_no_alert(app, supervisor):
    _, client = supervisor
    minor, _ = _report(app, "minor", "property_damage")
    moderate, _ = _report(app, "moderate", "chemical_exposure")
    assert BANNER not in client.get("/overview").get_data(as_text=True)
    assert _events(minor, "incident.alert") == [] and _events(moderate, "incident.alert") == []


def test_a_not_safe_answer_in_the_safety_check_alerts_too(app, supervisor):
    _, client = supervisor
    worker = make_user("worker")
    phone = Phone(_client_for(app, worker), make_job(worker, state="safety"))
    safety = next(s for s in phone.job().stages if s["kind"] == "safety")
    assert phone.answer(safety["code"], safety["items"][0]["code"], "not_safe").status_code == 204
    incident = db.session.scalar(select(Incident).where(Incident.job_id == phone.job_id))
    assert len(_events(incident, "incident.alert")) == 1
    body = client.get("/incidents").get_data(as_text=True)
    assert BANNER in body and "现场不安全" in body


def test_the_banner_shows_the_newest_three_and_how_many_in_all(app, supervisor):
    _, client = supervisor
    for n in range(4):
        _report(app, kind="injury", what=f"第{n}次")
    body = client.get("/overview").get_data(as_text=True)
    assert "未确认的严重突发事件：4起" in body and body.count('data-testid="banner-acknowledge-') == 3
    assert "查看全部突发事件" in body


def test_acknowledging_twice_at_the_same_instant_logs_it_once(app, supervisor):
    _, client = supervisor
    other = _client_for(app, make_user("supervisor"))
    incident, _ = _report(app)
    calls = []
    for who in (client, client, other, other):
        token = csrf_token(who, "/overview")
        url = f"/incidents/{incident.id}/acknowledge"
        calls.append(lambda who=who, token=token, url=url: who.post(url, data={"csrf_token": token}))
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        answers = list(pool.map(run, calls))
    assert [r.status_code for r in answers] == [303] * 4
    [event] = _events(incident, "incident.acknowledge")
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).acknowledged_by_id == event.actor_id


def _close(client, incident, **data):
    return client.post(
        f"/incidents/{incident.id}/close", data={"csrf_token": csrf_token(client, "/incidents"), **data}
    )


def test_a_severe_incident_is_closed_only_with_its_after_action_evaluation(app, supervisor):
    user, client = supervisor
    incident, _ = _report(app)
    refused = _close(client, incident, resolution="已扑灭，无人受伤", worked="撤离及时")
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "严重事件需要事后评估：请写明哪些需要改进。" in body
    assert "已扑灭，无人受伤" in body and "撤离及时" in body  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).status == "open" and not _events(incident, "incident.close")

    done = _close(client, incident, resolution="已扑灭，无人受伤", worked="撤离及时", to_change="配灭火毯")
    assert done.status_code == 303
    again = _close(client, incident, resolution="双击", worked="双击", to_change="双击")
    assert again.status_code == 303
    db.session.expire_all()
    incident = db.session.get(Incident, incident.id)
    assert (incident.status, incident.resolution) == ("closed", "已扑灭，无人受伤")
    assert (incident.evaluation_worked, incident.evaluation_change) == ("撤离及时", "配灭火毯")
    # closing takes it in hand too: the banner is gone and the timeline is whole
    assert incident.acknowledged_by_id == incident.closed_by_id == user.id
    assert incident.reported_at <= incident.acknowledged_at == incident.closed_at
    [event] = _events(incident, "incident.close")
    assert event.data == {"incident": incident.id, "evaluated": True, "acknowledged": True}
    assert BANNER not in client.get("/overview").get_data(as_text=True)
    listing = client.get("/incidents").get_data(as_text=True)
    assert "配灭火毯" in listing and "已评估1起" in listing


def test_a_minor_incident_closes_with_how_it_was_resolved(app, supervisor):
    _, client = supervisor
    incident, _ = _report(app, "minor", "property_damage")
    page = client.get("/incidents").get_data(as_text=True)
    assert f'id="resolution-{incident.id}"' in page and f'id="worked-{incident.id}"' not in page
    assert _close(client, incident).status_code == 422
    assert _close(client, incident, resolution="客户确认是旧裂纹").status_code == 303
    db.session.expire_all()
    incident = db.session.get(Incident, incident.id)
    assert incident.status == "closed" and incident.evaluation_worked is None


def test_the_incidents_page_counts_the_response(app, supervisor):
    _, client = supervisor
    severe, _ = _report(app)
    _report(app, "minor", "other")
    client.post(f"/incidents/{severe.id}/acknowledge", data={"csrf_token": csrf_token(client, "/incidents")})
    body = client.get("/incidents").get_data(as_text=True)
    figures = body[body.index('data-testid="incident-figures"') : body.index('data-testid="incident-list"')]
    assert "最近30天" in figures
    assert "<dd>2</dd>" in figures and "<dd>1</dd>" in figures  # reported, severe
    assert "分钟" in figures  # the median time to acknowledge
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "incident.acknowledge")) == 1
