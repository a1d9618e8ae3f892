"""Load benchmark: N cleaners do whole jobs at once against gunicorn + the Huey queue, as phones would.

    .venv/bin/python bench/load.py [--postgres URL] [--cleaners 10,25,50] [--workers 2 --threads 4]
                                   [--runs 1] [--think 1-3] [--ramp 10] [--queue thread|process]
                                   [--cheap-login] [--keep]

Without --postgres each run gets a fresh SQLite file; with it, that database is EMPTIED (every table
dropped) before each run. Each run: migrate, load the catalogue, make the signing keys, seed N
certified cleaners with one daily-cleaning job each for today, start `gunicorn app:app` and
`huey_consumer hk.worker.huey`, and let every cleaner log in, check in, tick every item (think time
between taps), upload 7 photos of 1600×1200, fill the pre-service and handover forms, complete every
stage, have the customer sign, and ask for the record as often as the thanks page does until the PDF
is ready. Logins check a real scrypt hash (one hash shared by all cleaners) unless --cheap-login.
Logs stay in the printed folder.
Request kinds: page = GETs (a redirect followed counts as one), form = check-in, pre-service,
handover and hand-to-customer posts, baseline = GET /healthz every 0.5 s beside the cleaners.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from load_servers import (  # noqa: E402
    check_database,
    empty_postgres,
    flask,
    phone_photo,
    processes,
    seed,
    signature_url,
    start,
    stop,
    usage,
    wait_ready,
)

BIN = Path(sys.executable).parent
PASSWORD = secrets.token_urlsafe(12)
PHOTOS_PER_JOB, READY_LIMIT_S, IDLE_S = 7, 180, 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EVERY = re.compile(r'hx-trigger="every (\d+(?:\.\d+)?)s"')
SHOWN = re.compile(r'name="shown_hash"[^>]*value="([^"]*)"')
EXCEPTION = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception|Exit)\b.*$", re.M)  # a traceback's last line
HX = {"HX-Request": "true"}
KINDS = ("login", "page", "form", "tick", "photo", "complete", "sign", "poll", "baseline")
P95_TARGETS = {"page": 200, "tick": 200, "photo": 800, "sign": 300}
READY_TARGET_S, CPU_TARGET_S = 15, 1.5
MARK = {True: "✓", False: "✗"}  # target met, missed


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


class Abort(Exception):
    """A cleaner cannot go on with the job."""


class Run:
    """What one run measures."""

    def __init__(self, base: str, think: tuple[float, float], ramp: float):
        self.base, self.think, self.ramp = base, think, ramp
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.codes: dict[str, Counter] = defaultdict(Counter)
        self.ready: list[float] = []
        self.signed = self.never = 0
        self.failures: list[str] = []
        self.photo, self.signature = phone_photo(), signature_url()
        # A connection idle for 1 s is not reused: gunicorn closes idle ones after 2 s (its keepalive), and
        # a request sent on one it is closing fails with ReadError where a browser would quietly resend it.
        self.client_options = {"base_url": base, "timeout": 60, "limits": httpx.Limits(keepalive_expiry=1)}

    def errors(self, kind: str) -> int:
        """5xx answers and connection errors."""
        return sum(v for k, v in self.codes[kind].items() if k == "conn" or k >= 500)

    def client_4xx(self, kind: str) -> int:
        """4xx answers (none is expected: each cleaner is alone on its job)."""
        return sum(v for k, v in self.codes[kind].items() if k != "conn" and 400 <= k < 500)


class Phone:
    """One cleaner's phone: its own cookie jar, CSRF token and job."""

    def __init__(self, run: Run, client: httpx.AsyncClient, job: dict):
        self.run, self.c, self.job, self.tok, self.photos = run, client, job, "", 0
        self.path = f"/jobs/{job['id']}"

    async def req(self, kind: str, method: str, url: str, ok=(200,), **kw) -> httpx.Response:
        """One timed request; Abort when the answer is not one of ok."""
        started, r = time.perf_counter(), None
        try:
            r = await self.c.request(method, url, **kw)
            code, detail = r.status_code, repr(r.text[:300])
        except httpx.HTTPError as error:
            code, detail = "conn", repr(error)
        self.run.ms[kind].append((time.perf_counter() - started) * 1000)
        self.run.codes[kind][code] += 1
        if code not in ok:
            raise Abort(f"{kind} {method} {url}: {code} {detail}")
        return r

    async def post(self, kind: str, path: str, ok=(303,), data=None, **kw) -> httpx.Response:
        """A tap that posts a form of this job, after the cleaner's think time."""
        await asyncio.sleep(random.uniform(*self.run.think))  # noqa: S311
        data = {"csrf_token": self.tok, **(data or {})}
        return await self.req(kind, "POST", f"{self.path}{path}", ok, data=data, **kw)

    async def photo(self, stage: str, item: str | None) -> None:
        """Upload one photo as photos.js does."""
        self.photos += 1
        data = {"client_key": f"load-{self.job['id']}-{self.photos}", "stage": stage, "item": item or ""}
        files = {"photo": ("photo.jpg", self.run.photo, "image/jpeg")}
        await self.post("photo", "/photos", (201,), data, files=files, headers={"X-Requested-With": "fetch"})

    async def do_stage(self, stage: dict, extra_photos: int) -> None:
        """Tick every item (with its photos), extra photos, the stage's form, complete, next screen."""
        code, kind = stage["code"], stage["kind"]
        for item in stage["items"]:
            answer = {"answer": "safe" if kind == "safety" else "done"}
            await self.post("tick", f"/stages/{code}/items/{item['code']}", (200,), answer, headers=HX)
            if item["photo_required"]:
                await self.photo(code, item["code"])
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


