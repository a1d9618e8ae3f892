"""Reporting a problem on the customer's own link, with photos; their cases with the company's
replies (never internal notes, never a staff name); writing, confirming and reopening; and nothing of
another job's cases through this link."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from hk.aftersales import cases
from hk.domain.complaints import CaseAction, CaseStatus
from hk.extensions import db
from hk.models import CasePhoto, CaseReply, Complaint
from hk.storage import get_storage
from tests.builders import make_user
from tests.jobs.helpers import jpeg
from tests.public.helpers import CustomerPhone, linked_job


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def _case():
    db.session.expire_all()
    return db.session.scalar(select(Complaint))


def _photo(data: bytes, name="photo.jpg"):
    return (io.BytesIO(data), name)


def _reported(app, **kwargs):
    job, path = linked_job()
    phone = CustomerPhone(app, path)
    answer = phone.report(**kwargs)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    phone.said = phone.client.get(answer.headers["Location"]).get_data(as_text=True)
    return job, phone, _case()


def test_a_problem_with_photos_becomes_a_case_the_customer_sees(app):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # metadata that must not be kept
    job, phone, case = _reported(
        app,
        category="damage_or_loss",
        description="客厅花瓶碎了",
        photos=[_photo(jpeg(exif=exif.tobytes())), _photo(jpeg(1200, 900))],
    )
    assert (case.job_id, case.customer_id, case.channel, case.category) == (
        job.id,
        job.customer_id,
        "online",
        "damage_or_loss",
    )
    assert case.description == "客厅花瓶碎了" and case.created_by_id is None and case.status == CaseStatus.NEW
    assert len(case.photos) == 2
    kept = get_storage().get(case.photos[0].storage_key)
    assert kept.startswith(b"\xff\xd8") and b"PhoneMaker" not in kept  # re-encoded, no metadata
    page = phone.said
    assert f"我们已收到您的投诉（编号 {case.number}）" in page and "物品损坏或丢失" in page
    assert "客厅花瓶碎了" in page and page.count('data-testid="case-photo"') == 2
    photo = case.photos[0]
    full = phone.open(f"/cases/{case.id}/photos/{photo.id}")
    thumb = phone.open(f"/cases/{case.id}/photos/{photo.id}?size=thumb")
    assert full.status_code == 200 and full.data == kept and full.headers["Content-Type"] == "image/jpeg"
    assert thumb.status_code == 200 and thumb.data == get_storage().get(photo.thumb_key)


def test_a_double_tap_makes_one_case_with_its_photos_once(app):
    _job, phone, case = _reported(app, photos=[_photo(jpeg())], client_key="tap")
    again = phone.report(photos=[_photo(jpeg())], client_key="tap")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"#case-{case.id}")
    assert _count(Complaint) == 1 and _count(CasePhoto) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "", "description": "x"}, "请选择问题的类型"),
        ({"category": "refund_me", "description": "x"}, "请选择问题的类型"),
        ({"description": "   "}, "请告诉我们发生了什么"),
        ({"description": "脏" * 4001}, "4000"),
        ({"photos": [_photo(jpeg()) for _ in range(4)]}, "最多只能发送3张照片"),
    ],
)
def test_a_problem_report_is_refused_with_a_message_and_nothing_saved(app, data, message):
    _job, path = linked_job()
    answer = CustomerPhone(app, path).report(**data)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert message in body and 'data-testid="problem-errors"' in body
    assert _count(Complaint) == 0 and _count(CasePhoto) == 0


def test_a_file_that_is_not_a_photo_is_refused_and_the_text_is_kept(app):
    _job, path = linked_job()
    answer = CustomerPhone(app, path).report(
        category="attitude",
        description="服务人员说话很不客气",
        photos=[_photo(jpeg()), _photo(b"%PDF-1.7 not a picture", "bill.pdf")],
    )
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "第2张照片：这不是照片" in body and "请重新选择照片" in body
    assert "服务人员说话很不客气" in body and 'value="attitude" checked' in body
    assert 'details class="unfold" open' in body  # the form stays open with what was typed
    assert _count(Complaint) == 0 and _count(CasePhoto) == 0


def test_the_company_answers_and_internal_notes_and_names_never_show(app):
    _job, phone, case = _reported(app)
    supervisor = make_user("supervisor")
    supervisor.display_name = "督导王芳"
    db.session.commit()
    cases.reply(case, supervisor, "内部：客户上次也投诉过，注意语气", "note", internal=True)
    cases.reply(case, supervisor, "您好，我们明天上午派人返工。", "answer")
    page = phone.open().get_data(as_text=True)
    assert "您好，我们明天上午派人返工。" in page and "客服" in page and "已答复" in page
    assert "内部" not in page and "注意语气" not in page
    assert "督导王芳" not in page and supervisor.username not in page


def test_the_customer_writes_on_their_case_once_per_tap(app):
    _job, phone, case = _reported(app)
    data = {"body": "明天上午我在家", "client_key": "m1"}
    answer = phone.post(f"/cases/{case.id}/reply", data)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"#case-{case.id}")
    assert phone.post(f"/cases/{case.id}/reply", data).status_code == 303  # a double tap
    messages = db.session.scalars(select(CaseReply).where(CaseReply.complaint_id == case.id)).all()
    assert [(m.body, m.author_id, m.internal) for m in messages] == [("明天上午我在家", None, False)]
    assert "明天上午我在家" in phone.open().get_data(as_text=True)
    empty = phone.post(f"/cases/{case.id}/reply", {"body": " ", "client_key": "m2"})
    assert empty.status_code == 422 and "请写下您的留言" in empty.get_data(as_text=True)
    assert _count(CaseReply) == 1


def _resolved(case):
    supervisor = make_user("supervisor")
    cases.reply(case, supervisor, "已安排返工", "r1")
    cases.act(case, CaseAction.RESOLVE, supervisor, root_cause="漏擦卫生间镜面")
    return case


def test_a_resolved_case_is_confirmed_by_the_customer(app):
    _job, phone, case = _reported(app)
    _resolved(case)
    page = phone.open().get_data(as_text=True)
    assert "我们认为已解决" in page and "是的，已经解决" in page and "没有，问题还在" in page
    answer = phone.post(f"/cases/{case.id}/confirm")
    assert answer.status_code == 303
    assert phone.post(f"/cases/{case.id}/confirm").status_code == 303  # a double tap changes nothing
    case = _case()
    assert case.status == CaseStatus.CLOSED and case.closed_by_customer
    page = phone.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "感谢您的确认，投诉已关闭" in page and "问题又出现了" in page
    closed = phone.post(f"/cases/{case.id}/reply", {"body": "又脏了", "client_key": "late"})
    assert closed.status_code == 422 and "该投诉已关闭" in closed.get_data(as_text=True)


def test_a_resolved_case_is_reopened_with_the_customers_reason(app):
    _job, phone, case = _reported(app)
    _resolved(case)
    nothing = phone.post(f"/cases/{case.id}/reopen", {"reason": "", "client_key": "o1"})
    assert nothing.status_code == 422 and "请说明原因" in nothing.get_data(as_text=True)
    assert _case().status == CaseStatus.RESOLVED
    data = {"reason": "镜面还是有水渍", "client_key": "o2"}
    assert phone.post(f"/cases/{case.id}/reopen", data).status_code == 303
    assert phone.post(f"/cases/{case.id}/reopen", data).status_code == 303  # a double tap
    case = _case()
    assert case.status == CaseStatus.INVESTIGATING and case.reopen_count == 1
    mine = [r.body for r in case.replies if r.author_id is None]
    assert mine == ["镜面还是有水渍"]
    page = phone.open().get_data(as_text=True)
    assert "镜面还是有水渍" in page and "正在调查" in page
    not_now = phone.post(f"/cases/{case.id}/confirm")
    assert not_now.status_code == 422 and _case().status == CaseStatus.INVESTIGATING


def test_a_case_of_another_job_is_not_found_through_this_link(app):
    _job, phone, case = _reported(app, photos=[_photo(jpeg())])
    _other_job, other_path = linked_job()
    stranger = CustomerPhone(app, other_path)
    assert "客厅" not in stranger.page.get_data(
        as_text=True
    ) and 'data-testid="cases"' not in stranger.page.get_data(as_text=True)
    photo = case.photos[0]
    for answer in (
        stranger.post(f"/cases/{case.id}/reply", {"body": "x", "client_key": "s"}),
        stranger.post(f"/cases/{case.id}/confirm"),
        stranger.post(f"/cases/{case.id}/reopen", {"reason": "x", "client_key": "s"}),
        stranger.open(f"/cases/{case.id}/photos/{photo.id}"),
        phone.open(f"/cases/{case.id}/photos/{photo.id + 999}"),
        phone.open(f"/cases/{case.id + 999}/photos/{photo.id}"),
    ):
        assert answer.status_code == 404 and "不属于您的这份服务记录" in answer.get_data(as_text=True)
    assert _count(CaseReply) == 0 and _case().status == CaseStatus.NEW


def test_a_staff_browser_sees_no_case_photo(app, client, login):
    _job, phone, case = _reported(app, photos=[_photo(jpeg())])
    login("supervisor")
    assert client.get(f"{phone.path}/cases/{case.id}/photos/{case.photos[0].id}").status_code == 403


def test_a_withdrawn_link_takes_nothing_on_a_case(app):
    from hk.models import CustomerLink, utcnow

    _job, phone, case = _reported(app, photos=[_photo(jpeg())])
    _resolved(case)
    photo_id = case.photos[0].id
    link = db.session.scalar(select(CustomerLink))
    link.revoked_at = utcnow()
    db.session.commit()
    for answer in (
        phone.post(f"/cases/{case.id}/reply", {"body": "x", "client_key": "w1"}),
        phone.post(f"/cases/{case.id}/confirm"),
        phone.post(f"/cases/{case.id}/reopen", {"reason": "x", "client_key": "w2"}),
        phone.open(f"/cases/{case.id}/photos/{photo_id}"),
    ):
        assert answer.status_code == 410 and "该链接已被撤回" in answer.get_data(as_text=True)
    assert _case().status == CaseStatus.RESOLVED and _count(CaseReply) == 1
