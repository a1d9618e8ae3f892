"""Requests at the same instant, from threads, against the real database (SQLite file or PostgreSQL).

A double tap on a slow network, two phones, several cleaners signing at once: never a 500, never a
double effect, never a lost or unchained record.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import (
    CustomerLink,
    Event,
    ItemCheck,
    Job,
    LoginSession,
    Photo,
    RenderStatus,
    Role,
    ServiceRecord,
    SignOff,
    User,
    utcnow,
)
from hk.queue import huey, run_pending
from hk.records.making import make_record
from hk.records.service import verify_chain
from tests.builders import PASSWORD, make_job, make_user
from tests.conftest import csrf_token, post_form
from tests.jobs.helpers import jpeg, review_hash
from tests.records.test_sign_flow import signature_png

# Timing-sensitive (threads at a barrier, forked queue workers): one after another in one worker.
pytestmark = pytest.mark.xdist_group("alone")


def _client_for(app, user):
    """A phone of its own: a fresh client logged in as the user."""
    client = app.test_client()
    assert post_form(client, "/login", {"username": user.username, "password": PASSWORD}).status_code == 303
    return client


def _twin(app, client):
    """A second request from the same phone (same session and device cookie): a double tap."""
    twin = app.test_client()
    for name in ("hk_session", "hk_device"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            twin.set_cookie(name, cookie.value)
    return twin


def _at_once(calls):
    """Run the calls in threads released at the same instant; their answers in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _checked_in(app, worker):
    job = make_job(worker)
    client = _client_for(app, worker)
    token = csrf_token(client, "/today")
    assert client.post(f"/jobs/{job.id}/check-in", data={"csrf_token": token}).status_code == 303
    return job, client, token


def _ready_to_sign(worker) -> Job:
    """A job whose every stage is done, waiting for the customer (made directly, for speed)."""
    return make_job(worker, state="awaiting_signature", photos=False)


def _sign_call(client, job_id):

    token = csrf_token(client, "/today")
    shown = review_hash(client, job_id, token=token)
    data = {
        "csrf_token": token,
        "signer_name": "周丽",
        "consent": "y",
        "signature": signature_png(),
        "shown_hash": shown,
        "lang": "zh_CN",
    }
    return lambda: client.post(f"/jobs/{job_id}/sign", data=data)


def test_identical_ticks_at_the_same_instant_make_one_change(app):
    worker = make_user("worker")
    job, client, token = _checked_in(app, worker)
    stage = job.stages[0]
    items = [i for i in stage["items"] if not i["photo_required"]][:3]  # one with a photo waits for it
    assert len(items) >= 2
    for item in items:
        url = f"/jobs/{job.id}/stages/{stage['code']}/items/{item['code']}"
        clients = [client] + [_twin(app, client) for _ in range(5)]
        answers = _at_once(
            [
                lambda c=c, url=url: c.post(
                    url, data={"csrf_token": token, "answer": "done"}, headers={"HX-Request": "true"}
                )
                for c in clients
            ]
        )
        assert [r.status_code for r in answers] == [200] * 6
    db.session.expire_all()
    rows = db.session.scalars(select(ItemCheck).where(ItemCheck.job_id == job.id)).all()
    assert sorted(r.item_code for r in rows) == sorted(i["code"] for i in items)
    events = db.session.scalar(
        select(func.count(Event.id)).where(Event.subject_id == job.id, Event.action == "item.answer")
    )
    assert events == len(items)  # one event per item: five of the six taps changed nothing


def test_different_writes_at_once_on_one_job_and_many_jobs_all_succeed(app):
    workers = [make_user("worker") for _ in range(4)]
    phones = [_checked_in(app, w) for w in workers]
    calls = []
    for job, client, token in phones:
        stage = job.stages[0]
        for n, item in enumerate(stage["items"][:4]):
            c = client if n == 0 else _twin(app, client)
            url = f"/jobs/{job.id}/stages/{stage['code']}/items/{item['code']}"
            # an item that needs a photo is ticked only with it: it gets a note instead
            data = {"action": "note", "note": "门口有鞋柜"} if item["photo_required"] else {"answer": "done"}
            calls.append(
                lambda c=c, url=url, token=token, data=data: c.post(
                    url, data={"csrf_token": token, **data}, headers={"HX-Request": "true"}
                )
            )
    answers = _at_once(calls)
    assert [r.status_code for r in answers] == [200] * len(calls)
    db.session.expire_all()
    for job, _client, _token in phones:
        written = min(4, len(job.stages[0]["items"]))
        rows = db.session.scalar(select(func.count(ItemCheck.id)).where(ItemCheck.job_id == job.id))
        assert rows == written