async def cleaner(run: Run, job: dict) -> None:
    """One phone doing one whole job, from login to the signed record being ready."""
    await asyncio.sleep(random.uniform(0, run.ramp))  # noqa: S311
    async with httpx.AsyncClient(**run.client_options) as client:
        phone = Phone(run, client, job)
        try:
            r = await phone.req("page", "GET", "/login")
            login = {"username": job["username"], "password": PASSWORD, "csrf_token": token(r)}
            await phone.req("login", "POST", "/login", (303,), data=login)
            phone.tok = token(await phone.req("page", "GET", "/today"))
            await phone.req("page", "GET", phone.path)
            r = await phone.post("form", "/check-in")
            await phone.req("page", "GET", r.headers["location"], follow_redirects=True)
            extra = extra_photos(job["stages"])
            for stage in job["stages"]:
                await phone.do_stage(stage, extra[stage["code"]])
            await phone.sign()
        except Abort as error:
            run.failures.append(f"{job['username']}: {error}")


async def drive(run: Run, jobs: list[dict], web: int, queue: int) -> dict:
    """All cleaners at once, with a baseline /healthz loop and an RSS sampler beside them."""
    done, peak = asyncio.Event(), {"web": 0, "queue": 0, "both": 0}

    async def baseline() -> None:
        """GET /healthz every 0.5 s: what the load does to the cheapest request."""
        async with httpx.AsyncClient(**run.client_options) as client:
            phone = Phone(run, client, {"id": 0})
            while not done.is_set():
                with contextlib.suppress(Abort):
                    await phone.req("baseline", "GET", "/healthz")
                await asyncio.sleep(0.5)

    async def sampler() -> None:
        """Every second: the servers' RSS, keeping the peak."""
        while not done.is_set():
            table = processes()
            w, q = usage(web, table)[1], usage(queue, table)[1]
            peak.update(web=max(peak["web"], w), queue=max(peak["queue"], q), both=max(peak["both"], w + q))
            await asyncio.sleep(1)

    def cpu() -> tuple[float, float]:
        """CPU seconds so far of the web server and of the queue worker (with their children)."""
        return usage(web)[0], usage(queue)[0]

    before, client_before, started = cpu(), sum(os.times()[:2]), time.monotonic()
    side = [asyncio.create_task(baseline()), asyncio.create_task(sampler())]
    await asyncio.gather(*(cleaner(run, job) for job in jobs))
    after, wall = cpu(), time.monotonic() - started
    done.set()
    await asyncio.gather(*side)
    await asyncio.sleep(IDLE_S)  # the servers' own cost when nobody works (queue polling, heartbeats)
    idle = (sum(cpu()) - sum(after)) / IDLE_S
    used, client = (after[0] - before[0], after[1] - before[1]), sum(os.times()[:2]) - client_before
    return {"wall": wall, "cpu": used, "idle": idle, "peak": peak, "client_cpu": client}


