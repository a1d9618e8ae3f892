"""A whole job through the worker's screens, and every rule that guards it."""

from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, Incident, ItemCheck, Photo, StageCompletion
from tests.builders import make_job, make_user
from tests.jobs.helpers import Phone


def _events(job_id):
    return [
        e.action
        for e in db.session.scalars(
            select(Event).where(Event.subject_type == "job", Event.subject_id == job_id).order_by(Event.id)
        )
    ]


def _first_of_kind(phone, kind: str) -> dict:
    """The job's first stage of a kind (the one open in a job built in that state)."""
    return next(s for s in phone.job().stages if s["kind"] == kind)


def test_a_whole_job_from_check_in_to_awaiting_signature(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    assert phone.walk() is None
    job = phone.job()
    assert job.status == "awaiting_signature"
    assert job.checked_in_at and job.quote_confirmed_at and job.handover_completed_at
    assert job.quote_confirmed_total > 0
    assert {c.stage_code for c in job.completions} == {s["code"] for s in job.stages}
    actions = _events(job.id)
    assert actions[0] == "check_in"
    assert actions[-1] == "advance"
    assert actions.count("stage.complete") == len(job.stages)
    # the events follow the stages in order
    completes = [
        e.data["stage"]
        for e in db.session.scalars(
            select(Event)
            .where(Event.subject_id == job.id, Event.action == "stage.complete")
            .order_by(Event.id)
        )
    ]
    assert completes == [s["code"] for s in job.stages]
    photos = db.session.scalars(select(Photo).where(Photo.job_id == job.id)).all()
    assert {p.kind for p in photos} == {"before", "after", "handover"}
    status = client.get(f"/jobs/{job.id}")
    assert "请将手机交给客户" in status.get_data(as_text=True) or "交给客户" in status.get_data(as_text=True)


def test_a_stage_cannot_be_skipped_and_a_locked_stage_refuses_ticks(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    phone.check_in()
    stages = phone.job().stages
    cleaning = next(s for s in stages if s["kind"] == "cleaning")
    response = phone.answer(cleaning["code"], cleaning["items"][0]["code"])
    assert response.status_code == 409
    assert "此步骤尚未开放" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ItemCheck.id))) == 0
    response = phone.complete(cleaning["code"])
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(StageCompletion.id))) == 0


