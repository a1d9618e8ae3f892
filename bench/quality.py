"""The quality dashboard at the size of a real company: server time of /quality over 100,000 jobs.

    python bench/quality.py                 # SQLite (a temporary file)
    python bench/quality.py --postgres URL  # also PostgreSQL: that database is EMPTIED first
    python bench/quality.py --runs 9        # runs per figure (default 5, after one warm-up)
    python bench/quality.py --no-sqlite --postgres URL
    python bench/quality.py --sqlite /tmp/q.db --reuse --pages   # keep the data; time only the pages

Generates two years of a company ending today (quality_data.py: 100,000 jobs, 60,000 ratings,
3,000 complaints, 8,000 follow-ups, a record per completed job, incidents, certificates) with Core
bulk inserts and prints how long that took. Then a supervisor logs in and GET /quality is timed
in-process through the WSGI app (no network), for this quarter and this year, for everyone and for
one worker: the median of --runs runs after a warm-up, this process's CPU time beside it (on SQLite
all of the server's work; on PostgreSQL the Python side only), and the SQL statements one request runs.
The exports (GET /quality/export/...), when the app has them, are timed over the whole two years,
with their size and the peak Python memory (tracemalloc) of one more run.
After the load the log is checkpointed on both; SQLite gets no ANALYZE (hk never runs one);
PostgreSQL gets VACUUM ANALYZE, as autovacuum would.
On a shared machine the wall times follow the neighbours' load: the machine reference printed first
(as bench/load.py's) and the CPU times say how much.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import quality_data  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hk import create_app  # noqa: E402
from hk.config import TestConfig  # noqa: E402
from hk.domain.clock import local_datetime, local_today  # noqa: E402
from hk.extensions import db  # noqa: E402
from hk.models import Job, QualityJobFacts, User  # noqa: E402
from hk.models.people import hash_password  # noqa: E402
from hk.models.quality import rebuild  # noqa: E402

PASSWORD = secrets.token_urlsafe(12)
SHARED_TEST_DATABASES = {"test"}  # other people's test runs use these: never emptied here


REFERENCE_LOOP = "sum(i * i for i in range(10**7))"


def machine_reference(runs: int = 5) -> float:
    """CPU seconds of a fixed pure-Python loop (the fastest of a few): how fast the cores are today
    (about 0.6 s on a typical server core; on a shared virtual machine it varies within minutes)."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        eval(REFERENCE_LOOP)  # noqa: S307 - a constant expression, the yardstick itself
        times.append(time.process_time() - started)
    return min(times)


def make_app(url: str, instance: str):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    engine = {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "json_serializer": quality_data.dumps}
    config.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance, SQLALCHEMY_ENGINE_OPTIONS=engine)
    return create_app(config)


