"""The complaint case service: one case per client key; the clocks stopped and paused by the right steps."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hk.aftersales import cases
from hk.domain.complaints import CaseAction, CaseStatus, Category, Channel, ClockState, resolution_clock
from hk.domain.workflow import WorkflowError
from hk.extensions import db
from hk.models import CaseReply, Complaint, Event, utcnow
from tests.builders import make_customer, make_job, make_user


def _case(**kwargs):
    supervisor = kwargs.pop("actor", None) or make_user("supervisor")
    customer = kwargs.pop("customer", None) or make_customer()
    job = kwargs.pop("job", None)
    data = {
        "customer": customer,
        "job": job,
        "channel": Channel.PHONE,
        "category": Category.CLEANING_QUALITY,
        "description": "厨房台面没有擦干净",
        "client_key": "case-1",
        "actor": supervisor,
    }
    data.update(kwargs)
    return cases.open_case(**data), supervisor


def _events(action):
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def test_the_same_client_key_opens_one_case(app):
    customer = make_customer()
    first, supervisor = _case(customer=customer)
    again, _ = _case(customer=customer, actor=supervisor)
    assert first.id == again.id and db.session.scalar(select(func.count(Complaint.id))) == 1
    assert _events("complaint.open") == 1
    assert first.number == f"TS{first.id:06d}"


def test_a_case_about_a_job_keeps_its_record_and_refuses_another_customers_job(app):
    worker = make_user("worker")
    job = make_job(worker, state="awaiting_signature", photos=False)
    case, _ = _case(customer=job.customer, job=job)
    assert case.job_id == job.id
    with pytest.raises(WorkflowError) as refused:
        _case(customer=make_customer(), job=job, client_key="case-2")
    assert refused.value.refusals[0].code == "case_wrong_job"


def test_received_time_from_staff_runs_the_clocks_and_may_not_be_in_the_future(app):
    now = utcnow()
    case, _ = _case(received_at=now - timedelta(hours=30), now=now)
    assert case.received_at == now - timedelta(hours=30)
    with pytest.raises(WorkflowError) as refused:
        _case(received_at=now + timedelta(hours=1), client_key="later", now=now)
    assert refused.value.refusals[0].code == "received_in_future"
    assert db.session.scalar(select(func.count(Complaint.id))) == 1


def test_only_staff_may_own_a_case(app):
    with pytest.raises(WorkflowError) as refused:
        _case(owner=make_user("worker"))
    assert refused.value.refusals[0].code == "owner_not_staff"
    case, supervisor = _case(client_key="ok")
    admin = make_user("admin")
    assert cases.assign(case, admin, supervisor) is True
    assert cases.assign(case, admin, supervisor) is False  # a repeat tap
    assert _events("complaint.assign") == 1


def test_an_internal_note_does_not_stop_the_first_clock_but_a_reply_does(app):
    case, supervisor = _case()
    cases.reply(case, supervisor, "客户说下午再联系", "n1", internal=True)
    assert case.first_response_at is None and case.status == CaseStatus.NEW
    cases.reply(case, supervisor, "非常抱歉，我们明天上午安排返工。", "r1")
    assert case.status == CaseStatus.RESPONDED and case.first_response_at is not None
    again = cases.reply(case, supervisor, "非常抱歉，我们明天上午安排返工。", "r1")
    assert db.session.scalar(select(func.count(CaseReply.id))) == 2 and again.body.startswith("非常抱歉")
    assert [r.body for r in cases.customer_view(case)] == ["非常抱歉，我们明天上午安排返工。"]


def test_answering_by_phone_counts_as_the_first_response(app):
    case, supervisor = _case()
    cases.reply(case, supervisor, "已电话致歉", "n1", internal=True, responded_by_phone=True)
    assert case.status == CaseStatus.RESPONDED


def test_the_whole_flow_with_a_pause_and_a_reopening(app):
    now = utcnow()
    worker = make_user("worker")
    case, supervisor = _case(received_at=now - timedelta(hours=10), now=now)
    cases.reply(case, supervisor, "收到，正在处理", "r1", now=now)
    assert cases.act(case, CaseAction.INVESTIGATE, supervisor, now=now)
    with pytest.raises(WorkflowError):
        cases.act(case, CaseAction.PAUSE, supervisor, now=now)  # a pause needs its reason
    assert cases.act(case, CaseAction.PAUSE, supervisor, reason="客户出差，下周才能入户", now=now)
    assert cases.act(case, CaseAction.PAUSE, supervisor, reason="again", now=now) is False
    assert resolution_clock(case.facts(), now + timedelta(days=5)).state == ClockState.PAUSED
    later = now + timedelta(days=5)
    assert cases.act(case, CaseAction.RESUME, supervisor, now=later)
    reading = resolution_clock(case.facts(), later)
    assert reading.due == case.received_at + timedelta(hours=72) + timedelta(days=5)
    with pytest.raises(WorkflowError) as refused:
        cases.act(case, CaseAction.RESOLVE, supervisor, now=later)
    assert refused.value.refusals[0].code == "case_needs_root_cause"
    assert cases.act(
        case, CaseAction.RESOLVE, supervisor, root_cause="漏擦", responsible_worker=worker, now=later
    )
    assert case.status == CaseStatus.RESOLVED and case.responsible_worker_id == worker.id
    assert cases.act(case, CaseAction.RESOLVE, supervisor, root_cause="漏擦", now=later) is False
    assert cases.act(case, CaseAction.REOPEN, None, reason="玻璃还是有印子", now=later + timedelta(days=1))
    assert case.status == CaseStatus.INVESTIGATING and case.reopen_count == 1 and case.resolved_at is None
    assert _events("complaint.reopen") == 1


def test_resolved_cases_close_themselves_after_a_week(app):
    now = utcnow()
    case, supervisor = _case()
    cases.reply(case, supervisor, "已处理", "r1")
    cases.act(case, CaseAction.RESOLVE, supervisor, root_cause="沟通不足", now=now - timedelta(days=8))
    young, _ = _case(client_key="young", actor=supervisor)
    cases.reply(young, supervisor, "已处理", "r1")
    cases.act(young, CaseAction.RESOLVE, supervisor, root_cause="x", now=now - timedelta(days=6))
    assert cases.close_resolved(now) == 1
    db.session.expire_all()
    assert db.session.get(Complaint, case.id).status == CaseStatus.CLOSED
    assert db.session.get(Complaint, young.id).status == CaseStatus.RESOLVED
    assert cases.close_resolved(now) == 0


def test_the_queue_sweep_closes_week_old_resolved_cases(app):
    from hk.queue import sweep_cases

    case, supervisor = _case()
    cases.reply(case, supervisor, "已处理", "r1")
    cases.act(case, CaseAction.RESOLVE, supervisor, root_cause="沟通不足", now=utcnow() - timedelta(days=8))
    sweep_cases.call_local()
    db.session.expire_all()
    assert db.session.get(Complaint, case.id).status == CaseStatus.CLOSED