def test_one_photo_sent_twice_at_once_is_kept_once(app):
    worker = make_user("worker")
    job, client, token = _checked_in(app, worker)
    stage = job.stages[0]
    photo = jpeg(1200, 900)

    def upload(c):
        import io

        return c.post(
            f"/jobs/{job.id}/photos",
            data={
                "csrf_token": token,
                "client_key": "same-photo",
                "stage": stage["code"],
                "photo": (io.BytesIO(photo), "p.jpg"),
            },
            headers={"X-Requested-With": "fetch"},
            content_type="multipart/form-data",
        )

    answers = _at_once([lambda c=c: upload(c) for c in [client] + [_twin(app, client) for _ in range(3)]])
    assert [r.status_code for r in answers] == [201] * 4
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Photo.id)).where(Photo.job_id == job.id)) == 1


def test_a_double_tap_on_sign_signs_once_and_answers_twice(app, queued):
    worker = make_user("worker")
    job = _ready_to_sign(worker)
    client = _client_for(app, worker)
    sign = _sign_call(client, job.id)
    twins = [sign] + [_sign_call(_twin(app, client), job.id) for _ in range(3)]
    answers = _at_once(twins)
    assert [r.status_code for r in answers] == [303] * 4
    assert all(r.headers["Location"].endswith(f"/jobs/{job.id}/signed") for r in answers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(SignOff.id))) == 1
    assert db.session.scalar(select(func.count(ServiceRecord.id))) == 1
    assert db.session.scalar(select(func.count(CustomerLink.id))) == 1
    signs = select(func.count(Event.id)).where(Event.subject_id == job.id, Event.action == "sign")
    assert db.session.scalar(signs) == 1


def test_a_signature_made_offline_arriving_twice_at_once_signs_once(app, queued):
    """The outbox's entry sent twice at the same instant (a retry after a lost answer, a background
    sync beside the page): one sign-off at the phone's time, one record, one link, both answered."""
    import hashlib

    from hk.records.shown import canonical

    worker = make_user("worker")
    job = _ready_to_sign(worker)
    client = _client_for(app, worker)
    token = csrf_token(client, "/today")
    review_hash(client, job.id, token=token)  # handed to the customer
    text = canonical(client.get(f"/jobs/{job.id}/shown.json").get_json()["view"])
    signed_on_phone = utcnow() - timedelta(minutes=30)
    data = {
        "csrf_token": token,
        "signer_name": "周丽",
        "consent": "y",
        "signature": signature_png(),
        "shown": text,
        "shown_hash": hashlib.sha256(text.encode()).hexdigest(),
        "lang": "zh_CN",
    }
    headers = {
        "X-Requested-With": "hk-outbox",
        "X-HK-Happened-At": str(int(signed_on_phone.timestamp() * 1000)),
    }

    def send(c):
        return lambda: c.post(f"/jobs/{job.id}/sign", data=data, headers=headers)

    answers = _at_once([send(client), send(_twin(app, client))])
    # the first signs; its twin waited for the job's lock and found the key applied (or the job signed)
    assert sorted(r.status_code for r in answers) in ([200, 303], [303, 303])
    db.session.expire_all()
    signoffs = list(db.session.scalars(select(SignOff)))
    assert len(signoffs) == 1 and abs(signoffs[0].signed_at - signed_on_phone) < timedelta(milliseconds=2)
    assert db.session.scalar(select(func.count(ServiceRecord.id))) == 1
    assert db.session.scalar(select(func.count(CustomerLink.id))) == 1
    signs = select(func.count(Event.id)).where(Event.subject_id == job.id, Event.action == "sign")
    assert db.session.scalar(signs) == 1


def test_a_double_tap_on_change_password_changes_it_once_and_never_fails(app):
    """Both taps of one phone at the same instant: one change, one event, one open login, no 5xx.
    A tap that found its twin's change takes over the twin's fresh login (tests/auth/
    test_password_change.py forces that order); one that arrives after it is sent to log in."""
    from werkzeug.security import check_password_hash

    new = "a long walk to the market 7"
    worker = make_user("worker")
    client = _client_for(app, worker)
    token = csrf_token(client, "/account")
    data = {"csrf_token": token, "current_password": PASSWORD, "new_password": new, "new_password_again": new}
    clients = [client, _twin(app, client)]
    answers = _at_once([lambda c=c: c.post("/account/password", data=data) for c in clients])
    assert all(r.status_code in (302, 303) for r in answers), [r.status_code for r in answers]
    assert "/account#main" in [r.headers["Location"] for r in answers]
    for c, r in zip(clients, answers, strict=True):
        if r.headers["Location"] == "/account#main":
            assert c.get("/today").status_code == 200
        else:
            assert "/login" in r.headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "password.change")) == 1
    assert db.session.scalar(select(func.count(LoginSession.id)).where(LoginSession.ended_at.is_(None))) == 1
    assert check_password_hash(db.session.get(User, worker.id).password_hash, new)


