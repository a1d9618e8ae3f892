"""Rating the service on the customer's own link: the page invites it, scores are checked, a rating
is changeable for three days, a low one opens a case, and a phone of the company's cannot rate."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Complaint, CustomerLink, Rating, utcnow
from tests.builders import PASSWORD
from tests.conftest import csrf_token, post_form
from tests.jobs.helpers import hand_to_customer
from tests.public.helpers import CustomerPhone, linked_job


def _count(model):
    return db.session.scalar(select(func.count(model.id)))


def _rating():
    db.session.expire_all()
    return db.session.scalar(select(Rating))


def test_the_record_page_invites_a_rating_and_a_problem_report(app):
    _job, path = linked_job()
    page = CustomerPhone(app, path).page
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "这次服务怎么样？" in body and 'data-testid="rating-form"' in body
    assert 'name="overall" value="5"' in body and 'name="recommend" value="10"' in body
    for aspect in ("quality", "punctuality", "attitude", "price"):
        assert f'name="{aspect}" value="1"' in body
    assert "反映问题" in body and 'enctype="multipart/form-data"' in body
    assert 'data-testid="own-phone-only"' not in body


def test_a_rating_is_saved_and_shown_with_a_way_to_change_it(app):
    job, path = linked_job()
    phone = CustomerPhone(app, path)
    answer = phone.rate(
        overall=5, quality=5, punctuality=4, attitude=5, price=4, recommend=9, comment="阿姨很细心"
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#rating")
    rating = _rating()
    assert (rating.job_id, rating.worker_id) == (job.id, job.worker_id)
    assert (rating.overall, rating.quality, rating.punctuality, rating.attitude, rating.price) == (
        5,
        5,
        4,
        5,
        4,
    )
    assert rating.recommend == 9 and rating.comment == "阿姨很细心" and rating.complaint_id is None
    shown = phone.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "感谢您的评价" in shown and "您的评价" in shown and "修改我的评价" in shown
    assert "登记投诉" not in shown and "感谢您的评价" not in phone.open().get_data(as_text=True)  # said once
    assert "阿姨很细心" in shown and 'value="4" checked' in shown  # the form is filled in to change
    changed = phone.rate(overall=4, quality=4, comment="阿姨很细心")
    assert changed.status_code == 303
    rating = _rating()
    assert (rating.overall, rating.quality, rating.recommend) == (4, 4, None) and _count(Rating) == 1


def test_a_low_rating_opens_a_case_the_customer_sees(app):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    answer = phone.rate(overall=2, quality=1, comment="卫生间还是很脏")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#rating")
    case = db.session.scalar(select(Complaint))
    assert case.channel == "survey" and case.category == "cleaning_quality"
    shown = phone.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"我们已为您登记投诉 {case.number}" in shown
    assert 'data-testid="case"' in shown and "根据您的评价创建" in shown and "已收到" in shown
    assert phone.rate(overall=2, quality=1, comment="卫生间还是很脏").status_code == 303  # a double tap
    assert _count(Complaint) == 1


@pytest.mark.parametrize(
    "scores",
    [
        {"overall": 9},
        {"overall": "abc"},
        {"overall": 0},
        {"overall": "4.5"},
        {},  # no overall score
        {"overall": 4, "quality": 6},
        {"overall": 4, "attitude": "x"},
        {"overall": 4, "recommend": 11},
        {"overall": 4, "recommend": -1},
    ],
)
def test_a_score_out_of_range_is_refused_with_a_message_and_nothing_saved(app, scores):
    _job, path = linked_job()
    answer = CustomerPhone(app, path).rate(**scores)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "请从给出的分数中选择" in body and 'data-testid="rating-errors"' in body
    assert _count(Rating) == 0 and _count(Complaint) == 0


def test_a_comment_too_long_is_refused(app):
    _job, path = linked_job()
    answer = CustomerPhone(app, path).rate(overall=5, comment="好" * 2001)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "2000" in body
    assert 'name="overall" value="5" checked' in body  # what was chosen stays chosen
    assert _count(Rating) == 0


def test_a_refused_problem_report_keeps_the_rating_shown(app):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    assert phone.rate(overall=4, quality=3).status_code == 303
    refused = phone.report(category="")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择问题的类型" in body
    assert 'name="overall" value="4" checked' in body and 'name="quality" value="3" checked' in body


def test_a_rating_is_locked_three_days_after_it_was_given(app):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    assert phone.rate(overall=4).status_code == 303
    rating = _rating()
    rating.rated_at = utcnow() - timedelta(days=3, minutes=1)
    db.session.commit()
    page = phone.open().get_data(as_text=True)
    assert 'data-testid="rating-locked"' in page and 'data-testid="rating-form"' not in page
    answer = phone.rate(overall=1, comment="其实很差")
    assert answer.status_code == 422 and "评价只能在3天内修改" in answer.get_data(as_text=True)
    assert _rating().overall == 4 and _count(Complaint) == 0


@pytest.mark.parametrize("state", ["expired", "withdrawn"])
def test_an_expired_or_withdrawn_link_takes_nothing(app, state):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    link = db.session.scalar(select(CustomerLink))
    if state == "expired":
        link.expires_at = utcnow() - timedelta(minutes=1)
    else:
        link.revoked_at = utcnow()
    db.session.commit()
    answer = phone.rate(overall=1, comment="很差")
    assert answer.status_code == 410 and 'data-testid="link-error"' in answer.get_data(as_text=True)
    assert phone.report().status_code == 410
    assert _count(Rating) == 0 and _count(Complaint) == 0


def test_a_tampered_token_is_not_found(app):
    _job, path = linked_job()
    phone = CustomerPhone(app, path)
    phone.path = path[:-2] + ("xy" if not path.endswith("xy") else "zz")
    answer = phone.rate(overall=1, comment="很差")
    assert answer.status_code == 404 and "链接无效" in answer.get_data(as_text=True)
    assert _count(Rating) == 0


def _refused_on_this_phone(phone):
    """The record shows, the forms do not, and every form post is refused with the same sentence."""
    page = phone.open().get_data(as_text=True)
    assert 'data-testid="own-phone-only"' in page and "请用您自己的手机" in page
    assert 'data-testid="rating-form"' not in page and 'data-testid="problem-form"' not in page
    for answer in (phone.rate(overall=5, recommend=10), phone.report()):
        assert answer.status_code == 403 and "这是我们员工的手机" in answer.get_data(as_text=True)
    assert _count(Rating) == 0 and _count(Complaint) == 0


def test_a_browser_logged_in_as_staff_cannot_rate_or_report(app, client, login):
    _job, path = linked_job()
    login("supervisor")
    phone = CustomerPhone(app, path)
    phone.client = client  # the supervisor's browser
    phone.token = csrf_token(client, path)
    _refused_on_this_phone(phone)


def test_the_workers_phone_cannot_rate_even_in_customer_mode_or_after_logging_out(app, client, login):
    worker = login("worker")
    _job, path = linked_job(worker)
    from tests.builders import make_job

    other = make_job(worker, state="awaiting_signature", photos=False)
    assert hand_to_customer(client, other.id).status_code == 303  # the customer holds the phone
    phone = CustomerPhone(app, path)
    phone.client, phone.token = client, csrf_token(client, path)
    _refused_on_this_phone(phone)
    worker_phone = app.test_client()
    assert (
        post_form(worker_phone, "/login", {"username": worker.username, "password": PASSWORD}).status_code
        == 303
    )
    assert worker_phone.post("/logout", data={"csrf_token": csrf_token(worker_phone, "/")}).status_code == 303
    phone.client, phone.token = (
        worker_phone,
        csrf_token(worker_phone, path),
    )  # logged out, still the company's
    _refused_on_this_phone(phone)


def test_the_page_speaks_the_records_language_until_the_customer_chooses(app):
    _job, path = linked_job(lang="en")
    phone = CustomerPhone(app, path)
    body = phone.page.get_data(as_text=True)
    assert "How did we do?" in body and 'lang="en"' in body
    chosen = phone.client.post("/language", data={"csrf_token": phone.token, "lang": "zh_CN", "next": path})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith(path)
    assert "这次服务怎么样？" in phone.open().get_data(as_text=True)
    refused = phone.rate(overall=9)
    assert "请从给出的分数中选择" in refused.get_data(as_text=True)


def test_the_link_from_a_real_signing_takes_a_rating(app, client, login):
    from tests.records.test_sign_flow import _ready, _sign

    phone = _ready(client, login)
    assert _sign(phone).status_code == 303
    signed = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    assert "用您自己的手机扫码，随时可以评价服务或反映问题" in signed
    url = re.search(r'data-testid="customer-link">([^<]+)<', signed).group(1)
    customer = CustomerPhone(app, url[url.index("/r/") :])
    assert "下载PDF" in customer.page.get_data(as_text=True)
    assert customer.rate(overall=5, recommend=10).status_code == 303
    assert _rating().job_id == phone.job_id
