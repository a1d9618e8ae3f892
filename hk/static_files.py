"""hk's own scripts served minified where scripts/vendor.sh has made a copy of them.

static/js holds the scripts as written, with the comments that explain them; scripts/vendor.sh (run
by setup) writes a minified copy of each to static/vendor/min/js (terser from npm, never committed),
about 40 % smaller gzipped, which counts on a phone with one bar of signal and in the offline code's
size limit (bench/offline_size.py). A copy older than its source (a script edited since setup ran)
is not served: the source is, so an edit shows at once and a copy never serves old code.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

MINIFIED = "vendor/min"


def served_name(static_folder: str | Path, filename: str) -> str:
    """The file under static/ that answers for static/<filename>: its minified copy when up to date."""
    if not filename.startswith("js/") or not filename.endswith(".js"):
        return filename
    folder = Path(static_folder)
    source, built = folder / filename, folder / MINIFIED / filename
    try:
        if built.stat().st_mtime >= source.stat().st_mtime:
            return f"{MINIFIED}/{filename}"
    except OSError:  # no copy (setup not run) or no such source: as asked
        pass
    return filename


def install(app: Flask) -> None:
    """Flask's static view, answering hk's scripts with their minified copies."""

    def static(filename: str):
        return current_app.send_static_file(served_name(current_app.static_folder, filename))

    app.view_functions["static"] = static