def test_completing_a_stage_with_a_required_photo_missing_names_it(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    phone.check_in()
    pre = phone.job().stages[0]
    for item in pre["items"]:
        phone.answer(pre["code"], item["code"])
    phone.post("/pre-service", {"confirm_quote": "y"})
    response = phone.complete(pre["code"])
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "需要照片" in body
    photo_item = next(i for i in pre["items"] if i["photo_required"])
    assert photo_item["label"]["zh_CN"] in body
    assert phone.job().status == "checked_in"


def test_pre_service_needs_the_confirmed_quote(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    phone.check_in()
    pre = phone.job().stages[0]
    for item in pre["items"]:
        phone.answer(pre["code"], item["code"])
        if item["photo_required"]:
            phone.photo(pre["code"], item["code"])
    response = phone.complete(pre["code"])
    assert response.status_code == 409
    assert "请先与客户确认分项报价" in response.get_data(as_text=True)


def test_undo_is_allowed_until_the_stage_completes(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker, state="safety"))
    stage = _first_of_kind(phone, "safety")
    pre = phone.job().stages[0]
    item = pre["items"][0]["code"]
    response = phone.answer(pre["code"], item, "")
    assert response.status_code == 409  # pre-service is complete now
    phone_job = phone.job()
    assert any(c.item_code == item and c.answer == "done" for c in phone_job.checks)
    first = stage["items"][0]["code"]
    assert phone.answer(stage["code"], first, "safe").status_code == 200
    assert phone.answer(stage["code"], first, "").status_code == 200
    assert not any(c.item_code == first and c.answer for c in phone.job().checks)


def test_a_double_tap_changes_nothing_twice(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    assert phone.check_in().status_code == 303
    assert phone.check_in().status_code == 303
    pre = phone.job().stages[0]
    item = pre["items"][0]["code"]
    assert phone.answer(pre["code"], item).status_code == 200
    assert phone.answer(pre["code"], item).status_code == 200
    key = "same-photo-key"
    first = phone.photo(pre["code"], "before_photos", key=key)
    again = phone.photo(pre["code"], "before_photos", key=key)
    assert first.status_code == again.status_code == 201
    assert db.session.scalar(select(func.count(Photo.id))) == 1
    actions = _events(phone.job_id)
    assert actions.count("check_in") == 1
    assert actions.count("item.answer") == 1
    assert actions.count("photo.add") == 1


def test_a_second_device_gets_a_clear_message_and_can_take_over(app, client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    phone.check_in()
    pre = phone.job().stages[0]
    other_client = app.test_client()
    from tests.conftest import post_form

    post_form(other_client, "/login", {"username": worker.username, "password": "correct-horse-9"})
    second = Phone(other_client, phone.job())
    response = second.answer(pre["code"], pre["items"][0]["code"], htmx=False)
    assert response.status_code == 409
    assert "这个工单正在另一部手机上操作" in response.get_data(as_text=True)
    assert not phone.job().checks
    assert second.post("/take-over").status_code == 303
    assert second.answer(pre["code"], pre["items"][0]["code"]).status_code == 200
    # the first phone is now the second one
    assert phone.answer(pre["code"], pre["items"][1]["code"]).status_code == 409
    assert "device.take_over" in _events(phone.job_id)


def test_a_not_safe_answer_blocks_the_job_and_raises_an_incident(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker, state="safety"))
    safety = _first_of_kind(phone, "safety")
    response = phone.answer(safety["code"], safety["items"][0]["code"], "not_safe")
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/jobs/{phone.job_id}"
    job = phone.job()
    assert job.status == "blocked"
    incident = db.session.scalar(select(Incident).where(Incident.job_id == job.id))
    assert incident.type == "unsafe_site" and incident.severity == "severe"
    assert safety["items"][0]["label"]["zh_CN"] in incident.what_happened
    cleaning = next(s for s in job.stages if s["kind"] == "cleaning")
    assert phone.answer(cleaning["code"], cleaning["items"][0]["code"]).status_code == 409
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "现场不安全" in page


def test_a_severe_incident_pauses_the_job_until_a_supervisor_resumes(app, client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker, state="cleaning"))
    stage = _first_of_kind(phone, "cleaning")
    data = {
        "client_key": "incident-1",
        "type": "fall",
        "severity": "severe",
        "what_happened": "在卫生间滑倒，膝盖擦伤",
        "action_taken": "已停工，冰敷",
    }
    response = phone.post("/incidents", data)
    assert response.status_code == 303
    again = phone.post("/incidents", data)  # a retried request
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(Incident.id))) == 1
    incident = db.session.scalar(select(Incident))
    assert incident.stage_code == stage["code"]
    assert phone.job().status == "paused"
    assert phone.answer(stage["code"], stage["items"][0]["code"]).status_code == 409
    # an incident photo can still be added
    assert phone.photo(None, incident=incident.id).status_code == 201
    # the supervisor sees it and resumes the job
    from tests.conftest import csrf_token, post_form

    sup_client = app.test_client()
    supervisor = make_user("supervisor")
    post_form(sup_client, "/login", {"username": supervisor.username, "password": "correct-horse-9"})
    assert "在卫生间滑倒" in sup_client.get("/incidents").get_data(as_text=True)
    overview = sup_client.get("/overview").get_data(as_text=True)
    assert "未处理的突发事件" in overview and "跌倒" in overview
    response = sup_client.post(
        f"/jobs/{phone.job_id}/resume", data={"csrf_token": csrf_token(sup_client, "/")}
    )
    assert response.status_code == 303
    assert phone.job().status == "cleaning"
    assert phone.answer(stage["code"], stage["items"][0]["code"]).status_code == 200