def test_the_signing_answers_at_once_and_the_queue_makes_the_record(app, queued):
    worker = make_user("worker")
    job = _ready_to_sign(worker)
    client = _client_for(app, worker)
    assert _sign_call(client, job.id)().status_code == 303
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == RenderStatus.PENDING  # committed, not yet made
    page = client.get(f"/jobs/{job.id}/signed").get_data(as_text=True)
    assert 'data-testid="record-pending"' in page and 'hx-trigger="every 2s"' in page
    link = page.split('data-testid="customer-link">')[1].split("<")[0]
    customer = app.test_client()
    path = link[link.index("/r/") :]
    assert 'data-testid="record-pending"' in customer.get(path).get_data(as_text=True)
    assert customer.get(path + "/record.pdf").status_code == 404
    assert run_pending() == 1
    fragment = client.get(f"/jobs/{job.id}/signed", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-testid="record-ready"' in fragment and "hx-trigger" not in fragment
    assert "<html" not in fragment
    pdf = customer.get(path + "/record.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_twenty_signings_at_once_all_get_records_in_one_chain(app, queued):
    pairs = []
    for _ in range(20):
        worker = make_user("worker")
        job = _ready_to_sign(worker)
        pairs.append((job.id, _client_for(app, worker)))
    answers = _at_once([_sign_call(client, job_id) for job_id, client in pairs])
    assert [r.status_code for r in answers] == [303] * 20
    pending = []
    while (task := huey.dequeue()) is not None:
        pending.append(task.args[0])
    assert len(pending) == 20

    def make(record_id):
        with app.app_context():
            return make_record(record_id)

    # four queue workers at once, each record twice (a message delivered twice is harmless)
    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(make, pending + pending))
    db.session.expire_all()
    rows = db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.chain_seq)).all()
    assert [r.render_status for r in rows] == [RenderStatus.DONE] * 20
    assert [r.chain_seq for r in rows] == list(range(1, 21))
    assert verify_chain() == []
    result = app.test_cli_runner().invoke(args=["hk", "verify-chain"])
    assert result.exit_code == 0 and "20 records" in result.output


# --- administrators at the same instant --------------------------------------------------------


def _admin_post(app, admin, path, data):
    """A call that posts an account change from the administrator's own browser."""
    client = _client_for(app, admin)
    token = csrf_token(client, "/office/staff")
    return lambda: client.post(path, data={"csrf_token": token, **data})


def _enabled_admins() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.is_enabled.is_(True))
    )


def _account_events() -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action.like("account.%")))


@pytest.mark.parametrize(("path", "data"), [("role", {"role": "supervisor"}), ("enabled", {})])
def test_two_administrators_demoting_each_other_at_once_leave_one(app, path, data):
    first, second = make_user("admin"), make_user("admin")
    answers = _at_once(
        [
            _admin_post(app, first, f"/office/staff/{second.id}/{path}", data),
            _admin_post(app, second, f"/office/staff/{first.id}/{path}", data),
        ]
    )
    codes = sorted(r.status_code for r in answers)
    # the winner's change is made; the loser was no longer an administrator when its turn came:
    # logged out already (302) or refused under the lock (403), never a 5xx
    assert codes in ([302, 303], [303, 403]), codes
    assert _enabled_admins() == 1
    assert _account_events() == 1


def test_the_last_two_administrators_stepping_down_at_once_leave_one(app):
    admins = [make_user("admin"), make_user("admin")]
    answers = _at_once(
        [_admin_post(app, a, f"/office/staff/{a.id}/role", {"role": "supervisor"}) for a in admins]
    )
    assert sorted(r.status_code for r in answers) == [303, 409]
    refused = next(r for r in answers if r.status_code == 409)
    assert "公司至少要有一名启用中的管理员" in refused.get_data(as_text=True)
    assert _enabled_admins() == 1
    assert _account_events() == 1


def test_three_administrators_each_demoting_the_next_at_once_leave_at_least_one(app):
    admins = [make_user("admin") for _ in range(3)]
    calls = [
        _admin_post(app, a, f"/office/staff/{admins[(n + 1) % 3].id}/role", {"role": "supervisor"})
        for n, a in enumerate(admins)
    ]
    answers = _at_once(calls)
    assert all(r.status_code in (302, 303, 403) for r in answers), [r.status_code for r in answers]
    left = _enabled_admins()
    assert left >= 1
    assert _account_events() == 3 - left == sum(r.status_code == 303 for r in answers)


def test_two_overlapping_bookings_of_one_worker_at_once_book_one(app):
    """Two supervisors give one worker two overlapping jobs at the same instant: one is booked, the
    other refused as an overlap (the worker's row is locked while the bookings are checked)."""
    worker = make_user("worker")
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    first, second = make_job(None, start=start), make_job(None, start=start + timedelta(minutes=30))
    supervisors = [_client_for(app, make_user("supervisor")) for _ in range(2)]
    calls = []
    for client, job in zip(supervisors, (first, second), strict=True):
        token = csrf_token(client, f"/office/jobs/{job.id}")
        data = {"csrf_token": token, "worker": worker.id}
        calls.append(lambda c=client, j=job, d=data: c.post(f"/office/jobs/{j.id}/assign", data=d))
    answers = _at_once(calls)
    assert sorted(r.status_code for r in answers) == [303, 409]
    db.session.expire_all()
    booked = db.session.scalars(select(Job).where(Job.worker_id == worker.id)).all()
    assert len(booked) == 1
