"""Identical complaint posts at the same instant, from threads (a double tap on a slow network): one case,
one reply, one remedy, one re-clean job; two refunds at once never pass the job's total together.
Runs on SQLite and, with HK_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hk.aftersales import cases
from hk.domain.clock import local_today
from hk.extensions import db
from hk.models import CaseReply, Complaint, Event, Job, Remedy, utcnow
from tests.aftersales.helpers import make_case
from tests.builders import make_customer, make_job, make_user
from tests.conftest import csrf_token
from tests.test_concurrency import _at_once, _client_for, _twin

pytestmark = pytest.mark.xdist_group("alone")
TAPS = 4


def _desk(app):
    supervisor = make_user("supervisor")
    client = _client_for(app, supervisor)
    return supervisor, client, csrf_token(client, "/complaints")


def _same_post_at_once(app, client, path: str, data: dict) -> list:
    phones = [client] + [_twin(app, client) for _ in range(TAPS - 1)]
    return _at_once([lambda c=c: c.post(path, data=data) for c in phones])


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def test_identical_new_cases_at_once_open_one(app):
    supervisor, client, token = _desk(app)
    customer = make_customer()
    received = (
        (utcnow() - timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    )
    data = {
        "csrf_token": token,
        "customer": customer.id,
        "channel": "phone",
        "category": "lateness",
        "severity": "low",
        "description": "迟到一小时",
        "received_at": received,
        "owner": supervisor.id,
        "client_key": "same-case",
    }
    answers = _same_post_at_once(app, client, "/complaints/new", data)
    assert [r.status_code for r in answers] == [303] * TAPS
    assert len({r.headers["Location"] for r in answers}) == 1
    assert _count(Complaint) == 1 and _count(Event, Event.action == "complaint.open") == 1


def test_identical_replies_at_once_make_one(app):
    supervisor, client, token = _desk(app)
    case = make_case(supervisor, owner=supervisor)
    data = {"csrf_token": token, "reply-body": "非常抱歉", "reply-kind": "customer", "reply-client_key": "r"}
    answers = _same_post_at_once(app, client, f"/complaints/{case.id}/replies", data)
    assert [r.status_code for r in answers] == [303] * TAPS
    assert _count(CaseReply) == 1
    assert _count(Event, Event.action == "complaint.respond") == 1


def test_identical_remedies_at_once_make_one(app):
    supervisor, client, token = _desk(app)
    case = make_case(supervisor, owner=supervisor)
    cases.reply(case, supervisor, "收到", "r1")
    data = {
        "csrf_token": token,
        "compensation-amount": "88",
        "compensation-description": "打碎的杯子",
        "compensation-client_key": "same-remedy",
    }
    answers = _same_post_at_once(app, client, f"/complaints/{case.id}/remedies/compensation", data)
    assert [r.status_code for r in answers] == [303] * TAPS
    assert _count(Remedy) == 1 and _count(Event, Event.action == "remedy.add") == 1
    assert _count(Event, Event.action == "complaint.propose_remedy") == 1


def test_identical_recleans_at_once_book_one_job(app):
    supervisor, client, token = _desk(app)
    job = make_job(make_user("worker"), state="awaiting_signature", photos=False)
    case = make_case(supervisor, job=job, owner=supervisor)
    data = {
        "csrf_token": token,
        "reclean-day": (local_today("Asia/Shanghai") + timedelta(days=1)).isoformat(),
        "reclean-start": "09:00",
        "reclean-end": "11:00",
        "reclean-worker": make_user("worker").id,
        "reclean-client_key": "same-reclean",
    }
    answers = _same_post_at_once(app, client, f"/complaints/{case.id}/remedies/reclean", data)
    assert [r.status_code for r in answers] == [303] * TAPS
    assert _count(Remedy) == 1 and _count(Job) == 2
    assert _count(Event, Event.action == "job.create") == 1


def test_two_refunds_at_once_stay_within_the_total(app):
    supervisor, client, token = _desk(app)
    job = make_job(make_user("worker"), state="awaiting_signature", photos=False)
    case = make_case(supervisor, job=job, owner=supervisor)
    share = (job.quote_confirmed_total * Decimal("0.6")).quantize(Decimal("0.01"))
    path, calls = f"/complaints/{case.id}/remedies/refund", []
    for n in range(2):
        data = {"csrf_token": token, "refund-amount": str(share), "refund-client_key": f"refund-{n}"}
        phone = client if n == 0 else _twin(app, client)
        calls.append(lambda c=phone, d=data: c.post(path, data=d))
    answers = _at_once(calls)
    assert sorted(r.status_code for r in answers) == [303, 409]
    assert _count(Remedy) == 1
