"""What one cleaner's phone does in bench/load.py: a whole job, request by request, timed. Each request
goes to the server its run picks (at random among several, as a proxy in front of them would); the
two-server test (tests/test_two_servers.py) walks the same job alternating between two servers."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable

import httpx

from bench.load_servers import phone_photo, signature_url

PHOTOS_PER_JOB, READY_LIMIT_S = 7, 180
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EVERY = re.compile(r'hx-trigger="every (\d+(?:\.\d+)?)s"')
SHOWN = re.compile(r'name="shown_hash"[^>]*value="([^"]*)"')
HX = {"HX-Request": "true"}
KINDS = ("login", "page", "form", "tick", "photo", "complete", "sign", "poll", "baseline")


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


class Abort(Exception):
    """A cleaner cannot go on with the job."""


def at_random(bases: list[str]) -> Callable[[str], str]:
    """A server for each request, at random: what a proxy in front of several servers amounts to."""
    return lambda _method: random.choice(bases)  # noqa: S311


class Run:
    """What one run measures. `bases`: the servers' addresses; `pick(method)` chooses one per request
    (at random unless given)."""

    def __init__(
        self,
        bases: list[str],
        think: tuple[float, float],
        ramp: float,
        pick: Callable[[], Callable[[str], str]] | None = None,
    ):
        self.bases, self.think, self.ramp = bases, think, ramp
        self.pick = pick or (lambda: at_random(bases))  # a picker per phone
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.codes: dict[str, Counter] = defaultdict(Counter)
        self.ready: list[float] = []
        self.signed = self.never = 0
        self.failures: list[str] = []
        self.photo, self.signature = phone_photo(), signature_url()
        # A connection idle for 1 s is not reused: gunicorn closes idle ones after 2 s (its keepalive), and
        # a request sent on one it is closing fails with ReadError where a browser would quietly resend it.
        self.client_options = {"timeout": 60, "limits": httpx.Limits(keepalive_expiry=1)}

    def errors(self, kind: str) -> int:
        """5xx answers and connection errors."""
        return sum(v for k, v in self.codes[kind].items() if k == "conn" or k >= 500)

    def client_4xx(self, kind: str) -> int:
        """4xx answers (none is expected: each cleaner is alone on its job)."""
        return sum(v for k, v in self.codes[kind].items() if k != "conn" and 400 <= k < 500)


class Phone:
    """One cleaner's phone: its own cookie jar, CSRF token and job; `served` lists where each request
    went: (server, method, path, status)."""

    def __init__(self, run: Run, client: httpx.AsyncClient, job: dict):
        self.run, self.c, self.job, self.tok, self.photos = run, client, job, "", 0
        self.path = f"/jobs/{job['id']}"
        self.pick = run.pick()
        self.served: list[tuple[str, str, str, int | str]] = []

    async def req(self, kind: str, method: str, url: str, ok=(200,), **kw) -> httpx.Response:
        """One timed request to the server picked for it; Abort when the answer is not one of ok."""
        base = self.pick(method)
        started, r = time.perf_counter(), None
        try:
            r = await self.c.request(method, base + url, **kw)
            code, detail = r.status_code, repr(r.text[:300])
        except httpx.HTTPError as error:
            code, detail = "conn", repr(error)
        self.run.ms[kind].append((time.perf_counter() - started) * 1000)
        self.run.codes[kind][code] += 1
        self.served.append((base, method, url, code))
        if code not in ok:
            raise Abort(f"{kind} {method} {base}{url}: {code} {detail}")
        return r

    async def post(self, kind: str, path: str, ok=(303,), data=None, headers=None, **kw) -> httpx.Response:
        """A tap that posts a form of this job, after the cleaner's think time, as the phone's outbox
        sends it: with a client key of its own and the time it was made on the phone."""
        await asyncio.sleep(random.uniform(*self.run.think))  # noqa: S311
        data = {"csrf_token": self.tok, **(data or {})}
        outbox = {"X-HK-Client-Key": uuid.uuid4().hex, "X-HK-Happened-At": str(int(time.time() * 1000))}
        headers = {**outbox, **(headers or {})}
        return await self.req(kind, "POST", f"{self.path}{path}", ok, data=data, headers=headers, **kw)

    async def photo(self, stage: str, item: str | None) -> None:
        """Upload one photo as photos.js does."""
        self.photos += 1
        data = {"client_key": f"load-{self.job['id']}-{self.photos}", "stage": stage, "item": item or ""}
        files = {"photo": ("photo.jpg", self.run.photo, "image/jpeg")}
        await self.post("photo", "/photos", (201,), data, files=files, headers={"X-Requested-With": "fetch"})

    async def do_stage(self, stage: dict, extra_photos: int) -> None:
        """Tick every item (its photo first), extra photos, the stage's form, complete, next screen."""
        code, kind = stage["code"], stage["kind"]
        for item in stage["items"]:
            if item["photo_required"]:  # an item that needs a photo is ticked only with it
                await self.photo(code, item["code"])
            answer = {"answer": "safe" if kind == "safety" else "done"}
            await self.post("tick", f"/stages/{code}/items/{item['code']}", (200,), answer, headers=HX)
        for _ in range(extra_photos):
            await self.photo(code, None)
        if kind == "pre_service":
            await self.post("form", "/pre-service", data={"valuables": "玉镯在卧室", "confirm_quote": "y"})
        if kind == "post_service":
            await self.post("form", "/handover", data={"tools_removed": "y", "remarks": "客户满意"})
        r = await self.post("complete", f"/stages/{code}/complete")
        await self.req("page", "GET", r.headers["location"], follow_redirects=True)

    async def sign(self) -> None:
        """The phone goes to the customer, who reviews and signs; then wait for the record, as the thanks
        page does."""
        await self.post("form", "/customer-mode")  # "Customer review and signature": customer mode
        r = await self.req("page", "GET", f"{self.path}/review?lang=zh_CN")
        shown = SHOWN.search(r.text)
        if not shown:
            raise Abort("no shown_hash on the review page")
        self.tok = token(r)
        form = {"signer_name": "周女士", "consent": "y", "signature": self.run.signature}
        await self.post("sign", "/sign", data={**form, "shown_hash": shown.group(1), "lang": "zh_CN"})
        signed_at, self.run.signed = time.perf_counter(), self.run.signed + 1
        r = await self.req("page", "GET", f"{self.path}/signed")
        while 'data-testid="record-ready"' not in r.text:
            if time.perf_counter() - signed_at > READY_LIMIT_S:
                self.run.never += 1
                return
            await asyncio.sleep(poll_interval(r.text))
            r = await self.req("poll", "GET", f"{self.path}/signed", headers=HX)
        self.run.ready.append(time.perf_counter() - signed_at)

    async def whole_job(self, password: str) -> None:
        """From the login page to the signed record being ready."""
        r = await self.req("page", "GET", "/login")
        login = {"username": self.job["username"], "password": password, "csrf_token": token(r)}
        await self.req("login", "POST", "/login", (303,), data=login)
        self.tok = token(await self.req("page", "GET", "/today"))
        await self.req("page", "GET", self.path)
        r = await self.post("form", "/check-in")
        await self.req("page", "GET", r.headers["location"], follow_redirects=True)
        extra = extra_photos(self.job["stages"])
        for stage in self.job["stages"]:
            await self.do_stage(stage, extra[stage["code"]])
        await self.sign()