def build(app, label: str, reuse: bool = False) -> None:
    """Empty the database, migrate, generate the company; print what and how long. With `reuse`, a
    database that holds a generated company already is only migrated."""
    with app.app_context():
        if reuse and _generated():
            upgrade()
            if not db.session.scalar(select(func.count()).select_from(QualityJobFacts)):
                print(f"[{label}] quality facts rebuilt: {rebuild(db.session.connection()):,} jobs")
            supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
            supervisor.password_hash = hash_password(PASSWORD)  # this run's
            db.session.commit()
            print(f"[{label}] reusing the company already generated ({_size_mb():,.0f} MB)")
            db.session.remove()
            return
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        started = time.perf_counter()
        counts = quality_data.generate(app.config["TIMEZONE"], hash_password(PASSWORD))
        took = time.perf_counter() - started
        settle()
        print(f"[{label}] generated in {took:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        print(f"[{label}] database size: {_size_mb():,.0f} MB")
        db.session.remove()


def _generated() -> bool:
    try:
        return bool(db.session.scalar(select(func.count(Job.id)).where(Job.id < 1000)))
    except Exception:  # no tables yet
        db.session.rollback()
        return False


def settle() -> None:
    """Leave the database as a running one would be after the bulk load: written out of the log (the
    SQLite WAL checkpointed; PostgreSQL checkpointed, so its checkpointer is not writing the load out
    during the timings) and, on PostgreSQL, vacuumed and analysed as autovacuum would."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
        else:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _size_mb() -> float:
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT pg_database_size(current_database())")) / 2**20
    pages = db.session.scalar(text("PRAGMA page_count")) * db.session.scalar(text("PRAGMA page_size"))
    return pages / 2**20


def login(client) -> None:
    body = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    answer = client.post("/login", data={"csrf_token": token, "username": "supervisor", "password": PASSWORD})
    assert answer.status_code in (302, 303), answer.status_code


def busy_worker(app) -> int:
    """The enabled worker with the most jobs this year (the one a supervisor looks at)."""
    with app.app_context():
        start = local_today(app.config["TIMEZONE"]).replace(month=1, day=1)
        since = local_datetime(start, 0, 0, app.config["TIMEZONE"])
        return db.session.scalar(
            select(Job.worker_id)
            .join(User, User.id == Job.worker_id)
            .where(User.is_enabled.is_(True), Job.scheduled_start >= since)
            .group_by(Job.worker_id)
            .order_by(func.count(Job.id).desc())
            .limit(1)
        )


def server_cpu(engine) -> float | None:
    """CPU seconds used so far by the PostgreSQL processes serving this database (read from /proc: a
    server on this machine), else None. On a shared machine the wall time follows the neighbours;
    this does much less."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        pids = conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # that connection has just closed
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


class Statements:
    """Counts the SQL statements the app runs."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *args) -> None:
        self.count += 1


def timed(
    client, path: str, runs: int, statements: Statements, engine=None
) -> tuple[list[float], list[float], int, int, float | None]:
    """Milliseconds of each run after a warm-up (wall and this process's CPU), the SQL statements of one
    request, the body's size, and the PostgreSQL server's CPU milliseconds per run (else None)."""
    warm = client.get(path)
    assert warm.status_code == 200, (path, warm.status_code)
    before = statements.count
    size = len(client.get(path).get_data())
    queries = statements.count - before
    times, cpu = [], []
    server = server_cpu(engine) if engine is not None else None
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        response = client.get(path)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    if server is not None:
        after = server_cpu(engine)
        server = (after - server) * 1000 / runs if after is not None else None
    return times, cpu, queries, size, server


def export_peak(client, path: str) -> tuple[float, int]:
    """Peak Python memory (MB) of one export streamed through and dropped chunk by chunk; its bytes."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    response = client.get(path, buffered=False)
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, size


def measure(url: str, label: str, runs: int, reuse: bool = False, pages_only: bool = False) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance)
        build(app, label, reuse)
        worker = busy_worker(app)
        with app.app_context():
            statements = Statements(db.engine)
            engine = db.engine
        client = app.test_client()
        login(client)
        for name, query in (
            ("quarter", "period=quarter"),
            ("quarter, one worker", f"period=quarter&worker={worker}"),
            ("year", "period=year"),
            ("year, one worker", f"period=year&worker={worker}"),
        ):
            times, cpu, queries, size, server = timed(client, f"/quality?{query}", runs, statements, engine)
            results[name] = statistics.median(times)
            in_server = f"; CPU in PostgreSQL {server:.0f} ms a run" if server is not None else ""
            print(
                f"[{label}] /quality {name}: median {results[name]:.0f} ms "
                f"(min {min(times):.0f}, max {max(times):.0f}; CPU here {statistics.median(cpu):.0f} ms"
                f"{in_server}; "
                f"{runs} runs; {queries} SQL statements; {size / 1024:.0f} KB)"
            )
        exports = sorted(
            r.rule
            for r in app.url_map.iter_rules()
            if r.rule.startswith("/quality/export/") and not r.arguments
        )
        if pages_only:
            exports = []
        elif not exports:
            print(f"[{label}] exports: no /quality/export/ routes in this app yet; skipped")
        today = local_today(app.config["TIMEZONE"])
        whole = f"period=custom&first={today - timedelta(days=quality_data.DAYS - 1)}&last={today}"
        for rule in exports:
            path = f"{rule}?{whole}"
            times, _, queries, _, _ = timed(client, path, runs, statements)
            peak, size = export_peak(client, path)
            results[rule] = statistics.median(times)
            print(
                f"[{label}] {rule} (two years): median {results[rule]:.0f} ms "
                f"({runs} runs; {queries} SQL statements; {size / 2**20:.1f} MB; peak memory {peak:.1f} MB)"
            )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", help="a PostgreSQL URL whose database may be emptied (never the test one)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each page, after one warm-up")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--sqlite", metavar="PATH", help="the SQLite file to use (default: a temporary one)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a company generated by an earlier run of the same database"
    )
    parser.add_argument("--pages", action="store_true", help="time only /quality, not the exports")
    parser.add_argument(
        "--ratings",
        type=int,
        default=quality_data.SIZES["ratings"],
        help="ratings to generate (default 60,000; up to one per completed job: 95,000 makes the ratings' "
        "export a list of about 100,000 rows)",
    )
    args = parser.parse_args()
    quality_data.SIZES["ratings"] = args.ratings
    if args.postgres and make_url(args.postgres).database in SHARED_TEST_DATABASES:
        parser.error("that is the shared test database; use one of its own, e.g. .../hk_quality_bench")
    print(f"machine reference: {machine_reference():.2f} CPU-s for `{REFERENCE_LOOP}` (as bench/load.py)")
    if args.sqlite and not args.no_sqlite:
        measure(f"sqlite:///{Path(args.sqlite).resolve()}", "SQLite", args.runs, args.reuse, args.pages)
    elif not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            measure(f"sqlite:///{tmp}/bench.db", "SQLite", args.runs, pages_only=args.pages)
    if args.postgres:
        measure(args.postgres, "PostgreSQL", args.runs, args.reuse, args.pages)


if __name__ == "__main__":
    main()
