"""Writes sent by the phone's outbox: each client key applied once per job, and both times kept.

Run on SQLite and PostgreSQL (HK_DATABASE_URL): identical keyed writes at the same instant, from
threads released together, make one change and all answer 2xx.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import ClientWrite, Event, ItemCheck, Photo, StageCompletion
from tests.builders import make_job, make_user
from tests.jobs.helpers import Phone, jpeg
from tests.test_concurrency import _at_once, _checked_in, _client_for, _twin

pytestmark = pytest.mark.xdist_group("alone")


def _ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _headers(key: str, at: datetime | None = None, **more) -> dict:
    return {
        "X-HK-Client-Key": key,
        "X-HK-Happened-At": _ms(at or datetime.now(UTC)),
        "X-Requested-With": "hk-outbox",
        "HX-Request": "true",
        **more,
    }


def _plain_item(job):
    stage = job.stages[0]
    return stage["code"], next(i for i in stage["items"] if not i["photo_required"])["code"]


def _events(job, action: str) -> list[Event]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Event).where(Event.subject_id == job.id, Event.action == action).order_by(Event.id)
        )
    )


def test_identical_keyed_ticks_at_once_make_one_change_and_a_late_replay_changes_nothing(app):
    job, client, token = _checked_in(app, make_user("worker"))
    stage, item = _plain_item(job)
    url = f"/jobs/{job.id}/stages/{stage}/items/{item}"
    phones = [client] + [_twin(app, client) for _ in range(4)]

    def tick(c, key, answer):
        return lambda: c.post(url, data={"csrf_token": token, "answer": answer}, headers=_headers(key))

    answers = _at_once([tick(c, "tick-1", "done") for c in phones])
    assert all(r.status_code == 200 for r in answers)
    assert sum(r.headers.get("X-HK-Replayed") == "1" for r in answers) == 4
    assert len(_events(job, "item.answer")) == 1
    # Undone by the next entry; the first entry arriving again (a lost answer) must not tick it again.
    assert (
        client.post(url, data={"csrf_token": token, "answer": ""}, headers=_headers("tick-2")).status_code
        == 200
    )
    answers = _at_once([tick(c, "tick-1", "done") for c in phones])
    assert [r.headers.get("X-HK-Replayed") for r in answers] == ["1"] * 5
    db.session.expire_all()
    check = db.session.scalar(select(ItemCheck).where(ItemCheck.job_id == job.id))
    assert check.answer is None
    assert len(_events(job, "item.answer")) == 2
    keys = db.session.scalars(select(ClientWrite.client_key).where(ClientWrite.job_id == job.id)).all()
    assert sorted(keys) == ["tick-1", "tick-2"]


def test_a_key_means_something_only_within_its_job(app):
    worker = make_user("worker")
    one, client, token = _checked_in(app, worker)
    two = make_job(worker)
    assert client.post(f"/jobs/{two.id}/check-in", data={"csrf_token": token}).status_code == 303
    for job in (one, two):
        stage, item = _plain_item(job)
        url = f"/jobs/{job.id}/stages/{stage}/items/{item}"
        response = client.post(url, data={"csrf_token": token, "answer": "done"}, headers=_headers("same"))
        assert response.status_code == 200 and "X-HK-Replayed" not in response.headers
        assert len(_events(job, "item.answer")) == 1


def test_a_refused_write_keeps_no_key_so_it_can_be_sent_again_once_fixed(app):
    job, client, token = _checked_in(app, make_user("worker"))
    stage = job.stages[0]
    item = next(i for i in stage["items"] if i["photo_required"])["code"]
    url = f"/jobs/{job.id}/stages/{stage['code']}/items/{item}"
    refused = client.post(url, data={"csrf_token": token, "answer": "done"}, headers=_headers("needs-photo"))
    assert refused.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(ClientWrite)) == 0
    photo = client.post(
        f"/jobs/{job.id}/photos",
        data={
            "csrf_token": token,
            "stage": stage["code"],
            "item": item,
            "photo": (io.BytesIO(jpeg()), "p.jpg"),
        },
        headers=_headers("the-photo"),
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201
    again = client.post(url, data={"csrf_token": token, "answer": "done"}, headers=_headers("needs-photo"))
    assert again.status_code == 200 and "X-HK-Replayed" not in again.headers
    assert [e.data["answer"] for e in _events(job, "item.answer")] == ["done"]


def test_one_keyed_photo_sent_at_once_from_four_requests_is_kept_once(app):
    job, client, token = _checked_in(app, make_user("worker"))
    stage = job.stages[0]["code"]
    data = jpeg(1200, 900)

    def upload(c):
        # each request its own form key: only the header's outbox key says they are one write
        return lambda: c.post(
            f"/jobs/{job.id}/photos",
            data={"csrf_token": token, "stage": stage, "photo": (io.BytesIO(data), "p.jpg")},
            headers=_headers("photo-1"),
            content_type="multipart/form-data",
        )

    answers = _at_once([upload(c) for c in [client] + [_twin(app, client) for _ in range(3)]])
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Photo.id)).where(Photo.job_id == job.id)) == 1


def test_a_keyed_stage_completion_sent_twice_at_once_completes_once(app):
    worker = make_user("worker")
    job = make_job(worker)
    client = _client_for(app, worker)
    phone = Phone(client, job)
    assert phone.check_in().status_code == 303
    stage = next(s for s in job.stages if s["kind"] == "pre_service")
    for item in stage["items"]:
        if item["photo_required"]:
            assert phone.photo(stage["code"], item["code"]).status_code == 201
        assert phone.answer(stage["code"], item["code"]).status_code == 200
    assert phone.post("/pre-service", {"confirm_quote": "y"}, htmx=True).status_code == 200
    url = f"/jobs/{job.id}/stages/{stage['code']}/complete"
    twin = _twin(app, client)
    answers = _at_once(
        [
            lambda c=c: c.post(url, data={"csrf_token": phone.token}, headers=_headers("done-pre"))
            for c in (client, twin)
        ]
    )
    assert all(r.status_code < 400 for r in answers), [r.status_code for r in answers]
    db.session.expire_all()
    completions = select(func.count(StageCompletion.id)).where(StageCompletion.job_id == job.id)
    assert db.session.scalar(completions) == 1
    assert len(_events(job, "stage.complete")) == 1


def test_the_phone_time_is_kept_beside_the_arrival_and_an_impossible_one_is_set_aside(app):
    job, client, token = _checked_in(app, make_user("worker"))
    stage = job.stages[0]
    plain = [i["code"] for i in stage["items"] if not i["photo_required"]][:2]
    assert len(plain) == 2
    url = f"/jobs/{job.id}/stages/{stage['code']}/items/"
    made = (datetime.now(UTC) - timedelta(minutes=40)).replace(microsecond=0)
    late = client.post(
        url + plain[0], data={"csrf_token": token, "answer": "done"}, headers=_headers("a", made)
    )
    future = datetime.now(UTC) + timedelta(hours=3)
    ahead = client.post(
        url + plain[1], data={"csrf_token": token, "answer": "done"}, headers=_headers("b", future)
    )
    assert late.status_code == ahead.status_code == 200
    first, second = _events(job, "item.answer")
    assert first.happened_at == made and first.at > made + timedelta(minutes=39)
    assert second.happened_at is None and second.data["phone_time_refused"] == _ms(future)
    db.session.expire_all()
    check = db.session.scalar(
        select(ItemCheck).where(ItemCheck.job_id == job.id, ItemCheck.item_code == plain[0])
    )
    assert check.checked_at == made  # the record shows when it was ticked, not when it arrived
    # A request without the outbox's headers happened when it arrived: no phone time.
    before = time.time()
    client.post(
        url + plain[0],
        data={"csrf_token": token, "action": "note", "note": "门口"},
        headers={"HX-Request": "true"},
    )
    third = _events(job, "item.note")[-1]
    assert third.happened_at is None and third.at.timestamp() >= before - 1


def test_a_key_longer_than_kept_is_refused_not_cut(app):
    """Two keys alike in their first 64 characters are two writes: a longer key is refused, not cut
    short into another write's key, and the refusal changes nothing."""
    job, client, token = _checked_in(app, make_user("worker"))
    stage, item = _plain_item(job)
    url = f"/jobs/{job.id}/stages/{stage}/items/{item}"
    answer = client.post(url, data={"csrf_token": token, "answer": "done"}, headers=_headers("k" * 65))
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ClientWrite)) == 0
    assert (
        db.session.scalar(select(func.count()).select_from(ItemCheck).where(ItemCheck.job_id == job.id)) == 0
    )
    assert (
        client.post(url, data={"csrf_token": token, "answer": "done"}, headers=_headers("k" * 64)).status_code
        == 200
    )


def test_keys_older_than_ninety_days_are_forgotten_by_the_nightly_sweep(app):
    """The client keys would grow by every write for ever: the queue's nightly sweep forgets those
    that arrived more than 90 days ago and keeps the rest."""
    from hk.phone_writes import KEYS_KEPT
    from hk.queue import sweep_client_keys

    job = make_job(make_user("worker"))
    now = datetime.now(UTC)
    db.session.add_all(
        [
            ClientWrite(
                job_id=job.id,
                client_key="old",
                endpoint="jobs.answer_item",
                arrived_at=now - KEYS_KEPT - timedelta(hours=1),
            ),
            ClientWrite(
                job_id=job.id,
                client_key="recent",
                endpoint="jobs.answer_item",
                arrived_at=now - timedelta(days=89),
            ),
        ]
    )
    db.session.commit()
    sweep_client_keys.call_local()
    db.session.expire_all()
    assert set(db.session.scalars(select(ClientWrite.client_key))) == {"recent"}