def run_once(args, n: int, folder: Path) -> dict:
    """Set up, serve, drive and check one run of N cleaners."""
    instance = folder / "instance"
    instance.mkdir(parents=True)
    url = args.postgres or f"sqlite:///{instance}/hk.db"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{s.getsockname()[1]}"
    hk_env = {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "PUBLIC_URL": base, "ENV": "development"}
    env = {**os.environ, **{f"HK_{k}": v for k, v in hk_env.items()}}
    if args.postgres:
        empty_postgres(url, instance)
    for command in (("db", "upgrade"), ("hk", "load-catalogue"), ("hk", "init-signing")):
        flask(env, *command)
    jobs = seed(url, instance, n, PASSWORD, args.cheap_login)
    web_cmd = [str(BIN / "gunicorn"), "-c", "python:hk.gunicorn_conf", "--workers", str(args.workers)]
    web_cmd += ["--threads", str(args.threads)]
    web_cmd += ["--bind", base.removeprefix("http://"), "app:app"]
    queue_cmd = [str(BIN / "huey_consumer"), "hk.worker.huey", "-k", args.queue, "-w", "2"]
    procs: list[subprocess.Popen] = []
    try:
        procs.append(start(web_cmd, env, folder / "web.log"))
        procs.append(start(queue_cmd, env, folder / "queue.log"))
        wait_ready(base, procs[0])
        time.sleep(3)  # the other workers and the queue finish booting before CPU is counted
        run = Run(base, args.think, args.ramp)
        figures = asyncio.run(drive(run, jobs, procs[0].pid, procs[1].pid))
    finally:
        stop(procs)
    logs = "".join((folder / name).read_text(errors="replace") for name in ("web.log", "queue.log"))
    counts = f"Traceback {logs.count('Traceback')}, 'database is locked' {logs.count('database is locked')}"
    figures["exceptions"] = Counter(EXCEPTION.findall(logs)).most_common(5)
    figures.update(run=run, n=n, folder=folder, logs=counts)
    figures["verify"] = flask(env, "hk", "verify-chain", check=False)
    figures["database"] = check_database(url, instance, [j["id"] for j in jobs])
    if not args.keep:
        shutil.rmtree(instance / "storage", ignore_errors=True)
    return figures


def report(f: dict, label: str) -> None:
    """Print one run's table and checks; keep the summary figures in f."""
    run: Run = f["run"]
    print(f"\n=== {label} · {f['n']} cleaners · wall {f['wall']:.0f} s ===")
    print(f"{'kind':<9}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'4xx':>6}  target")
    for kind in KINDS:
        ms, target = run.ms[kind], P95_TARGETS.get(kind)
        mark = f"p95 ≤ {target} {MARK[pct(ms, 95) <= target]}" if target else ""
        print(
            f"{kind:<9}{len(ms):>7}{pct(ms, 50):>9.0f}{pct(ms, 95):>9.0f}{pct(ms, 99):>9.0f}"
            f"{run.errors(kind):>8}{run.client_4xx(kind):>6}  {mark}"
        )
    f["errors"], f["ready_p95"] = sum(run.errors(k) for k in KINDS), pct(run.ready, 95)
    f["unfinished"] = len(run.failures) + run.never  # cleaners stopped short, records never made
    ready_ok = f["ready_p95"] <= READY_TARGET_S and len(run.ready) == f["n"]
    print(f"errors (5xx + connection): {f['errors']} (target 0 {MARK[not f['errors']]})")
    print(
        f"jobs signed {run.signed}/{f['n']}; records ready {len(run.ready)}: p50 {pct(run.ready, 50):.1f} s, "
        f"p95 {f['ready_p95']:.1f} s, max {max(run.ready, default=0):.1f} s (target p95 ≤ {READY_TARGET_S} s "
        f"{MARK[ready_ok]}); record never made: {run.never}"
    )
    (web, queue), jobs = f["cpu"], max(run.signed, 1)
    f["per_job"] = (web + queue) / jobs if run.signed else float("inf")
    print(
        f"server CPU {web + queue:.1f} s (web {web:.1f}, queue {queue:.1f}) = {f['per_job']:.2f} s per "
        f"completed job (web {web / jobs:.2f}, queue {queue / jobs:.2f}; target ≤ {CPU_TARGET_S} "
        f"{MARK[f['per_job'] <= CPU_TARGET_S]})"
    )
    print(
        f"idle servers use {f['idle']:.3f} CPU-s/s (≈ {f['idle'] * f['wall']:.1f} s of the run); "
        f"the load generator used {f['client_cpu']:.1f} s of CPU on the same machine"
    )
    peak = {k: v / 2**20 for k, v in f["peak"].items()}
    print(f"peak RSS: web {peak['web']:.0f} MB, queue {peak['queue']:.0f} MB, both {peak['both']:.0f} MB")
    print(f"verify-chain: {f['verify']}\ndatabase: {f['database']}\nlogs ({f['folder']}): {f['logs']}")
    for line, count in f["exceptions"]:
        print(f"  {count}× in the logs: {line[:300]}")
    for failure in run.failures[:5]:
        print(f"  aborted: {failure}")
    if len(run.failures) > 5:
        print(f"  … and {len(run.failures) - 5} more cleaners aborted")


