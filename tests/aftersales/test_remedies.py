"""Remedies on the case page: a re-clean through dispatch's gates with a free quote, linked both ways;
refunds within the job's total; sums above the threshold wait for an admin; totals per case."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hk.aftersales import cases
from hk.domain.clock import local_datetime, local_today
from hk.domain.complaints import CaseAction, CaseStatus, RemedyStatus
from hk.extensions import db
from hk.models import Event, Job, Remedy
from tests.aftersales.helpers import Desk, key_of, make_case
from tests.builders import make_job, make_user

TZ = "Asia/Shanghai"


@pytest.fixture
def answered(client, login):
    """A supervisor's desk and an answered case about a job that cost its quote's total."""
    me = login("supervisor")
    job = make_job(make_user("worker"), state="awaiting_signature", photos=False)
    case = make_case(me, job=job, owner=me)
    cases.reply(case, me, "非常抱歉，我们马上处理", "r1")
    return Desk(client), case, job


def _post(desk, case, kind, **fields):
    """Fill in one remedy form of the case page and send it, with the key it was shown with."""
    data = {f"{kind}-{name}": value for name, value in fields.items()}
    if f"{kind}-client_key" not in data:
        data[f"{kind}-client_key"] = key_of(desk.page(case.id), kind)
    return desk.post(f"/complaints/{case.id}/remedies/{kind}", data)


def _remedies():
    db.session.expire_all()
    return db.session.scalars(select(Remedy).order_by(Remedy.id)).all()


def test_a_refund_within_the_total_moves_the_case_to_remedy(answered):
    desk, case, job = answered
    total = job.quote_confirmed_total
    assert _post(desk, case, "refund", amount="50.00", description="擦窗部分退款").status_code == 303
    assert desk.case(case.id).status == CaseStatus.REMEDY
    (refund,) = _remedies()
    assert (refund.amount, refund.status, refund.proposed_by_id) == (
        Decimal("50.00"),
        RemedyStatus.APPROVED,
        desk.case(case.id).owner_id,
    )
    page = desk.page(case.id)
    assert "擦窗部分退款" in page and "¥50.00" in page[page.index('data-testid="remedy-totals"') :][:300]
    left = total - Decimal("50.00")
    response = _post(desk, case, "refund", amount=str(left + Decimal("0.01")))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert f"退款总额不能超过工单金额 ¥{total:,.2f}，最多还可退 ¥{left:,.2f}。" in body
    assert len(_remedies()) == 1
    assert _post(desk, case, "refund", amount=str(left)).status_code == 303  # exactly the rest
    assert sum(r.amount for r in _remedies()) == total


def test_a_refund_above_the_total_is_refused_in_english(client, login):
    me = login(make_user("supervisor", locale="en"))
    job = make_job(make_user("worker"), state="awaiting_signature", photos=False)
    case = make_case(me, job=job, owner=me)
    desk = Desk(client)
    response = _post(desk, case, "refund", amount=str(job.quote_confirmed_total + 1))
    assert response.status_code == 409
    assert "Refunds cannot exceed the job&#39;s total of" in response.get_data(as_text=True)
    assert _remedies() == []


def test_bad_amounts_and_missing_descriptions_are_named(answered):
    desk, case, _job = answered
    for amount in ("", "-5", "abc", "1.234"):
        response = _post(desk, case, "compensation", amount=amount, description="打碎花瓶")
        assert response.status_code == 422, amount
        assert "请输入不小于0的数字，最多两位小数。" in response.get_data(as_text=True)
    response = _post(desk, case, "compensation", amount="0", description="打碎花瓶")
    assert response.status_code == 409 and "请输入大于零的金额。" in response.get_data(as_text=True)
    response = _post(desk, case, "compensation", amount="80", description="")
    assert response.status_code == 409 and "请说明赔偿事由" in response.get_data(as_text=True)
    response = _post(desk, case, "apology", description=" ")
    assert response.status_code == 409
    assert _post(desk, case, "compensation", amount="9999999", description="x").status_code == 422
    assert _remedies() == [] and desk.case(case.id).status == CaseStatus.RESPONDED


def test_a_sum_above_the_threshold_waits_for_an_admin(client, login, answered):
    desk, case, _job = answered
    assert _post(desk, case, "compensation", amount="300", description="打碎花瓶").status_code == 303
    (remedy,) = _remedies()
    assert remedy.status == RemedyStatus.AWAITING_APPROVAL
    page = desk.page(case.id)
    assert "此金额等待管理员批准。" in page and f'data-testid="approve-{remedy.id}"' not in page
    assert "¥300.00 待批准" in page
    # A supervisor cannot approve it, even by posting the form.
    assert desk.post(f"/complaints/{case.id}/remedies/{remedy.id}/approve").status_code == 403
    assert desk.post(f"/complaints/{case.id}/remedies/{remedy.id}/reject").status_code == 403
    assert desk.post(f"/complaints/{case.id}/remedies/{remedy.id}/done").status_code == 409
    assert _remedies()[0].status == RemedyStatus.AWAITING_APPROVAL
    admin = login("admin")
    desk = Desk(client)
    page = desk.page(case.id)
    assert f'data-testid="approve-{remedy.id}"' in page and f'data-testid="reject-{remedy.id}"' in page
    assert desk.post(f"/complaints/{case.id}/remedies/{remedy.id}/approve").status_code == 303
    assert desk.post(f"/complaints/{case.id}/remedies/{remedy.id}/approve").status_code == 303  # repeat
    approved = _remedies()[0]
    assert approved.status == RemedyStatus.APPROVED and approved.decided_by_id == admin.id
    events = db.session.scalars(select(Event).where(Event.action == "remedy.approve")).all()
    assert len(events) == 1 and events[0].actor_id == admin.id
    assert desk.post(f"/complaints/{case.id}/remedies/{remedy.id}/done").status_code == 303
    assert _remedies()[0].status == RemedyStatus.DONE
    assert "¥300.00" in desk.page(case.id).split('data-testid="remedy-totals"')[1][:300]


def test_an_admin_rejects_with_a_reason_and_proposes_large_sums_without_waiting(app, client, login, answered):
    desk, case, job = answered
    app.config["REMEDY_APPROVAL_ABOVE"] = Decimal("10")
    whole = str(job.quote_confirmed_total)
    assert _post(desk, case, "refund", amount=whole).status_code == 303
    (remedy,) = _remedies()
    assert remedy.status == RemedyStatus.AWAITING_APPROVAL
    assert _post(desk, case, "refund", amount="1").status_code == 409  # a waiting refund counts
    login("admin")
    desk = Desk(client)
    response = desk.post(
        f"/complaints/{case.id}/remedies/{remedy.id}/reject",
        {f"reject{remedy.id}-reason": "已返工，不再退款"},
    )
    assert response.status_code == 303 and _remedies()[0].status == RemedyStatus.REJECTED
    timeline = desk.page(case.id).split('data-testid="timeline"')[1]
    assert "补救措施被拒绝" in timeline and "已返工，不再退款" in timeline
    assert _post(desk, case, "refund", amount=whole).status_code == 303  # room again: it was rejected
    assert _remedies()[1].status == RemedyStatus.APPROVED  # an admin's own proposal does not wait


def test_the_threshold_is_the_companys_setting(app, answered):
    desk, case, _job = answered
    app.config["REMEDY_APPROVAL_ABOVE"] = Decimal("20")
    _post(desk, case, "apology", description="已当面致歉并解释用料")
    _post(desk, case, "compensation", amount="30", description="耽误时间")
    assert [r.status for r in _remedies()] == [RemedyStatus.APPROVED, RemedyStatus.AWAITING_APPROVAL]


def test_a_double_tap_on_a_remedy_adds_it_once(answered):
    desk, case, _job = answered
    page = desk.page(case.id)
    data = {
        "compensation-amount": "60",
        "compensation-description": "地板划痕",
        "compensation-client_key": key_of(page, "compensation"),
    }
    for _ in range(2):
        assert desk.post(f"/complaints/{case.id}/remedies/compensation", data).status_code == 303
    assert len(_remedies()) == 1
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "remedy.add")) == 1


def test_remedies_are_added_only_to_open_cases(answered):
    desk, case, _job = answered
    cases.act(desk.case(case.id), CaseAction.RESOLVE, None, root_cause="漏擦")
    response = _post(desk, case, "apology", description="再次致歉", client_key="late")
    assert response.status_code == 409 and "投诉目前所处的阶段不能进行此操作。" in response.get_data(
        as_text=True
    )
    assert 'data-testid="open-refund"' not in desk.page(case.id)
    assert _remedies() == []


# --- re-clean -------------------------------------------------------------------------------


def _reclean(desk, case, worker=None, start="09:00", end="11:00", days=2, **more):
    day = local_today(TZ) + timedelta(days=days)
    fields = {
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "worker": worker.id if worker else 0,
        **more,
    }
    return _post(desk, case, "reclean", **fields)


def test_a_reclean_is_a_free_job_for_the_same_customer_linked_both_ways(client, answered):
    desk, case, job = answered
    cleaner = make_user("worker")
    response = _reclean(desk, case, cleaner, notes="重点擦卫生间玻璃")
    assert response.status_code == 303
    (remedy,) = _remedies()
    new = db.session.get(Job, remedy.reclean_job_id)
    assert (new.customer_id, new.service_type_id, new.worker_id) == (
        job.customer_id,
        job.service_type_id,
        cleaner.id,
    )
    assert new.quote_lines and all(line.amount == 0 and line.unit_price == 0 for line in new.quote_lines)
    assert new.quote_total == 0 and new.id != job.id
    reason = f"投诉 {case.number} 的免费返工"
    assert new.quote_adjust_reason == reason and reason in new.notes and "重点擦卫生间玻璃" in new.notes
    assert desk.case(case.id).status == CaseStatus.REMEDY
    page = desk.page(case.id)
    assert f'href="/office/jobs/{new.id}"' in page and new.number in page
    job_page = client.get(f"/office/jobs/{new.id}").get_data(as_text=True)
    assert f'href="/complaints/{case.id}"' in job_page and reason in job_page
    old_page = client.get(f"/office/jobs/{job.id}").get_data(as_text=True)
    assert 'data-testid="job-complaints"' in old_page and case.number in old_page
    adjusted = db.session.scalar(
        select(Event).where(Event.subject_id == new.id, Event.action == "quote.adjust")
    )
    assert adjusted.data["reason"] == reason


def test_a_reclean_for_an_uncertified_worker_is_refused_with_the_gates_message(answered):
    desk, case, _job = answered
    uncertified = make_user("worker", certified=False)
    response = _reclean(desk, case, uncertified)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert f"{uncertified.display_name}不能接这个工单：" in body and "缺少上岗证" in body
    opening = body.split('data-testid="open-reclean"')[0].rsplit("<details", 1)[1]
    assert " open" in opening  # the re-clean form stays open, with what was typed
    assert _remedies() == [] and db.session.scalar(select(func.count(Job.id))) == 1  # only the first job
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "job.create")) == 0
    assert desk.case(case.id).status == CaseStatus.RESPONDED


def test_a_reclean_that_overlaps_the_workers_other_job_is_refused(answered):
    desk, case, _job = answered
    cleaner = make_user("worker")
    day = local_today(TZ) + timedelta(days=2)
    make_job(cleaner, start=local_datetime(day, 10, 0, TZ), minutes=120)
    response = _reclean(desk, case, cleaner, start="09:00", end="11:00")
    assert response.status_code == 409 and "已有工单" in response.get_data(as_text=True)
    assert _remedies() == []
    response = _reclean(desk, case, cleaner, start="13:00", end="15:00")
    assert response.status_code == 303 and len(_remedies()) == 1


def test_a_double_tap_books_one_reclean(answered):
    desk, case, _job = answered
    page = desk.page(case.id)
    day = (local_today(TZ) + timedelta(days=1)).isoformat()
    data = {
        "reclean-day": day,
        "reclean-start": "14:00",
        "reclean-end": "16:00",
        "reclean-worker": 0,
        "reclean-client_key": key_of(page, "reclean"),
    }
    jobs_before = db.session.scalar(select(func.count(Job.id)))
    for _ in range(2):
        assert desk.post(f"/complaints/{case.id}/remedies/reclean", data).status_code == 303
    assert len(_remedies()) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Job.id))) == jobs_before + 1


def test_a_case_without_a_job_offers_no_reclean_and_refuses_one(client, login):
    me = login("supervisor")
    case = make_case(me, owner=me)
    desk = Desk(client)
    assert 'data-testid="open-reclean"' not in desk.page(case.id)
    day = (local_today(TZ) + timedelta(days=1)).isoformat()
    response = desk.post(
        f"/complaints/{case.id}/remedies/reclean",
        {"reclean-day": day, "reclean-start": "09:00", "reclean-end": "10:00", "reclean-client_key": "k"},
    )
    assert response.status_code == 409 and "返工需要关联被投诉的工单" in response.get_data(as_text=True)
    assert _remedies() == []
    assert desk.post(f"/complaints/{case.id}/remedies/nonsense").status_code == 404


def test_remedy_decisions_check_the_case(client, login, answered):
    desk, case, _job = answered
    _post(desk, case, "refund", amount="10")
    (remedy,) = _remedies()
    other = make_case(desk.case(case.id).owner)
    assert desk.post(f"/complaints/{other.id}/remedies/{remedy.id}/done").status_code == 404
    assert desk.post(f"/complaints/{case.id}/remedies/999999/done").status_code == 404
