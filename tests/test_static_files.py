"""hk's scripts are served minified when setup made an up-to-date copy, and as written otherwise."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from hk.static_files import served_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def static(tmp_path, app):
    (tmp_path / "js").mkdir()
    (tmp_path / "vendor/min/js").mkdir(parents=True)
    (tmp_path / "js/outbox.js").write_text("// as written\nvar outbox = 1;\n")
    (tmp_path / "vendor/min/js/outbox.js").write_text("var outbox=1;")
    (tmp_path / "css").mkdir()
    (tmp_path / "css/app.css").write_text("body{}")
    old = app.static_folder
    app.static_folder = str(tmp_path)
    yield tmp_path
    app.static_folder = old


def _age(path: Path, seconds: int) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime - seconds, stat.st_mtime - seconds))


def test_an_up_to_date_copy_is_served(client, static):
    _age(static / "js/outbox.js", 60)
    response = client.get("/static/js/outbox.js")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "var outbox=1;"
    assert response.mimetype == "text/javascript"


def test_a_script_edited_after_setup_is_served_as_written(client, static):
    _age(static / "vendor/min/js/outbox.js", 60)  # the source is newer than its copy
    assert client.get("/static/js/outbox.js").get_data(as_text=True).startswith("// as written")


def test_without_a_copy_and_for_other_files_the_file_itself(client, static):
    (static / "vendor/min/js/outbox.js").unlink()
    assert client.get("/static/js/outbox.js").get_data(as_text=True).startswith("// as written")
    assert client.get("/static/css/app.css").get_data(as_text=True) == "body{}"
    assert client.get("/static/js/missing.js").status_code == 404
    assert served_name(static, "css/app.css") == "css/app.css"


def test_the_service_worker_is_served_from_its_copy(client, static):
    (static / "js/sw.js").write_text("// the worker\nself.x = 1;\n")
    (static / "vendor/min/js/sw.js").write_text("self.x=1;")
    _age(static / "js/sw.js", 60)
    response = client.get("/sw.js")
    assert response.get_data(as_text=True) == "self.x=1;"
    assert response.headers["Cache-Control"] == "no-cache"


def test_setup_made_a_smaller_copy_of_every_script():
    """scripts/vendor.sh (run by setup) minified every script in static/js."""
    for source in sorted((ROOT / "static/js").glob("*.js")):
        built = ROOT / "static/vendor/min/js" / source.name
        assert built.is_file(), f"{built} missing: run scripts/setup.sh"
        assert len(gzip.compress(built.read_bytes())) < len(gzip.compress(source.read_bytes()))
