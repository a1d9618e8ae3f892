"""The demo's past: signed jobs with records to make, ratings, complaints in each state of their clocks."""

from sqlalchemy import func, select

from hk.demo import seed_demo
from hk.domain.complaints import ClockState, first_response_clock, resolution_clock
from hk.extensions import db
from hk.models import Complaint, FollowUp, Job, Message, Rating, ServiceRecord, utcnow
from hk.queue import run_pending


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_the_demo_has_an_after_sales_desk_to_look_at(app, queued):
    seed_demo("demo-password-1", app.config["TIMEZONE"], history=True)
    now = utcnow()
    assert _count(ServiceRecord) == 5 and _count(Rating) == 3 and _count(FollowUp) == 1
    readings = {
        case.client_key: (first_response_clock(case.facts(), now), resolution_clock(case.facts(), now))
        for case in db.session.scalars(select(Complaint))
    }
    assert readings["demo-survey"][0].state == ClockState.DUE_SOON  # answer due within hours
    assert readings["demo-late"][0].state == ClockState.MET
    assert readings["demo-late"][1].state == ClockState.BREACHED  # past its 72 hours
    assert readings["demo-damage"][1].state == ClockState.MET
    low = db.session.scalar(select(Rating).where(Rating.overall == 2))
    assert low.complaint is not None and low.complaint.client_key == "demo-survey"
    # Seeding again adds no second history; the queue makes the five records.
    seed_demo("demo-password-1", app.config["TIMEZONE"], history=True)
    assert _count(ServiceRecord) == 5 and _count(Job) == 10
    # The five records, then the email of each to its customer; and the six emails its complaints
    # queued (three receipts, two replies, one "is it sorted?"), all to the demo's outbox.
    assert run_pending() == 16
    kinds = sorted(db.session.scalars(select(Message.kind)))
    assert kinds == ["case_opened"] * 3 + ["case_reply"] * 2 + ["case_resolved"] + ["record_ready"] * 5
    db.session.expire_all()
    assert {r.render_status.value for r in db.session.scalars(select(ServiceRecord))} == {"done"}
