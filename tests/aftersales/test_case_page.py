"""One case: the job's evidence beside it, the customer's photos, the thread, the owner, the steps the
flow allows (pause, resolve with root cause and attribution, close, reopen) and the event log."""

import pytest
from sqlalchemy import func, select

from hk.aftersales import cases, notify
from hk.domain.complaints import CaseAction, CaseStatus
from hk.extensions import db
from hk.models import CasePhoto, CaseReply, Event
from hk.photos import process_photo
from hk.storage import get_storage
from tests.aftersales.helpers import Desk, key_of, make_case
from tests.builders import make_customer, make_job, make_user
from tests.jobs.helpers import jpeg
from tests.records.test_sign_flow import _ready, _sign


@pytest.fixture
def told(monkeypatch):
    """Which of notify's call points the screens reach, call by call (what is sent: tests/mail)."""
    calls = []
    for name in ("case_opened", "case_assigned", "reply_posted", "status_changed"):
        monkeypatch.setattr(notify, name, lambda obj, *_args, name=name: calls.append((name, obj.id)) or [])
    return calls


def test_the_evidence_of_a_signed_job_is_beside_the_case(client, login):
    phone = _ready(client, login)
    assert _sign(phone).status_code == 303
    job = phone.job()
    me = login("supervisor")
    case = make_case(me, job=job, owner=me)
    page = Desk(client).page(case.id)
    evidence = page[page.index('data-testid="evidence"') :]
    assert "/records/" in evidence and 'data-testid="evidence-pdf"' in evidence
    assert 'data-testid="evidence-signature"' in evidence and 'src="data:image/png;base64,' in evidence
    assert "周丽" in evidence  # who signed
    assert f"/jobs/{job.id}/photos/" in evidence and "size=thumb" in evidence  # before/after pairs
    assert 'data-testid="evidence-checklist"' in evidence and "✓" in evidence
    assert 'data-testid="evidence-quote"' in evidence and "¥" in evidence
    pdf = client.get(evidence.split('data-testid="evidence-pdf"')[0].rsplit('href="', 1)[1].split('"')[0])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_case_without_a_job_says_so(client, login):
    me = login("supervisor")
    page = Desk(client).page(make_case(me).id)
    assert "此投诉不针对具体工单。" in page and 'data-testid="evidence-pdf"' not in page


def test_the_customers_photos_are_served_to_staff_of_that_case_only(client, login):
    me = login("supervisor")
    case, other = make_case(me), make_case(me)
    processed = process_photo(jpeg())
    storage = get_storage()
    photo = CasePhoto(
        complaint_id=case.id,
        storage_key=storage.put(processed.image, "case-photos", ".jpg"),
        thumb_key=storage.put(processed.thumb, "case-thumbs", ".jpg"),
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.image),
        client_key="p1",
    )
    db.session.add(photo)
    db.session.commit()
    assert f"/complaints/{case.id}/photos/{photo.id}?size=thumb" in Desk(client).page(case.id)
    full = client.get(f"/complaints/{case.id}/photos/{photo.id}")
    assert full.status_code == 200 and full.data == processed.image and full.content_type == "image/jpeg"
    assert client.get(f"/complaints/{case.id}/photos/{photo.id}?size=thumb").data == processed.thumb
    assert client.get(f"/complaints/{other.id}/photos/{photo.id}").status_code == 404
    login("worker")
    assert client.get(f"/complaints/{case.id}/photos/{photo.id}").status_code == 403


