"""Load benchmark: N cleaners do whole jobs at once against gunicorn + the Huey queue, as phones would.

    .venv/bin/python bench/load.py [--postgres URL] [--cleaners 10,25,50] [--workers 2 --threads 4]
                                   [--runs 1] [--think 1-3] [--ramp 10] [--queue thread|process]
                                   [--servers N] [--cheap-login] [--keep]

Without --postgres each run gets a fresh SQLite file; with it, that database is EMPTIED (every table
dropped) before each run. Each run: migrate, load the catalogue, make the signing keys, seed N
certified cleaners with one daily-cleaning job each for today, start `gunicorn app:app` and
`huey_consumer hk.worker.huey`, and let every cleaner log in, check in, tick every item (think time
between taps), upload 7 photos of 1600×1200, fill the pre-service and handover forms, complete every
stage, have the customer sign, and ask for the record as often as the thanks page does until the PDF
is ready. Logins check a real scrypt hash (one hash shared by all cleaners) unless --cheap-login.
Logs stay in the printed folder.

--servers N (with --postgres) serves as several machines would (docs/deploy.md): N gunicorns (each
--workers × --threads) on N ports, each with an instance folder of its own, sharing the PostgreSQL
database, a Redis database (the queue and the rate limits; an empty one of 127.0.0.1:6379 is taken
and FLUSHED after each run; redis-server is started when none answers), moto's S3 server (a bucket
per run; its CPU is printed, not counted), the secret key and the signing key (`flask hk init-signing
--export`); one queue worker. Each phone picks a server at random for every request, as a proxy
would. --servers 1 is the same set-up with one server.
Request kinds: page = GETs (a redirect followed counts as one), form = check-in, pre-service,
handover and hand-to-customer posts, baseline = GET /healthz every 0.5 s beside the cleaners.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.cluster import (  # noqa: E402
    environment,
    flask,
    make_bucket,
    redis_database,
    serving,
    start_moto,
    start_redis,
    stop,
)
from bench.load_phone import KINDS, Abort, Phone, Run, cleaner, pct  # noqa: E402
from bench.load_servers import check_database, empty_postgres, processes, seed, usage  # noqa: E402

PASSWORD = secrets.token_urlsafe(12)
IDLE_S = 3
EXCEPTION = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception|Exit)\b.*$", re.M)  # a traceback's last line
P95_TARGETS = {"page": 200, "tick": 200, "photo": 800, "sign": 300}
READY_TARGET_S, CPU_TARGET_S = 15, 1.5
MARK = {True: "✓", False: "✗"}  # target met, missed


async def drive(run: Run, jobs: list[dict], web: list[int], queue: int) -> dict:
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
            w, q = sum(usage(pid, table)[1] for pid in web), usage(queue, table)[1]
            peak.update(web=max(peak["web"], w), queue=max(peak["queue"], q), both=max(peak["both"], w + q))
            await asyncio.sleep(1)

    def cpu() -> tuple[float, float]:
        """CPU seconds so far of the web servers and of the queue worker (with their children)."""
        table = processes()
        return sum(usage(pid, table)[0] for pid in web), usage(queue, table)[0]

    before, client_before, started = cpu(), sum(os.times()[:2]), time.monotonic()
    side = [asyncio.create_task(baseline()), asyncio.create_task(sampler())]
    await asyncio.gather(*(cleaner(run, job, PASSWORD) for job in jobs))
    after, wall = cpu(), time.monotonic() - started
    done.set()
    await asyncio.gather(*side)
    await asyncio.sleep(IDLE_S)  # the servers' own cost when nobody works (queue polling, heartbeats)
    idle = (sum(cpu()) - sum(after)) / IDLE_S
    used, client = (after[0] - before[0], after[1] - before[1]), sum(os.times()[:2]) - client_before
    return {"wall": wall, "cpu": used, "idle": idle, "peak": peak, "client_cpu": client}


class Shared:
    """What --servers runs share beside PostgreSQL: Redis and moto's S3 server (started once), the
    secret key; stopped at the end."""

    def __init__(self, folder: Path):
        self.redis = start_redis(folder / "redis.log")
        self.moto_log = (folder / "moto.log").open("ab")
        self.moto, self.s3_url = start_moto(self.moto_log)
        self.secret = secrets.token_urlsafe(48)

    def close(self) -> None:
        stop([p for p in (self.moto, self.redis) if p is not None])
        self.moto_log.close()


def run_once(args, n: int, folder: Path, shared: Shared | None) -> dict:
    """Set up, serve, drive and check one run of N cleaners."""
    instance = folder / "instance"  # the operator's: the flask commands run with it
    instance.mkdir(parents=True)
    url = args.postgres or f"sqlite:///{instance}/hk.db"
    hk_env = {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "ENV": "development"}
    if args.postgres:
        empty_postgres(url, instance)
    with contextlib.ExitStack() as stack:
        if shared is not None:
            bucket = f"hk-load-{secrets.token_hex(6)}"
            make_bucket(shared.s3_url, bucket)
            redis_url = stack.enter_context(redis_database(folder.name))
            hk_env.update(REDIS_URL=redis_url, STORAGE_URL=f"s3://{bucket}/hk", S3_ENDPOINT_URL=shared.s3_url)
            hk_env.update(SECRET_KEY=shared.secret, SIGNING_PKCS12_PASSWORD=secrets.token_urlsafe(16))
        env = environment(hk_env, aws=shared is not None)
        for command in (("db", "upgrade"), ("hk", "load-catalogue")):
            flask(env, *command)
        if shared is None:
            flask(env, "hk", "init-signing")
        else:
            flask(env, "hk", "init-signing", "--export", str(folder / "company.p12"))
            env["HK_SIGNING_PKCS12"] = str(folder / "company.p12")
        jobs = seed(url, instance, n, PASSWORD, args.cheap_login)
        servers = stack.enter_context(
            serving(
                env,
                folder,
                servers=args.servers or 1,
                workers=args.workers,
                threads=args.threads,
                queue=(args.queue, 2),
                own_instances=shared is not None,
            )
        )
        time.sleep(3)  # the other workers and the queue finish booting before CPU is counted
        moto_before = usage(shared.moto.pid)[0] if shared else 0.0
        run = Run(servers.bases, args.think, args.ramp)
        figures = asyncio.run(drive(run, jobs, [p.pid for p in servers.web], servers.queue.pid))
        figures["moto_cpu"] = usage(shared.moto.pid)[0] - moto_before if shared else None
        stack.close()  # the servers stop; then the checks, with the run's Redis still known
        logs = servers.log_text()
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
    if f["client_cpu"] > 0:
        # The load generator does the same work for every job in every run: its CPU, taken in the same
        # minutes, says how fast the machine was then (a shared virtual machine varies by 10–25 %).
        print(
            f"server CPU over the load generator's: {(web + queue) / f['client_cpu']:.2f} "
            "(compare runs by this when the machine's speed changed between them)"
        )
    if f["moto_cpu"] is not None:
        print(
            f"the S3 stand-in (moto, not counted above) used {f['moto_cpu']:.1f} s of CPU on the same machine"
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
    add("--servers", type=int, default=0, help="N app servers sharing Redis and S3, as machines would")
    add("--keep", action="store_true", help="keep stored photos and PDFs")
    args = parser.parse_args()
    if args.servers and not args.postgres:
        parser.error("--servers needs --postgres: several servers share one PostgreSQL database")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers (finally) on kill too
    low, _, high = args.think.partition("-")
    args.think = (float(low), float(high or low))
    label = f"{'PostgreSQL' if args.postgres else 'SQLite'} · gunicorn {args.workers}×{args.threads}"
    if args.servers:
        label += f" × {args.servers} server{'s' if args.servers > 1 else ''} · Redis · S3 (moto)"
    label += f" · huey -k {args.queue} -w 2"
    folder = Path(tempfile.mkdtemp(prefix="hk-load-"))
    print(f"hk load benchmark: {label}, think {args.think[0]}–{args.think[1]} s; logs in {folder}")
    reference = machine_reference()
    print(
        f"machine reference: {reference:.2f} CPU-s for `{REFERENCE_LOOP}` "
        "(about 0.6 s on a typical server core; on a shared virtual machine it can vary 2× within minutes)"
    )
    results, shared = [], Shared(folder) if args.servers else None
    try:
        for n in (int(v) for v in args.cleaners.split(",")):
            for r in range(1, args.runs + 1):
                results.append(run_once(args, n, folder / f"n{n}-run{r}", shared))
                report(results[-1], f"{label} · run {r}/{args.runs}")
    finally:
        if shared is not None:
            shared.close()
    summary(results, label)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; the servers were stopped")
