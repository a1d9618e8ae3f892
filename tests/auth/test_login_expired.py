"""A login that has ended, met by the phone's scripts (the outbox retrying a tick, htmx, the service
worker keeping screens): they are told 401 and the browser's session is left alone. A redirect to the
login page would give a new session on every retry, and the login form the worker is filling in
would then fail its CSRF check: "the form expired" for a worker typing the right password."""

from __future__ import annotations

import pytest

from tests.builders import PASSWORD, make_job, make_user
from tests.conftest import CSRF_RE, post_form

pytestmark = pytest.mark.xdist_group("alone")

OUTBOX = {"X-Requested-With": "hk-outbox", "HX-Request": "true", "Sec-Fetch-Mode": "cors"}


def _session_cookies(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("hk_session=")]


@pytest.fixture
def expired(app):
    """A worker whose login has ended, on the phone that did the job's check-in."""
    worker = make_user("worker")
    job = make_job(worker)
    phone = app.test_client()
    assert post_form(phone, "/login", {"username": worker.username, "password": PASSWORD}).status_code == 303
    phone.delete_cookie("hk_session")
    return phone, worker, job


def test_an_outbox_retry_while_the_worker_logs_in_again_does_not_spoil_the_login(expired):
    phone, worker, job = expired
    item = job.stages[1]["items"][0]["code"]
    form = phone.get("/login")
    token = CSRF_RE.search(form.get_data(as_text=True)).group(1)
    # The outbox sends what waits while the login page is on the screen.
    retry = phone.post(
        f"/jobs/{job.id}/stages/{job.stages[1]['code']}/items/{item}",
        data={"action": "done"},
        headers=OUTBOX,
    )
    assert retry.status_code == 401
    again = phone.get("/csrf-token", headers={"X-Requested-With": "hk-outbox", "Sec-Fetch-Mode": "cors"})
    assert again.status_code == 401  # its fresh token, asked for once the old one was refused
    login = {"csrf_token": token, "username": worker.username, "password": PASSWORD}
    answer = phone.post("/login", data=login)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Requested-With": "fetch"},  # the review's data, kept for signing without signal
        {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},  # the service worker keeping a screen
        {"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},  # a photo's thumbnail
    ],
)
def test_a_script_is_told_401_and_no_session_is_started(expired, headers):
    phone, _, job = expired
    response = phone.get(f"/jobs/{job.id}", headers=headers)
    assert response.status_code == 401
    assert _session_cookies(response) == []
    assert "text/html" not in response.content_type


def test_htmx_is_led_to_the_login_page_with_the_page_it_was_on(expired):
    phone, _, job = expired
    page = f"/jobs/{job.id}/stages/{job.stages[1]['code']}"
    response = phone.get(
        f"/jobs/{job.id}/incidents/new",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost{page}", "Sec-Fetch-Mode": "cors"},
    )
    assert response.status_code == 401
    assert _session_cookies(response) == []
    assert response.headers["HX-Redirect"] == f"/login?next={page.replace('/', '%2F')}"


def test_a_person_opening_a_page_is_sent_to_the_login_page_as_before(expired):
    phone, _, job = expired
    response = phone.get(f"/jobs/{job.id}", headers={"Sec-Fetch-Mode": "navigate"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fjobs%2F{job.id}"
    login = phone.get(response.headers["Location"])
    assert "请先登录" in login.get_data(as_text=True)