def test_replies_notes_and_a_phone_answer_are_told_apart(client, login, told):
    me = login("supervisor")
    case = make_case(me, owner=me)
    desk = Desk(client)
    page = desk.page(case.id)
    note = {
        "reply-body": "客户下午三点后方便接电话",
        "reply-kind": "note",
        "reply-client_key": key_of(page, "reply"),
    }
    assert desk.post(f"/complaints/{case.id}/replies", note).status_code == 303
    assert desk.case(case.id).status == CaseStatus.NEW  # an internal note is not an answer
    page = desk.page(case.id)
    phone = {
        "reply-body": "已电话致歉，约定明天返工",
        "reply-kind": "phone",
        "reply-client_key": key_of(page, "reply"),
    }
    assert desk.post(f"/complaints/{case.id}/replies", phone).status_code == 303
    assert desk.case(case.id).status == CaseStatus.RESPONDED and desk.case(case.id).first_response_at
    page = desk.page(case.id)
    visible = {
        "reply-body": "非常抱歉，明早九点上门",
        "reply-kind": "customer",
        "reply-client_key": key_of(page, "reply"),
    }
    assert desk.post(f"/complaints/{case.id}/replies", visible).status_code == 303
    assert desk.post(f"/complaints/{case.id}/replies", visible).status_code == 303  # a double tap
    assert db.session.scalar(select(func.count(CaseReply.id))) == 3
    page = desk.page(case.id)
    thread = page[page.index('data-testid="thread"') :]
    assert thread.count('class="msg msg-note"') == 2 and thread.count('class="msg msg-staff"') == 1
    assert "内部备注" in thread and "回复客户" in thread and "clock-done" in page
    assert [name for name, _ in told].count("reply_posted") == 3


def test_an_empty_reply_is_refused_and_nothing_is_saved(client, login):
    me = login("supervisor")
    case = make_case(me)
    desk = Desk(client)
    response = desk.post(f"/complaints/{case.id}/replies", {"reply-body": " ", "reply-kind": "customer"})
    assert response.status_code == 422 and "请填写内容。" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CaseReply.id))) == 0


def test_the_owner_is_changed_to_staff_only_and_told(client, login, told):
    me = login("supervisor")
    case = make_case(me, owner=me)
    admin = make_user("admin")
    desk = Desk(client)
    told.clear()
    assert desk.post(f"/complaints/{case.id}/owner", {"owner-owner": admin.id}).status_code == 303
    assert desk.case(case.id).owner_id == admin.id and told == [("case_assigned", case.id)]
    worker = make_user("worker")
    response = desk.post(f"/complaints/{case.id}/owner", {"owner-owner": worker.id})
    assert response.status_code == 409 and "负责人必须是督导或管理员。" in response.get_data(as_text=True)
    assert desk.case(case.id).owner_id == admin.id
    assert desk.post(f"/complaints/{case.id}/owner", {"owner-owner": 0}).status_code == 409


def test_the_flow_with_a_pause_a_resolution_with_attribution_and_a_reopening(client, login, told):
    me = login("supervisor")
    worker = make_user("worker")
    job = make_job(worker, state="cleaning", photos=False)
    case = make_case(me, job=job, owner=me)
    cases.reply(case, me, "收到，马上处理", "r1")
    desk = Desk(client)
    act = f"/complaints/{case.id}/actions/"
    page = desk.page(case.id)
    assert 'data-testid="act-investigate"' in page and 'data-testid="act-close"' not in page
    assert desk.post(act + "investigate").status_code == 303
    assert desk.post(act + "investigate").status_code == 303  # a repeat tap changes nothing
    response = desk.post(act + "pause", {"pause-reason": ""})
    assert response.status_code == 422 and "请说明原因。" in response.get_data(as_text=True)
    assert desk.post(act + "pause", {"pause-reason": "客户出差，下周才能入户"}).status_code == 303
    page = desk.page(case.id)
    assert "clock-paused" in page and "客户出差，下周才能入户" in page and 'data-testid="act-resume"' in page
    assert desk.post(act + "resume").status_code == 303
    page = desk.page(case.id)
    assert f'<option value="{worker.id}">{worker.display_name}（本单服务人员）</option>' in page
    response = desk.post(act + "resolve", {"resolve-root_cause": "", "resolve-worker": worker.id})
    assert response.status_code == 409 and "请先填写根本原因，再办结此投诉。" in response.get_data(
        as_text=True
    )
    assert desk.case(case.id).status == CaseStatus.INVESTIGATING
    response = desk.post(
        act + "resolve", {"resolve-root_cause": "玻璃清洁剂用错", "resolve-worker": worker.id}
    )
    assert response.status_code == 303
    resolved = desk.case(case.id)
    assert resolved.status == CaseStatus.RESOLVED and resolved.responsible_worker_id == worker.id
    page = desk.page(case.id)
    assert 'data-testid="attribution"' in page and "玻璃清洁剂用错" in page
    assert desk.post(act + "reopen", {"reopen-reason": "客户说还有印子"}).status_code == 303
    assert desk.case(case.id).status == CaseStatus.INVESTIGATING and desk.case(case.id).reopen_count == 1
    timeline = desk.page(case.id).split('data-testid="timeline"')[1]
    for label in ("收到投诉", "已首次响应", "开始调查", "办结时限暂停", "办结时限恢复", "已办结", "重新打开"):
        assert label in timeline, label
    assert me.display_name in timeline and "客户说还有印子" in timeline and "玻璃清洁剂用错" in timeline
    assert [n for n, _ in told if n == "status_changed"] == [
        "status_changed"
    ] * 3  # investigate, resolve, reopen


