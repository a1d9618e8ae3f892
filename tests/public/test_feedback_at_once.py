"""The customer's taps at the same instant (a double tap on one bar of signal, two tabs), from threads,
against the real database (SQLite file or PostgreSQL): one rating, one case, never a 500."""

import io

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import CasePhoto, CaseReply, Complaint, Event, Rating
from tests.jobs.helpers import jpeg
from tests.public.helpers import CustomerPhone, linked_job
from tests.test_concurrency import _at_once

pytestmark = pytest.mark.xdist_group("alone")


def _twins(app, phone, n):
    """n requests from the customer's phone: its own client and copies with the same session cookie."""
    twins = [phone.client]
    for _ in range(n - 1):
        twin = app.test_client()
        twin.set_cookie("hk_session", phone.client.get_cookie("hk_session").value)
        twins.append(twin)
    return twins


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def test_a_low_rating_tapped_at_once_makes_one_rating_and_one_case(app):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    data = {"csrf_token": phone.token, "overall": "1", "quality": "1", "comment": "完全没打扫"}
    answers = _at_once([lambda c=c: c.post(f"{path}/rating", data=data) for c in _twins(app, phone, 6)])
    assert [a.status_code for a in answers] == [303] * 6
    assert _count(Rating) == 1 and _count(Complaint) == 1
    assert db.session.scalar(select(Rating)).complaint_id == db.session.scalar(select(Complaint.id))
    opened = db.session.scalar(select(func.count(Event.id)).where(Event.action == "complaint.open"))
    assert opened == 1


def test_a_problem_sent_at_once_makes_one_case_with_its_photo_once(app):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    photo = jpeg()

    def send(client):
        data = {
            "csrf_token": phone.token,
            "category": "damage_or_loss",
            "description": "花瓶碎了",
            "client_key": "same-tap",
            "photos": [(io.BytesIO(photo), "p.jpg")],
        }
        return client.post(f"{path}/problems", data=data, content_type="multipart/form-data")

    answers = _at_once([lambda c=c: send(c) for c in _twins(app, phone, 4)])
    assert [a.status_code for a in answers] == [303] * 4
    assert _count(Complaint) == 1 and _count(CasePhoto) == 1


def test_a_reply_and_a_reopen_sent_at_once_are_kept_once(app):
    from hk.aftersales import cases
    from hk.domain.complaints import CaseAction, CaseStatus
    from tests.builders import make_user

    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    assert phone.report(client_key="r").status_code == 303
    case = db.session.scalar(select(Complaint))
    supervisor = make_user("supervisor")
    cases.reply(case, supervisor, "已处理", "s1")
    cases.act(case, CaseAction.RESOLVE, supervisor, root_cause="漏擦")
    reopen = {"csrf_token": phone.token, "reason": "还是脏", "client_key": "o"}
    url = f"{path}/cases/{case.id}/reopen"
    answers = _at_once([lambda c=c: c.post(url, data=reopen) for c in _twins(app, phone, 4)])
    assert [a.status_code for a in answers] == [303] * 4
    db.session.expire_all()
    case = db.session.get(Complaint, case.id)
    assert case.status == CaseStatus.INVESTIGATING and case.reopen_count == 1
    assert _count(CaseReply) == 2  # the company's answer and the customer's reason, once
