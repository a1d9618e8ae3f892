"""Figures for the cleaner's job screens: page weight, fragment size, server time per tick and photo.

    python bench/job_flow.py                 # SQLite (a temporary file)
    python bench/job_flow.py --postgres URL  # also PostgreSQL (the database is emptied first)

Server time is measured in-process through the WSGI app (no network), 200 runs each.
"""

from __future__ import annotations

import argparse
import gzip
import io
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from hk import create_app  # noqa: E402
from hk.config import TestConfig  # noqa: E402
from hk.demo import seed_demo  # noqa: E402
from hk.extensions import db  # noqa: E402

RUNS = 200
PASSWORD = secrets.token_urlsafe(12)


def browser_photo(noise_level: int = 55) -> bytes:
    """What the browser sends for a phone photo: 1600×1200 JPEG at quality 85 (~390 KB; ~340 KB at 48)."""
    img = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    ImageDraw.Draw(img).rectangle((200, 300, 700, 1000), fill=(230, 230, 225))
    noise = Image.effect_noise((1600, 1200), 30)
    img = Image.blend(img, Image.merge("RGB", (noise, noise, noise)), noise_level / 255)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_app(url: str, instance: str):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance)
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        seed_demo(PASSWORD, app.config["TIMEZONE"])
    return app


def csrf(client, path):
    import re

    body = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)


def measure(url: str, label: str, report_weight: bool) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance)
        client = app.test_client()
        token = csrf(client, "/login")
        client.post("/login", data={"csrf_token": token, "username": "worker1", "password": PASSWORD})
        with app.app_context():
            from sqlalchemy import select

            from hk.models import Job, User

            worker = db.session.scalar(select(User).where(User.username == "worker1"))
            job = db.session.scalars(select(Job).where(Job.worker_id == worker.id).order_by(Job.id)).first()
            job_id, stage = job.id, job.stages[0]
        token = csrf(client, "/today")
        client.post(f"/jobs/{job_id}/check-in", data={"csrf_token": token})
        page = client.get(f"/jobs/{job_id}/stages/{stage['code']}")
        if report_weight:
            assets = ["css/app.css", "js/app.js", "js/photos.js", "vendor/htmx.min.js"]
            parts = {"html": page.data}
            for asset in assets:
                parts[asset] = client.get(f"/static/{asset}").data
            gz = {name: len(gzip.compress(data, 6)) for name, data in parts.items()}
            print(
                f"job screen first load, gzip: {sum(gz.values()) / 1024:.1f} KB "
                f"({', '.join(f'{k} {v / 1024:.1f}' for k, v in gz.items())})"
            )
        item = stage["items"][0]["code"]
        headers = {"HX-Request": "true"}
        tick_times, sizes = [], []
        for n in range(RUNS):
            answer = "done" if n % 2 == 0 else ""
            start = time.perf_counter()
            response = client.post(
                f"/jobs/{job_id}/stages/{stage['code']}/items/{item}",
                data={"csrf_token": token, "answer": answer},
                headers=headers,
            )
            tick_times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            sizes.append(len(response.data))
        photo = browser_photo()
        photo_times = []
        for n in range(RUNS):
            start = time.perf_counter()
            response = client.post(
                f"/jobs/{job_id}/photos",
                data={
                    "csrf_token": token,
                    "stage": stage["code"],
                    "item": "before_photos",
                    "client_key": f"bench-{n}",
                    "photo": (io.BytesIO(photo), "p.jpg"),
                },
                headers={"X-Requested-With": "fetch"},
                content_type="multipart/form-data",
            )
            photo_times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 201, response.status_code
        if report_weight:
            print(
                f"tick fragment: {statistics.median(sizes) / 1024:.2f} KB "
                f"(gzip {len(gzip.compress(response.data)) / 1024:.2f} KB for a photo fragment)"
            )
        print(
            f"[{label}] tick: median {statistics.median(tick_times):.1f} ms, "
            f"p95 {percentile(tick_times, 95):.1f} ms ({RUNS} runs)"
        )
        print(
            f"[{label}] photo upload ({len(photo) / 1024:.0f} KB JPEG): median "
            f"{statistics.median(photo_times):.1f} ms, p95 {percentile(photo_times, 95):.1f} ms ({RUNS} runs)"
        )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be emptied")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/bench.db", "SQLite", report_weight=True)
    if args.postgres:
        measure(args.postgres, "PostgreSQL", report_weight=False)


if __name__ == "__main__":
    main()