REFERENCE_LOOP = "sum(i * i for i in range(10**7))"


def machine_reference(runs: int = 5) -> float:
    """CPU seconds of a fixed pure-Python loop (the fastest of a few): how fast this machine's cores
    are today. CPU per job is only comparable between runs with about the same reference."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        eval(REFERENCE_LOOP)  # noqa: S307 - a constant expression, the yardstick itself
        times.append(time.process_time() - started)
    return min(times)


def summary(results: list[dict], label: str) -> None:
    """One line per run, the targets, and the ceiling."""
    print(f"\n=== summary: {label} ===")
    print(f"{'N':>4}{'errors':>8}{'page p95':>10}{'tick p95':>10}{'photo p95':>11}{'sign p95':>10}", end="")
    print(f"{'ready p95':>11}{'CPU/job':>9}")
    ceiling = None
    for f in results:
        p = {k: pct(f["run"].ms[k], 95) for k in P95_TARGETS}
        print(f"{f['n']:>4}{f['errors']:>8}{p['page']:>10.0f}{p['tick']:>10.0f}{p['photo']:>11.0f}", end="")
        print(f"{p['sign']:>10.0f}{f['ready_p95']:>10.1f}s{f['per_job']:>8.2f}s")
        if ceiling is None and (f["errors"] or f["unfinished"] or p["page"] > 200 or p["tick"] > 200):
            ceiling = f["n"]
    print(
        "targets: 0 errors, page and tick p95 ≤ 200 ms, photo p95 ≤ 800 ms, sign p95 ≤ 300 ms, "
        f"record ready p95 ≤ {READY_TARGET_S} s, ≤ {CPU_TARGET_S} s server CPU per completed job"
    )
    print(
        "ceiling = first N with an error, a cleaner stopped short, a record not made, or page/tick p95 > 200"
    )
    print(f"ceiling: {ceiling} cleaners" if ceiling else "ceiling: not reached at the cleaner counts tried")


def main() -> None:
    """Parse the options, run every cleaner count, print each run and the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--postgres", help="a PostgreSQL URL whose database may be EMPTIED")
    add("--cleaners", default="10,25,50", help="cleaner counts, comma-separated")
    add("--workers", type=int, default=2, help="gunicorn worker processes")
    add("--threads", type=int, default=4, help="gunicorn threads per worker")
    add("--runs", type=int, default=1, help="runs per cleaner count")
    add("--think", default="1-3", help="seconds between taps, e.g. 1-3")
    add("--ramp", type=float, default=10, help="cleaners start within this many seconds")
    add("--cheap-login", action="store_true", help="seed a fast pbkdf2 hash instead of scrypt")
    add(
        "--queue",
        choices=("thread", "process"),
        default="process",
        help="huey worker type, 2 workers (as make run)",
    )
    add("--keep", action="store_true", help="keep stored photos and PDFs")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers (finally) on kill too
    low, _, high = args.think.partition("-")
    args.think = (float(low), float(high or low))
    label = f"{'PostgreSQL' if args.postgres else 'SQLite'} · gunicorn {args.workers}×{args.threads}"
    label += f" · huey -k {args.queue} -w 2"
    folder = Path(tempfile.mkdtemp(prefix="hk-load-"))
    print(f"hk load benchmark: {label}, think {args.think[0]}–{args.think[1]} s; logs in {folder}")
    reference = machine_reference()
    print(
        f"machine reference: {reference:.2f} CPU-s for `{REFERENCE_LOOP}` "
        "(about 0.6 s on a typical server core; on a shared virtual machine it can vary 2× within minutes)"
    )
    results = []
    for n in (int(v) for v in args.cleaners.split(",")):
        for r in range(1, args.runs + 1):
            results.append(run_once(args, n, folder / f"n{n}-run{r}"))
            report(results[-1], f"{label} · run {r}/{args.runs}")
    summary(results, label)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; the servers were stopped")