def test_resolving_without_a_root_cause_is_refused_in_english_too(client, login):
    me = login(make_user("supervisor", locale="en"))
    case = make_case(me)
    cases.reply(case, me, "on it", "r1")
    response = Desk(client).post(f"/complaints/{case.id}/actions/resolve", {"resolve-root_cause": " "})
    assert response.status_code == 409
    assert "Please write the root cause before resolving the case." in response.get_data(as_text=True)


def test_closing_when_the_customer_confirms_and_unknown_steps(client, login):
    me = login("supervisor")
    case = make_case(me)
    desk = Desk(client)
    response = desk.post(f"/complaints/{case.id}/actions/close")
    assert response.status_code == 409 and "投诉目前所处的阶段不能进行此操作。" in response.get_data(
        as_text=True
    )
    cases.reply(case, me, "已处理", "r1")
    cases.act(case, CaseAction.RESOLVE, me, root_cause="沟通不足")
    assert desk.post(f"/complaints/{case.id}/actions/close").status_code == 303
    closed = desk.case(case.id)
    assert closed.status == CaseStatus.CLOSED and not closed.closed_by_customer
    assert "无需再处理" not in desk.page(case.id)  # a closed case can still be reopened
    assert desk.post(f"/complaints/{case.id}/actions/respond").status_code == 404
    assert desk.post(f"/complaints/{case.id}/actions/explode").status_code == 404
    assert desk.post("/complaints/999999/actions/investigate").status_code == 404


def test_opening_a_case_with_an_owner_tells_them(app, told):
    me = make_user("supervisor")
    case = make_case(me, owner=me)
    assert told == [("case_opened", case.id)]
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "complaint.assign")) == 1


def test_a_customer_of_another_case_cannot_be_mixed_up(client, login):
    """The case page names its own customer, never another one's (a sanity check of the header)."""
    me = login("supervisor")
    case = make_case(me, customer=make_customer(name="周先生"))
    make_case(me, customer=make_customer(name="吴女士"))
    page = Desk(client).page(case.id)
    assert "周先生" in page and "吴女士" not in page


def test_ids_past_what_a_table_holds_are_not_found_not_a_500(client, login):
    me = login("supervisor")
    case = make_case(me)
    huge = "99999999999999999999"
    desk = Desk(client)
    assert client.get(f"/complaints/{huge}").status_code == 404
    assert client.get(f"/complaints/{case.id}/photos/{huge}").status_code == 404
    assert desk.post(f"/complaints/{huge}/replies", {"reply-body": "x"}).status_code == 404
    assert desk.post(f"/complaints/{case.id}/remedies/{huge}/done").status_code == 404
    assert desk.post(f"/complaints/{case.id}/owner", {"owner-owner": huge}).status_code == 409
    assert client.get(f"/complaints/new?customer={huge}").status_code == 200  # back to choosing
