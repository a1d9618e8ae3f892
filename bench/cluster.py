"""hk served as an operator serves it: gunicorn app servers on free ports and the queue worker, beside
the services several servers share (moto's S3 server as the bucket, a Redis), each started, waited
for and stopped. Used by bench/load.py and by the tests that need real servers
(tests/test_two_servers.py; tests/s3.py starts its moto server here).

Nothing here imports hk: everything runs in child processes, with the environment it is given.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# boto3 reads these itself; anything a developer's own AWS setup says is kept out of the runs.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
AWS_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# The Redis databases a run may take for itself (0 and the low numbers are left to people and tests).
REDIS_DBS = range(15, 7, -1)
REDIS_CLAIM = "hk-run-owner"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(hk: dict[str, str], aws: bool = False) -> dict[str, str]:
    """This process's environment without any HK_* setting of its own, then `hk`'s (names without
    HK_); with aws, boto3's settings for the moto server (and none of the developer's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HK_")}
    if aws:
        for name in AWS_UNSET:
            env.pop(name, None)
        env.update(AWS_ENV)
    env.update({f"HK_{k}": str(v) for k, v in hk.items()})
    return env


def flask(env: dict, *args: str, check: bool = True) -> str:
    """Run `flask --app app ARGS` as an operator would; its output."""
    cmd = [str(BIN / "flask"), "--app", "app", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if check and done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return (done.stdout + done.stderr).strip()


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A server process in its own session (Ctrl-C reaches only us), its output in a log file."""
    with log.open("ab") as out:
        kw = {"cwd": ROOT, "env": env, "stdout": out, "stderr": subprocess.STDOUT, "start_new_session": True}
        return subprocess.Popen(cmd, **kw)  # noqa: S603


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM, wait, then SIGKILL what is left (each process's own group, nothing else)."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def answers(url: str, timeout: float = 2) -> bool:
    """Whether GET url answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our own servers)
            return response.status == 200
    except OSError:
        return False


def wait_ready(url: str, process: subprocess.Popen, limit: float = 60, what: str = "the server") -> None:
    """Until GET url answers 200; RuntimeError when the process ends or time runs out first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        if answers(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} in {limit:.0f} s")


def web_command(port: int, workers: int, threads: int) -> list[str]:
    """gunicorn as scripts/run.sh starts it, on one port of 127.0.0.1."""
    cmd = [str(BIN / "gunicorn"), "-c", "python:hk.gunicorn_conf", "--workers", str(workers)]
    return [*cmd, "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "app:app"]


def queue_command(kind: str, workers: int) -> list[str]:
    """The queue worker, `huey_consumer hk.worker.huey`, with `workers` threads or processes."""
    return [str(BIN / "huey_consumer"), "hk.worker.huey", "-k", kind, "-w", str(workers)]


def start_moto(log) -> tuple[subprocess.Popen, str]:
    """moto's standalone S3 server on a free port, once it answers; a port taken in between is tried
    again. `log` is an open binary file."""
    for _ in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            if answers(f"{url}/moto-api/", timeout=1):
                return process, url
            time.sleep(0.1)
        process.kill()
        process.wait()
    raise RuntimeError(f"moto_server did not start; see {log.name}")


def make_bucket(endpoint_url: str, name: str) -> None:
    """A new bucket on an S3 server (moto's), with the AWS_ENV credentials."""
    import boto3

    client = boto3.session.Session(
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=AWS_ENV["AWS_DEFAULT_REGION"],
    ).client("s3", endpoint_url=endpoint_url)
    client.create_bucket(Bucket=name)


def _redis(db: int = 0):
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_connect_timeout=1, socket_timeout=5)


def redis_answers() -> bool:
    """Whether a Redis answers on 127.0.0.1:6379."""
    import redis

    try:
        return bool(_redis().ping())
    except redis.RedisError:
        return False


def start_redis(log: Path) -> subprocess.Popen | None:
    """Debian's redis-server on 127.0.0.1:6379 when none answers there (None when one does), keeping
    nothing on disk; RuntimeError when there is no redis-server or it does not come up."""
    if redis_answers():
        return None
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("no Redis answers on 127.0.0.1:6379 and there is no redis-server to start")
    cmd = [server, "--bind", REDIS_HOST, "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"]
    process = start(cmd, dict(os.environ), log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        if redis_answers():
            return process
        time.sleep(0.1)
    stop([process])
    raise RuntimeError(f"redis-server did not start; see {log}")


@contextlib.contextmanager
def redis_database(owner: str) -> Iterator[str]:
    """redis://127.0.0.1:6379/N of a database this run takes for itself (empty, then marked as ours),
    flushed when the run ends: never one another run or a person is using."""
    for number in REDIS_DBS:
        client = _redis(number)
        if client.dbsize() == 0 and client.set(REDIS_CLAIM, owner, nx=True, ex=6 * 3600):
            if client.dbsize() == 1:
                break
            client.delete(REDIS_CLAIM)  # someone else began using it at the same instant
        client.close()
    else:
        raise RuntimeError(f"no empty Redis database among {list(REDIS_DBS)} on 127.0.0.1:6379")
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    finally:
        if client.get(REDIS_CLAIM) == owner.encode():
            client.flushdb()
        client.close()


@dataclass
class Servers:
    """Running app servers (one base URL each) and the queue worker."""

    bases: list[str]
    web: list[subprocess.Popen]
    queue: subprocess.Popen | None
    logs: list[Path] = field(default_factory=list)

    def log_text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs if path.exists())


@contextlib.contextmanager
def serving(
    env: dict,
    folder: Path,
    servers: int = 1,
    workers: int = 2,
    threads: int = 4,
    queue: tuple[str, int] | None = ("process", 2),
    own_instances: bool = False,
) -> Iterator[Servers]:
    """`servers` gunicorns (workers × threads each) on free ports and a queue worker (kind, count),
    all with `env`; stopped on the way out. With own_instances each gets an instance folder of its
    own (HK_INSTANCE_PATH), as on machines of their own: nothing there can be shared."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(servers)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    procs: list[subprocess.Popen] = []
    logs: list[Path] = []

    def env_of(name: str) -> dict:
        if not own_instances:
            return env
        instance = folder / name
        instance.mkdir(exist_ok=True)
        return {**env, "HK_INSTANCE_PATH": str(instance)}

    worker = None
    try:
        for n, port in enumerate(ports, 1):
            logs.append(folder / f"web-{n}.log")
            procs.append(start(web_command(port, workers, threads), env_of(f"web-{n}"), logs[-1]))
        web = list(procs)
        if queue is not None:
            logs.append(folder / "queue.log")
            worker = start(queue_command(*queue), env_of("queue"), logs[-1])
            procs.append(worker)
        for base, process in zip(bases, web, strict=True):
            wait_ready(f"{base}/healthz", process, what=f"gunicorn at {base}")
        if worker is not None and worker.poll() is not None:
            raise RuntimeError(f"the queue worker exited with {worker.returncode}: see {logs[-1]}")
        yield Servers(bases, web, worker, logs)
    finally:
        stop(procs)
