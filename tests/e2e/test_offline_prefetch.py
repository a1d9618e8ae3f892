"""Today's screens are kept for a time without signal two at a time, never all at once: fetched all
together (a day's jobs, each with its every stage) they kept the worker's own tap waiting behind them
(the browser opens six connections to a server) and reached the server in one burst."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from hk.models import utcnow
from tests.builders import PASSWORD, make_job, make_user
from tests.e2e.conftest import PHONE, log_in


class Counting:
    """The service worker's fetches of job screens, each held 300 ms: how many were in flight at once."""

    def __init__(self, app):
        self.app, self.lock = app, threading.Lock()
        self.now = self.most = self.seen = 0
        self.flying, self.at_most, self.paths = [], [], []

    def __call__(self, environ, start_response):
        kept = (
            environ["REQUEST_METHOD"] == "GET"
            and environ["PATH_INFO"].startswith("/jobs/")
            and environ.get("HTTP_SEC_FETCH_DEST") == "empty"  # not a photo
            and environ.get("HTTP_SEC_FETCH_MODE") != "navigate"  # not the worker's tap
            and not environ["PATH_INFO"].endswith(".json")  # the review's data, asked by the page itself
        )
        if not kept:
            return self.app(environ, start_response)
        with self.lock:
            self.now += 1
            self.flying.append(environ["PATH_INFO"])
            self.paths.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
            if self.now > self.most:
                self.at_most = list(self.flying)
            self.most, self.seen = max(self.most, self.now), self.seen + 1
        try:
            time.sleep(0.3)
            return list(self.app(environ, start_response))
        finally:
            with self.lock:
                self.now -= 1
                self.flying.remove(environ["PATH_INFO"])


def _quiet(page, counting: Counting) -> None:
    """Wait until the service worker has asked for nothing for 1.5 s (at most 60 s)."""
    deadline, last, since = time.monotonic() + 60, -1, time.monotonic()
    while time.monotonic() < deadline and (counting.now or time.monotonic() - since < 1.5):
        if counting.seen != last:
            last, since = counting.seen, time.monotonic()
        page.wait_for_timeout(100)


@pytest.fixture
def counting_server(app):
    counting = Counting(app)
    server = make_server("127.0.0.1", 0, counting, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", counting
    server.shutdown()
    thread.join(timeout=5)


def test_todays_screens_are_kept_two_at_a_time_and_the_workers_tap_goes_first(app, counting_server, browser):
    base, counting = counting_server
    worker = make_user("worker")
    start = utcnow().replace(microsecond=0)
    jobs = [make_job(worker, start=start + timedelta(hours=n)) for n in range(4)]
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    page = context.new_page()
    try:
        log_in(page, base, worker.username, PASSWORD)
        page.wait_for_url(f"{base}/today")
        deadline = time.monotonic() + 60
        while counting.seen < 4 * len(jobs) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert counting.seen >= 4 * len(jobs), f"only {counting.seen} screens kept"
        # While the rest is still being kept, the worker opens a job: it is not queued behind them.
        page.get_by_test_id("open-job").first.click()
        expect(page.get_by_test_id("check-in")).to_be_visible()
        _quiet(page, counting)
        assert counting.most <= 2, f"{counting.most} screens fetched at once: {counting.at_most}"
        context.set_offline(True)
        for job in jobs:
            page.goto(f"{base}/jobs/{job.id}")
            expect(page.get_by_test_id("check-in")).to_be_visible()
    finally:
        context.close()


def test_a_job_screen_opened_again_asks_only_for_what_is_not_kept_yet(app, counting_server, browser):
    """Each job screen asks for the job's other screens; those kept already are not asked for again
    (they were: about 18 a page, tripling what a job cost the server)."""
    base, counting = counting_server
    worker = make_user("worker")
    job = make_job(worker, state="cleaning")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True)
    page = context.new_page()
    try:
        log_in(page, base, worker.username, PASSWORD)
        page.wait_for_url(f"{base}/today")
        page.goto(f"{base}/jobs/{job.id}")
        page.wait_for_url(re.compile(r"/stages/"))
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()  # under the service worker
        _quiet(page, counting)
        first = list(counting.paths)
        screens = [p for p in first if re.search(r"/(incidents/new|stages/|review/kept)", p)]
        assert len(screens) >= 10, first  # its steps, its incident forms and its review were kept
        for _ in range(2):
            page.reload()
            _quiet(page, counting)
        again = counting.paths[len(first) :]
        assert [p for p in again if re.search(r"/(incidents/new|stages/|review/kept)", p)] == []
    finally:
        context.close()