def poll_interval(html: str) -> float:
    """How long the thanks page waits before asking again (its hx-trigger), as a phone would."""
    found = EVERY.search(html)
    return float(found.group(1)) if found else 2.0


def token(r: httpx.Response) -> str:
    """The CSRF token of the page's first form."""
    if found := CSRF.search(r.text):
        return found.group(1)
    raise Abort(f"no csrf_token in {r.url}")


def extra_photos(stages: list[dict]) -> Counter:
    """Stage photos without an item, on cleaning stages, to reach PHOTOS_PER_JOB in all."""
    wanted = PHOTOS_PER_JOB - sum(i["photo_required"] for s in stages for i in s["items"])
    cleaning = [s["code"] for s in stages if s["kind"] == "cleaning"] or [stages[0]["code"]]
    return Counter(cleaning[n % len(cleaning)] for n in range(max(0, wanted)))


async def cleaner(run: Run, job: dict, password: str) -> None:
    """One phone doing one whole job, from login to the signed record being ready."""
    await asyncio.sleep(random.uniform(0, run.ramp))  # noqa: S311
    async with httpx.AsyncClient(**run.client_options) as client:
        try:
            await Phone(run, client, job).whole_job(password)
        except Abort as error:
            run.failures.append(f"{job['username']}: {error}")
