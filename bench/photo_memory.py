"""Server memory for the worst photos a phone (or an attacker) can send, one at a time and 8 at once.

    .venv/bin/python bench/photo_memory.py [--runs 3] [--only HEIC]

Each case starts `gunicorn` as `make run` does (2 processes × 4 threads, hk's settings) on a fresh
SQLite database with 8 checked-in cleaners, then uploads to the open stage as photos.js does, and
samples the resident memory (RSS) of all gunicorn processes every 20 ms. Printed per case: the peak
RSS of the whole server above its idle RSS (median of the runs), the answers, and the time until the
last of the 8 was answered. Targets (hardening issue): one worst-case upload ≤ 400 MB above idle,
8 at once ≤ 1.5 GB for the whole server, the 8th answered in under 20 s.
"""

from __future__ import annotations

import argparse
import io
import re
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pillow_heif
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_servers import BIN, flask, processes, seed, start, stop, usage, wait_ready

MB = 1024 * 1024
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = secrets.token_urlsafe(12)


def _camera(width: int, height: int) -> Image.Image:
    """A smooth picture with some detail, like a photo of a wall (compresses as photos do)."""
    small = Image.linear_gradient("L").resize((width // 16, height // 16))
    rgb = Image.merge("RGB", (small, small.rotate(90), small.point(lambda v: 255 - v)))
    return rgb.resize((width, height), Image.Resampling.BILINEAR)


def worst_cases() -> dict[str, bytes]:
    """The largest files of each kind the server must read (or refuse) at once."""
    cases = {}
    buf = io.BytesIO()
    Image.new("RGBA", (8160, 6100), (200, 30, 30, 128)).save(buf, "PNG")
    cases["PNG 49.8 MP RGBA (refused)"] = buf.getvalue()
    buf = io.BytesIO()
    Image.new("RGBA", (4000, 4000), (200, 30, 30, 128)).save(buf, "PNG")
    cases["PNG 16 MP RGBA"] = buf.getvalue()
    buf = io.BytesIO()
    _camera(8160, 6120).save(buf, "JPEG", quality=90)
    cases["JPEG 50 MP"] = buf.getvalue()
    buf = io.BytesIO()
    pillow_heif.from_pillow(_camera(8064, 6048)).save(buf, quality=80)
    cases["HEIC 48 MP"] = buf.getvalue()
    return cases


class Server:
    """gunicorn with hk's settings on a fresh database with 8 checked-in cleaners."""

    def __init__(self, folder: Path):
        instance = folder / "instance"
        instance.mkdir(parents=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.base = f"http://127.0.0.1:{s.getsockname()[1]}"
        url = f"sqlite:///{instance}/hk.db"
        env = {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": url,
            "PUBLIC_URL": self.base,
            "QUEUE": "memory",
        }
        self.env = {**__import__("os").environ, **{f"HK_{k}": v for k, v in env.items()}}
        for command in (("db", "upgrade"), ("hk", "load-catalogue")):
            flask(self.env, *command)
        self.jobs = seed(url, instance, 8, PASSWORD, cheap=True)
        cmd = [str(BIN / "gunicorn"), "-c", "python:hk.gunicorn_conf", "--workers", "2", "--threads", "4"]
        cmd += ["--timeout", "120", "--bind", self.base.removeprefix("http://"), "app:app"]
        self.web = start(cmd, self.env, folder / "web.log")
        wait_ready(self.base, self.web)
        self.phones = [self._checked_in(job) for job in self.jobs]
        time.sleep(1)
        self.idle = usage(self.web.pid)[1]

    def _checked_in(self, job: dict) -> tuple[httpx.Client, str, dict]:
        # No keep-alive: gunicorn closes an idle connection after 2 s, and a reused closed one
        # would fail the upload for a reason that has nothing to do with photos.
        client = httpx.Client(
            base_url=self.base, timeout=120, limits=httpx.Limits(max_keepalive_connections=0)
        )
        token = CSRF.search(client.get("/login").text).group(1)
        client.post("/login", data={"username": job["username"], "password": PASSWORD, "csrf_token": token})
        token = CSRF.search(client.get("/today").text).group(1)
        assert client.post(f"/jobs/{job['id']}/check-in", data={"csrf_token": token}).status_code == 303
        return client, token, job

    def upload(self, n: int, data: bytes) -> tuple[int, float]:
        client, token, job = self.phones[n]
        form = {
            "csrf_token": token,
            "stage": job["stages"][0]["code"],
            "client_key": f"mem-{n}-{time.time()}",
        }
        started = time.monotonic()
        response = client.post(
            f"/jobs/{job['id']}/photos",
            data=form,
            files={"photo": ("photo", data, "application/octet-stream")},
            headers={"X-Requested-With": "fetch"},
        )
        return response.status_code, time.monotonic() - started

    def close(self) -> None:
        for client, _, _ in self.phones:
            client.close()
        stop([self.web])


def measure(folder: Path, data: bytes, at_once: int) -> dict:
    """Peak server RSS above idle while `at_once` phones upload the same file together."""
    server = Server(folder)
    peak, done = server.idle, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, usage(server.web.pid, processes())[1])
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(at_once) as pool:
            answers = list(pool.map(lambda n: server.upload(n, data), range(at_once)))
    finally:
        done.set()
        sampler.join()
        server.close()
    return {
        "above_idle": (peak - server.idle) / MB,
        "total": peak / MB,
        "statuses": sorted({status for status, _ in answers}),
        "last": max(seconds for _, seconds in answers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="only the cases whose name contains this, e.g. HEIC")
    args = parser.parse_args()
    cases = {name: data for name, data in worst_cases().items() if args.only in name}
    header = f"{'case':<28}{'size':>8}{'at once':>9}{'peak above idle':>17}{'whole server':>14}"
    print(f"{header}{'last answer':>13}  answers")
    with tempfile.TemporaryDirectory(prefix="hk-photo-mem-") as tmp:
        for case, (name, data) in enumerate(cases.items()):
            for at_once in (1, 8):
                runs = [measure(Path(tmp) / f"{case}-{at_once}-{r}", data, at_once) for r in range(args.runs)]
                above = statistics.median(r["above_idle"] for r in runs)
                total = statistics.median(r["total"] for r in runs)
                last = statistics.median(r["last"] for r in runs)
                statuses = sorted({s for r in runs for s in r["statuses"]})
                print(
                    f"{name:<28}{len(data) / MB:>6.1f}MB{at_once:>9}{above:>14.0f} MB{total:>11.0f} MB"
                    f"{last:>11.1f} s  {statuses}"
                )
    print("targets: one upload ≤ 400 MB above idle; 8 at once ≤ 1500 MB whole server; last answer < 20 s")


if __name__ == "__main__":
    main()
