"""What working without signal adds to the first load of a job screen, gzipped (issue #15: ≤ 30 KB).

    .venv/bin/python bench/offline_size.py

The first time a worker opens a job screen, the page loads the outbox (idb-keyval, outbox.js,
outbox_render.js, outbox_screens.js) and registers the service worker, which loads Workbox's modules from
static/vendor/workbox (scripts/vendor.sh copies them) and imports the outbox again (from the
browser's cache: counted once). Each file is gzipped on its own at level 9, as a server or proxy
compresses each response; the words the outbox shows (the #hk-i18n attributes added to base.html)
are counted too. The shell the service worker fetches at install is the page's own css and js,
already loaded by the page: not counted again.

hk's own scripts are counted as served: the minified copy scripts/vendor.sh makes of each
(hk/static_files.py), beside the source as written. The limit is read the strict way, 30,000 bytes.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 30_000

PAGE = [
    "static/vendor/idb-keyval.js",
    "static/js/outbox.js",
    "static/js/outbox_render.js",
    "static/js/outbox_screens.js",
    "static/js/offline_stage.js",  # stages, handover items, incidents offline (offline-sign)
    "static/js/handback_key.js",  # the hand-back's key made at login (offline-sign)
    "static/js/offline_handover.js",  # the hand-over and its phone-side lock (offline-handover)
]
WORKER = [
    "static/js/sw.js",
    "static/vendor/workbox/workbox-sw.js",
    "static/vendor/workbox/workbox-core.prod.js",
    "static/vendor/workbox/workbox-routing.prod.js",
    "static/vendor/workbox/workbox-strategies.prod.js",
]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from hk.static_files import served_name

    missing = [p for p in PAGE + WORKER if not (ROOT / p).exists()]
    if missing:
        print("missing (run scripts/vendor.sh):", ", ".join(missing))
        return 2
    rows = []
    for path in PAGE + WORKER:
        served = "static/" + served_name(ROOT / "static", path.removeprefix("static/"))
        data = (ROOT / served).read_bytes()
        rows.append((path, gz((ROOT / path).read_bytes()), len(data), gz(data)))
    base = (ROOT / "templates/base.html").read_text()
    words = "\n".join(re.findall(r"^\s*data-outbox-[^\n]*$", base, re.M)).encode()
    rows.append(("templates/base.html: data-outbox-* words", gz(words), len(words), gz(words)))
    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'as written':>12}  {'served':>9}  {'served':>11}")
    for path, written, raw, packed in rows:
        print(f"{path:<{width}}  {written:>7} B gz  {raw:>7} B  {packed:>6} B gz")
    total, written = sum(r[3] for r in rows), sum(r[1] for r in rows)
    label = "total added to the first load"
    print(f"{label:<{width}}  {written:>7} B gz  {'':>9}  {total:>6} B gz (limit {LIMIT} B)")
    return 0 if total <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
