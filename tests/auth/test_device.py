"""The phone's id (the `hk_device` cookie) is given once, by the first page, never by job requests
fetched several at once: each of those would make its own, and the phone would be told its job is
"open on another phone"."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.builders import PASSWORD, make_job, make_user
from tests.conftest import csrf_token, post_form

pytestmark = pytest.mark.xdist_group("alone")


def _device_cookies(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("hk_device=")]


def test_the_login_page_gives_the_phone_its_id_and_files_do_not(app):
    phone = app.test_client()
    assert _device_cookies(phone.get("/static/css/app.css")) == []
    assert _device_cookies(phone.get("/sw.js")) == []
    assert _device_cookies(phone.get("/r/not-a-link")) == []  # a customer's record link is not a phone
    given = _device_cookies(phone.get("/login"))
    assert len(given) == 1 and "HttpOnly" in given[0] and "Max-Age=34560000" in given[0]
    first = phone.get_cookie("hk_device").value
    worker = make_user("worker")
    assert post_form(phone, "/login", {"username": worker.username, "password": PASSWORD}).status_code == 303
    assert phone.get_cookie("hk_device").value == first  # logging in keeps it
    assert _device_cookies(phone.get("/today")) == []


def test_job_screens_fetched_at_once_after_login_keep_one_id_and_the_phone_keeps_its_job(app):
    worker = make_user("worker")
    job = make_job(worker)
    phone = app.test_client()
    assert post_form(phone, "/login", {"username": worker.username, "password": PASSWORD}).status_code == 303
    token = csrf_token(phone, "/today")
    stage = job.stages[0]["code"]
    base = f"/jobs/{job.id}"
    urls = [base, f"{base}/stages/{stage}", f"{base}/incidents/new", base]
    # The service worker keeps today's screens (several fetches at once) while the worker checks in.
    barrier = threading.Barrier(len(urls) + 1)

    def fetch(url):
        twin = app.test_client()
        twin.set_cookie("hk_session", phone.get_cookie("hk_session").value)
        device = phone.get_cookie("hk_device")
        if device is not None:
            twin.set_cookie("hk_device", device.value)
        barrier.wait()
        return twin.get(url)

    def check_in():
        barrier.wait()
        return phone.post(f"/jobs/{job.id}/check-in", data={"csrf_token": token})

    with ThreadPoolExecutor(len(urls) + 1) as pool:
        fetched = [pool.submit(fetch, url) for url in urls]
        checked = pool.submit(check_in).result()
        answers = [f.result() for f in fetched]
    assert checked.status_code == 303
    assert [a.status_code for a in answers if a.status_code not in (200, 302, 303)] == []
    assert [c for a in answers for c in _device_cookies(a)] == []  # nobody made a second id
    item = next(i for i in job.stages[0]["items"] if not i["photo_required"])
    tick = phone.post(
        f"/jobs/{job.id}/stages/{stage}/items/{item['code']}",
        data={"csrf_token": token, "answer": "done"},
        headers={"HX-Request": "true"},
    )
    assert tick.status_code == 200  # not "open on another phone"
