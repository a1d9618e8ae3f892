"""Customer mode: the phone in the customer's hands shows only that job's review, signature and thanks."""

import io
import re

import pytest
from sqlalchemy import func, select

from hk.extensions import db
from hk.models import Event, LoginSession, Role, SignOff
from hk.sign.customer_mode import MAX_HANDBACK_FAILURES
from tests.auth.test_access import ACCESS, POST_ONLY, _subjects
from tests.builders import PASSWORD, make_customer, make_job, make_user
from tests.conftest import csrf_token, post_form
from tests.jobs.helpers import Phone, hand_to_customer, jpeg
from tests.records.test_sign_flow import _sign

HANDED_OVER = "客户正在使用手机"
DOOR_CODE = "门禁密码 6021#"


def _handed_over(client, login, remember=False):
    """A worker with two jobs: one ready for the customer and handed over, another with a door code."""
    if remember:
        worker = make_user("worker")
        data = {"username": worker.username, "password": PASSWORD, "remember": "y"}
        assert post_form(client, "/login", data).status_code == 303
    else:
        worker = login("worker")
    other = make_job(worker, customer=make_customer(access_notes=DOOR_CODE, address="上海市静安区别家路9号"))
    phone = Phone(client, make_job(worker, state="awaiting_signature"))
    assert phone.hand_to_customer().status_code == 303
    return worker, phone, other


def _events(action: str) -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def test_the_status_page_hands_over_and_the_customer_screens_have_no_way_out(client, login):
    worker = login("worker")
    job = make_job(worker, state="awaiting_signature")
    status = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f'action="/jobs/{job.id}/customer-mode"' in status  # a button, not a link into the review
    assert client.get(f"/jobs/{job.id}/review").status_code == 303  # not handed over: back to the job
    response = hand_to_customer(client, job.id)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/jobs/{job.id}/review")
    review = client.get(f"/jobs/{job.id}/review").get_data(as_text=True)
    assert "请核对并签字" in review
    hrefs = set(re.findall(r'href="([^"]+)"', review)) | set(re.findall(r'action="([^"]+)"', review))
    allowed = re.compile(
        rf"^(/static/|/jobs/{job.id}/(review|sign|refuse|photos/)|/customer-mode/(hand-back|language)$)"
    )
    assert hrefs and all(allowed.match(h) for h in hrefs), sorted(h for h in hrefs if not allowed.match(h))
    assert "/logout" not in review and 'href="/today"' not in review and 'href="/"' not in review
    assert _events("customer_mode.start") == 1


@pytest.mark.parametrize(
    "endpoint", sorted(e for e, (_p, roles, _s) in ACCESS.items() if Role.WORKER in roles)
)
def test_every_worker_page_is_refused_while_the_customer_holds_the_phone(client, login, endpoint):
    worker, phone, other = _handed_over(client, login)
    ids = _subjects(worker)  # another job of the same worker, with a photo and an incident
    path = ACCESS[endpoint][0].format(**ids)
    response = client.get(path)
    if endpoint == "sign.hand_back_phone":
        assert response.status_code == 200  # the way back is always there
        return
    body = response.get_data(as_text=True)
    assert response.status_code == 403, (path, response.status_code)
    assert HANDED_OVER in body and DOOR_CODE not in body and other.customer.address not in body
    assert f"/jobs/{phone.job_id}/review" in body  # back to the customer's screen


@pytest.mark.parametrize(
    "endpoint",
    sorted(
        e
        for e, (_p, roles) in POST_ONLY.items()
        if Role.WORKER in roles and e not in ("sign.hand_to_customer", "sign.set_customer_language")
    ),
)
def test_every_worker_action_is_refused_and_changes_nothing(client, login, endpoint):
    worker, phone, _other = _handed_over(client, login)
    ids = _subjects(worker)
    before = db.session.scalar(select(func.count(Event.id)))
    token = csrf_token(client, f"/jobs/{phone.job_id}/review")
    response = client.post(POST_ONLY[endpoint][0].format(**ids), data={"csrf_token": token})
    assert response.status_code == 403 and HANDED_OVER in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Event.id))) == before
    assert client.get(f"/jobs/{phone.job_id}/review").status_code == 200  # still logged in, still handed over


def test_only_this_jobs_photos_are_shown(client, login):
    worker, phone, _other = _handed_over(client, login)
    ids = _subjects(worker)
    assert client.get(f"/jobs/{ids['job']}/photos/{ids['photo']}").status_code == 403
    # the handed-over job's own photos are part of the review
    review = client.get(f"/jobs/{phone.job_id}/review").get_data(as_text=True)
    photo = re.search(rf"/jobs/{phone.job_id}/photos/\d+", review).group(0)
    assert client.get(photo).status_code == 200


def test_the_mode_is_kept_on_the_server_not_in_the_browser(app, client, login):
    """A browser that lost its session cookie but kept "remember me" is still handed over."""
    _worker, phone, _other = _handed_over(client, login, remember=True)
    client.delete_cookie("hk_session")  # the remember cookie logs the phone back in, into the same login
    assert client.get("/today").status_code == 403
    assert client.get(f"/jobs/{phone.job_id}/review").status_code == 200


