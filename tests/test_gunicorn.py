"""hk as `make run` serves it through gunicorn: the answers do not name the server software."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_with_hks_settings_sends_no_server_header(app, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "HK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HK_INSTANCE_PATH": str(tmp_path),
        "HK_QUEUE": "memory",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [
        gunicorn,
        "-c",
        "python:hk.gunicorn_conf",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "app:app",
    ]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, response = time.monotonic() + 60, None
        while response is None and time.monotonic() < deadline:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            except OSError:
                time.sleep(0.2)
        assert response is not None, "gunicorn did not answer"
        assert response.status == 200
        assert response.headers.get("Server") is None
        assert "gunicorn" not in str(response.headers).lower()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        process.terminate()
        process.wait(20)
