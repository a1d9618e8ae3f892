"""A phone's client key means something only within its own job: another worker can neither block
nor reach a job through keys (hardening finding 4)."""

import time

from flask.testing import FlaskClient
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import HandoverItem, Incident, Photo
from tests.builders import PASSWORD, make_job, make_user
from tests.conftest import post_form
from tests.jobs.helpers import Phone, jpeg


def _phone_of(app, worker, state: str = "scheduled") -> Phone:
    """A second phone (its own cookies) logged in as this worker, on the worker's job (built in
    the given state: the checklist before it is done)."""
    client: FlaskClient = app.test_client()
    response = post_form(client, "/login", {"username": worker.username, "password": PASSWORD})
    assert response.status_code == 303
    return Phone(client, make_job(worker, state=state))


def _open_stage(phone, kind: str) -> dict:
    return next(s for s in phone.job().stages if s["kind"] == kind)


def test_a_photo_key_used_on_another_job_neither_blocks_nor_returns_that_photo(app):
    one, two = _phone_of(app, make_user("worker"), "safety"), _phone_of(app, make_user("worker"), "safety")
    safety_one = next(s for s in one.job().stages if s["kind"] == "safety")
    safety_two = next(s for s in two.job().stages if s["kind"] == "safety")
    first = two.photo(safety_two["code"], key="same-key", data=jpeg(640, 480))
    second = one.photo(safety_one["code"], key="same-key", data=jpeg(800, 600))
    assert first.status_code == second.status_code == 201
    photos = db.session.scalars(select(Photo).where(Photo.client_key == "same-key")).all()
    assert sorted(p.job_id for p in photos) == sorted([one.job_id, two.job_id])
    mine = next(p for p in photos if p.job_id == one.job_id)
    assert (mine.width, mine.height) == (800, 600)
    assert f"/photos/{mine.id}" in second.get_data(as_text=True)


def test_another_workers_incidents_cannot_stop_a_not_safe_answer(app):
    one, two = _phone_of(app, make_user("worker"), "safety"), _phone_of(app, make_user("worker"), "cleaning")
    safety = _open_stage(one, "safety")
    item = safety["items"][0]["code"]
    now = int(time.time())
    # Worker two files incidents on their own job under every key the old scheme would have made
    # for worker one's answer in the next seconds.
    for t in range(now - 2, now + 30):
        key = f"unsafe-{one.job_id}-{safety['code']}-{item}-{t}"
        data = {
            "client_key": key,
            "type": "other",
            "severity": "minor",
            "what_happened": "x",
            "action_taken": "",
        }
        assert two.post("/incidents", data).status_code == 303
    response = one.answer(safety["code"], item, "not_safe")
    assert response.status_code == 204
    assert one.job().status == "blocked"
    mine = db.session.scalars(select(Incident).where(Incident.job_id == one.job_id)).all()
    assert len(mine) == 1 and mine[0].type == "unsafe_site" and mine[0].severity == "severe"
    assert not mine[0].client_key.startswith(f"unsafe-{one.job_id}-")  # not guessable any more


def test_a_handover_key_used_on_another_job_adds_the_item_to_each(app):
    one, two = (
        _phone_of(app, make_user("worker"), "handover"),
        _phone_of(app, make_user("worker"), "handover"),
    )
    for phone in (one, two):
        data = {"description": "门卡", "quantity": "1", "client_key": "hand-1"}
        assert phone.post("/handover/items", data).status_code == 303
    counts = dict(
        db.session.execute(select(HandoverItem.job_id, func.count()).group_by(HandoverItem.job_id)).all()
    )
    assert counts == {one.job_id: 1, two.job_id: 1}


def test_a_retried_upload_on_the_same_job_is_still_kept_once(app):
    one = _phone_of(app, make_user("worker"), "safety")
    safety = _open_stage(one, "safety")
    photo = jpeg()
    for _ in range(2):
        assert one.photo(safety["code"], key="retry-1", data=photo).status_code == 201
    kept = select(func.count(Photo.id)).where(Photo.job_id == one.job_id, Photo.client_key == "retry-1")
    assert db.session.scalar(kept) == 1
