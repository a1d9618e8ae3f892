"""The parts of bench/load.py around the scenario: what a phone sends (photo, signature), a fresh
database seeded through hk's code, and the servers' CPU and memory read from /proc. Starting and
stopping gunicorn and the queue worker as an operator would: bench/cluster.py."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import sys
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from hk import create_app  # noqa: E402
from hk import models as m  # noqa: E402
from hk.domain.clock import local_datetime, local_today  # noqa: E402
from hk.domain.qualification import MANDATORY_KINDS  # noqa: E402
from hk.domain.workflow import Status  # noqa: E402
from hk.extensions import db  # noqa: E402
from hk.jobs.service import build_quote  # noqa: E402
from hk.models.people import hash_password  # noqa: E402

TICK, PAGE = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")


def phone_photo() -> bytes:
    """A 1600×1200 JPEG as the browser sends it after resizing (~340 KB)."""
    from bench.job_flow import browser_photo

    return browser_photo(noise_level=48)


def signature_url() -> str:
    """A signature_pad-style data URL: a thick scribble on a 600×200 transparent canvas."""
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    points = [(40 + x * 8, 100 + int(45 * ((x % 7) - 3) / 3) * (-1) ** x) for x in range(65)]
    ImageDraw.Draw(img).line(points, fill=(20, 20, 60, 255), width=5, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@contextlib.contextmanager
def app_context(url: str, instance: Path, settings: dict | None = None):
    """An in-process hk app on the run's database and instance folder (and any other settings); its
    connections closed after."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance), **(settings or {})})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def empty_postgres(url: str, instance: Path) -> None:
    """Drop every hk table and alembic_version, as bench/job_flow.py does."""
    with app_context(url, instance):
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def seed(
    url: str, instance: Path, n: int, password: str, cheap: bool, settings: dict | None = None
) -> list[dict]:
    """N certified cleaners, each with one customer and one daily-cleaning job today."""
    with app_context(url, instance, settings) as app:
        if cheap:
            app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # noqa: S105
        tz = app.config["TIMEZONE"]
        today = local_today(tz)
        start = local_datetime(today, 9, 0, tz)
        service_type = db.session.scalar(select(m.ServiceType).where(m.ServiceType.code == "daily_cleaning"))
        template = service_type.current_template
        password_hash = hash_password(password)  # the configured method: scrypt unless --cheap-login
        valid = {"valid_from": today - timedelta(days=100), "valid_until": today + timedelta(days=300)}
        jobs = []
        for i in range(1, n + 1):
            user = m.User(username=f"cleaner{i:03d}", display_name=f"保洁员{i}", role=m.Role.WORKER)
            user.password_hash, user.profile = password_hash, m.WorkerProfile(employee_no=f"L{i:04d}")
            user.certificates = [
                m.Certificate(kind=m.CertificateKind(k), number=f"{k}-{i:04d}", issuer="上海市家协", **valid)
                for k in MANDATORY_KINDS
            ]
            customer = m.Customer(name=f"客户{i}", phone=f"139{i:08d}", address=f"上海市徐汇区测试路{i}号")
            job = m.Job(number=f"L{today:%Y%m%d}-{i:03d}", customer=customer, service_type=service_type)
            job.template, job.worker, job.template_snapshot = template, user, template.snapshot()
            job.scheduled_start, job.scheduled_end = start, start + timedelta(minutes=180)
            build_quote(job, area_m2=Decimal("90"))
            db.session.add_all([user, customer, job])
            jobs.append(job)
        db.session.commit()
        return [{"id": j.id, "username": j.worker.username, "stages": j.stages} for j in jobs]


def check_database(url: str, instance: Path, ids: list[int], settings: dict | None = None) -> str:
    """Whether every job is completed and has exactly one current record, rendered."""
    with app_context(url, instance, settings):
        statuses = db.session.scalars(select(m.Job.status).where(m.Job.id.in_(ids))).all()
        current = m.ServiceRecord.status == m.RecordStatus.CURRENT
        query = select(m.ServiceRecord.job_id, m.ServiceRecord.render_status).where(current)
        rows = db.session.execute(query.where(m.ServiceRecord.job_id.in_(ids))).all()
    per_job = Counter(row.job_id for row in rows)
    done = sum(row.render_status == m.RenderStatus.DONE for row in rows)
    completed, one = sum(s == Status.COMPLETED for s in statuses), sum(per_job[i] == 1 for i in ids)
    verdict = "OK" if completed == one == done == len(ids) else "PROBLEM"
    return f"{verdict}: {completed}/{len(ids)} completed, {one} with one current record, {done} rendered"


def processes() -> dict[int, tuple[int, float, int]]:
    """Every process: pid → (parent pid, CPU seconds incl. reaped children, RSS bytes)."""
    found = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(name)] = (int(fields[1]), sum(map(int, fields[11:15])) / TICK, int(fields[21]) * PAGE)
    return found


def usage(root: int, table: dict | None = None) -> tuple[float, int]:
    """CPU seconds and RSS bytes of a process and all its descendants."""
    table = table or processes()
    tree, more = set(), {root}
    while more:
        tree |= more
        more = {pid for pid, (ppid, _, _) in table.items() if ppid in tree} - tree
    return sum(table[p][1] for p in tree if p in table), sum(table[p][2] for p in tree if p in table)