def test_taking_the_phone_back_needs_the_workers_password(client, login):
    _worker, phone, _other = _handed_over(client, login)
    page = client.get("/customer-mode/hand-back")
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.get_data(as_text=True)
    token = csrf_token(client, "/customer-mode/hand-back")
    wrong = client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": "not-it"})
    assert wrong.status_code == 401 and f"还可以再试 {MAX_HANDBACK_FAILURES - 1} 次" in wrong.get_data(
        as_text=True
    )
    assert client.get("/today").status_code == 403
    empty = client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": ""})
    assert empty.status_code == 422 and "请输入您的密码" in empty.get_data(as_text=True)
    right = client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": PASSWORD})
    assert right.status_code == 303 and right.headers["Location"].endswith(f"/jobs/{phone.job_id}")
    assert client.get("/today").status_code == 200
    assert client.get(f"/jobs/{phone.job_id}/review").status_code == 303  # the review needs a new hand-over
    assert _events("customer_mode.end") == 1
    again = client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": PASSWORD})
    assert again.status_code == 303 and _events("customer_mode.end") == 1  # a second tap: nothing more


def test_too_many_wrong_passwords_log_the_phone_out(client, login):
    _worker, _phone, _other = _handed_over(client, login)
    token = csrf_token(client, "/customer-mode/hand-back")
    for _ in range(MAX_HANDBACK_FAILURES - 1):
        client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": "guess"})
    last = client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": "guess"})
    assert last.status_code == 303 and last.headers["Location"].endswith("/login")
    assert "此手机已退出登录" in client.get("/login").get_data(as_text=True)
    assert client.get("/today").status_code == 302  # to the login page: the login on this phone is over
    db.session.expire_all()
    assert db.session.scalar(select(LoginSession).order_by(LoginSession.id.desc())).ended_at is not None
    assert _events("customer_mode.logged_out") == 1


def test_signing_needs_the_phone_handed_over(client, login):
    worker = login("worker")
    phone = Phone(client, make_job(worker, state="awaiting_signature"))
    refused = phone.post("/refuse", {"reason": "不满意"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/jobs/{phone.job_id}")
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_the_thanks_page_leads_back_only_through_the_password(client, login):
    _worker, phone, _other = _handed_over(client, login)
    assert _sign(phone).status_code == 303
    thanks = client.get(f"/jobs/{phone.job_id}/signed").get_data(as_text=True)
    assert "/customer-mode/hand-back" in thanks and 'href="/today"' not in thanks
    assert client.get("/today").status_code == 403  # signed, but still in the customer's hands
    token = csrf_token(client, "/customer-mode/hand-back")
    right = client.post("/customer-mode/hand-back", data={"csrf_token": token, "password": PASSWORD})
    assert right.headers["Location"].endswith("/")  # the job is done: home to the next one


def test_a_job_not_ready_for_signing_is_not_handed_over(client, login):
    worker = login("worker")
    job = make_job(worker, state="checked_in")
    response = hand_to_customer(client, job.id)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert client.get("/today").status_code == 200


def test_another_workers_job_cannot_be_handed_over(client, login):
    login("worker")
    job = make_job(make_user("worker"), state="awaiting_signature")
    assert hand_to_customer(client, job.id, csrf_token(client, "/today")).status_code in (403, 404)
    assert client.get("/today").status_code == 200


def test_a_photo_upload_is_refused_with_a_message_in_customer_mode(client, login):
    _worker, phone, _other = _handed_over(client, login)
    response = client.post(
        f"/jobs/{phone.job_id}/photos",
        data={"csrf_token": phone.token, "stage": "pre_service", "photo": (io.BytesIO(jpeg()), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403 and HANDED_OVER in response.get_data(as_text=True)


def test_the_phone_taken_back_offline_is_recorded_with_the_secret_the_password_unwrapped(client):
    """At login the phone sends SHA-256 of a secret it keeps wrapped under the password; the outbox
    later sends the secret itself. Without it (the customer holding the phone) nothing ends."""
    import hashlib

    secret = "a1" * 32
    worker = make_user("worker")
    check = hashlib.sha256(secret.encode()).hexdigest()
    data = {"username": worker.username, "password": PASSWORD, "handback_check": check}
    assert post_form(client, "/login", data).status_code == 303
    assert db.session.scalar(select(LoginSession.handback_check)) == check
    phone = Phone(client, make_job(worker, state="awaiting_signature"))
    assert phone.hand_to_customer().status_code == 303
    token = csrf_token(client, "/customer-mode/hand-back")
    outbox = {"X-Requested-With": "hk-outbox"}
    forged = client.post(
        "/customer-mode/hand-back", data={"csrf_token": token, "secret": "b2" * 32}, headers=outbox
    )
    assert forged.status_code == 401 and client.get("/today").status_code == 403
    assert db.session.scalar(select(LoginSession.handback_failures)) == 1
    right = client.post(
        "/customer-mode/hand-back", data={"csrf_token": token, "secret": secret}, headers=outbox
    )
    assert right.status_code == 303 and client.get("/today").status_code == 200
    ended = db.session.scalar(select(Event).where(Event.action == "customer_mode.end"))
    assert ended.data == {"offline": True}


def test_a_login_without_a_phone_secret_cannot_be_taken_back_offline(client, login):
    _worker, _phone, _other = _handed_over(client, login)
    assert db.session.scalar(select(LoginSession.handback_check)) is None
    token = csrf_token(client, "/customer-mode/hand-back")
    sent = client.post("/customer-mode/hand-back", data={"csrf_token": token, "secret": "a1" * 32})
    assert sent.status_code == 401 and client.get("/today").status_code == 403