def test_a_minor_incident_is_saved_and_logged_and_does_not_pause(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker, state="safety"))
    safety = _first_of_kind(phone, "safety")
    response = phone.post(
        "/incidents",
        {
            "client_key": "m1",
            "type": "property_damage",
            "severity": "minor",
            "what_happened": "  花瓶有旧裂纹，客户确认  ",
            "action_taken": "",
        },
    )
    assert response.status_code == 303
    assert phone.job().status == "safety"
    incident = db.session.scalar(select(Incident).where(Incident.job_id == phone.job_id))
    assert (incident.type, incident.severity, incident.status) == ("property_damage", "minor", "open")
    assert incident.what_happened == "花瓶有旧裂纹，客户确认" and incident.action_taken is None
    assert incident.stage_code == safety["code"] and incident.client_key == "m1"
    assert incident.reported_by_id == worker.id
    assert response.headers["Location"].endswith(f"/jobs/{phone.job_id}/incidents/{incident.id}")
    events = db.session.scalars(
        select(Event).where(Event.subject_type == "job", Event.subject_id == phone.job_id)
    ).all()
    assert [(e.action, e.actor_id, e.data) for e in events] == [
        (
            "incident.report",
            worker.id,
            {"incident": incident.id, "type": "property_damage", "severity": "minor"},
        )
    ]  # and no pause


def test_an_incident_form_with_nothing_filled_in_says_what_is_missing(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker))
    response = phone.post("/incidents", {"client_key": "x"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "请选择事件类型" in body and "请描述发生了什么" in body
    assert db.session.scalar(select(func.count(Incident.id))) == 0


def test_a_worker_with_an_expired_certificate_cannot_check_in(client, login):
    from datetime import date, timedelta

    worker = make_user("worker")
    health = next(c for c in worker.certificates if c.kind == "health")
    health.valid_until = date.today() - timedelta(days=2)
    db.session.commit()
    login(worker)
    phone = Phone(client, make_job(worker))
    page = client.get(f"/jobs/{phone.job_id}").get_data(as_text=True)
    assert "您不能开始这个工单" in page and "健康证" in page
    response = phone.check_in()
    assert response.status_code == 409
    assert phone.job().status == "scheduled" and phone.job().checked_in_at is None


def test_check_in_keeps_the_location_only_with_consent(client, login):
    worker = login("worker")
    job_a, job_b = make_job(worker), make_job(worker)
    Phone(client, job_a).check_in(share_location="y", lat="31.2", lng="121.4", accuracy="12")
    Phone(client, job_b).check_in(lat="31.2", lng="121.4")
    db.session.expire_all()
    assert (job_a.check_in_lat, job_a.check_in_lng) == (31.2, 121.4)
    assert job_b.check_in_lat is None and job_b.checked_in_at is not None


def test_a_tick_answers_htmx_with_a_small_fragment_and_a_browser_with_a_redirect(client, login):
    phone = Phone(client, make_job(login("worker")))
    phone.check_in()
    stage = phone.job().stages[0]["code"]
    item = phone.job().stages[0]["items"][0]["code"]
    fragment = phone.answer(stage, item, htmx=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith("<li") and "<html" not in body
    assert len(fragment.data) < 4096
    plain = phone.answer(stage, item, "", htmx=False)
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#item-{item}")


def test_handover_items_are_kept_with_quantities(client, login):
    phone = Phone(client, make_job(login("worker"), state="handover"))
    r = phone.post(
        "/handover/items", {"description": "入户门钥匙", "quantity": "2", "client_key": "h1"}, htmx=True
    )
    assert r.status_code == 200 and "入户门钥匙 × 2" in r.get_data(as_text=True)
    phone.post(
        "/handover/items", {"description": "入户门钥匙", "quantity": "2", "client_key": "h1"}, htmx=True
    )
    bad = phone.post("/handover/items", {"description": "", "quantity": "0", "client_key": "h2"}, htmx=True)
    assert bad.status_code == 422
    assert "请填写交还的物品" in bad.get_data(as_text=True)
    items = phone.job().handover_items
    assert [(i.description, i.quantity) for i in items] == [("入户门钥匙", 2)]
