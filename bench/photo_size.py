"""What a phone sends for a detailed, noisy 12 MP photo: bytes, type, size, and what survives in print.

    .venv/bin/python bench/photo_size.py [--runs 5] [--pdf OUT_DIR]

Makes `runs` photos of 4000×3000 px with a sensor's noise (tests/photo_sample.py, about 5.5 MB each,
the issue's "5 MB JPEG"), and pushes each through the real static/js/photos.js in Debian's headless
Chromium on a worker's job page served by hk (an app of its own on a temporary SQLite file). Prints,
for each: the bytes sent, their type and size, the time from choosing the file to the server's
answer (on this machine, under whatever load it has), and how close the record's 800 px print copy
is to the original scaled to 800 px, beside the copy the original itself gives when uploaded as it
is (PSNR, dB). Then the median bytes. With --pdf, the last job is signed and its record's photo page
is written as PNG (pdftoppm, 100 dpi) to look at the photo at the size it prints.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from hk.demo_jobs import sign  # noqa: E402
from hk.extensions import db  # noqa: E402
from hk.models import Job, Photo, utcnow  # noqa: E402
from hk.photos import process_photo  # noqa: E402
from hk.records.making import make_record  # noqa: E402
from hk.storage import get_storage  # noqa: E402
from tests.builders import PASSWORD, advance_job, make_job, make_user  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.fit_world import serve  # noqa: E402
from tests.e2e.photo_upload import psnr, send_photo, watch_uploads  # noqa: E402
from tests.photo_sample import noisy_photo  # noqa: E402


def _print_quality(app, job_id: int, original: bytes) -> tuple[float, float]:
    """PSNR of the stored print copy, and of the one the original gives as it is, to the ideal."""
    with app.app_context():
        photo = db.session.query(Photo).filter_by(job_id=job_id).one()
        printed = Image.open(io.BytesIO(get_storage().get(photo.print_key)))
    as_is = Image.open(io.BytesIO(process_photo(original).print_image))
    ideal = Image.open(io.BytesIO(original)).resize(printed.size, Image.Resampling.LANCZOS)
    return psnr(printed, ideal), psnr(as_is, ideal)


def _record_pages(app, job_id: int, out: Path) -> list[Path]:
    """Sign the job (its other items answered, no more photos) and write its record's pages as PNG."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        advance_job(job, "awaiting_signature", photos=False)
        record = sign(job, "周丽", "zh_CN", utcnow())
        db.session.commit()
        make_record(record.id)
        db.session.refresh(record)
        pdf = get_storage().get(record.pdf_key)
    out.mkdir(parents=True, exist_ok=True)
    (out / "record.pdf").write_bytes(pdf)
    command = ["pdftoppm", "-png", "-r", "100", str(out / "record.pdf"), str(out / "record")]
    subprocess.run(command, check=True)  # noqa: S603 (our own file names)
    return sorted(out.glob("record*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf", type=Path, help="write the last job's record pages here as PNG")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hk-photo-size-"))
    photos = []
    for n in range(args.runs):
        path = folder / f"IMG_{n:04d}.jpg"
        path.write_bytes(noisy_photo(seed=n))
        photos.append(path)

    def seed():
        worker = make_user("worker", username="photo-bench")
        return [make_job(worker, state="checked_in").id for _ in photos]

    app, base, jobs, stop = serve(folder, seed)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            watch_uploads(page)
            page.goto(f"{base}/login")
            page.fill("#username", "photo-bench")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].btn-primary")
            page.wait_for_url(lambda url: "/login" not in url)
            print(f"{'photo':<14}{'original':>10}{'sent':>10}  {'type':<11}{'size':<11}", end="")
            print(f"{'s':>6}{'print dB':>10}{'as is':>7}")
            for path, job_id in zip(photos, jobs, strict=True):
                page.goto(f"{base}/jobs/{job_id}")
                started = time.perf_counter()
                sent = send_photo(page, str(path))
                seconds = time.perf_counter() - started
                if sent.status != 201:
                    raise SystemExit(f"the server answered {sent.status} for {path.name}")
                original = path.read_bytes()
                sent_db, as_is_db = _print_quality(app, job_id, original)
                rows.append(sent.size)
                size = "×".join(map(str, sent.image.size))
                print(
                    f"{path.name:<14}{len(original) / 1024:>8.0f}KB{sent.size / 1024:>8.0f}KB  "
                    f"{sent.content_type:<11}{size:<11}{seconds:>6.2f}{sent_db:>10.2f}{as_is_db:>7.2f}"
                )
            browser.close()
        print(f"median sent: {statistics.median(rows) / 1024:.0f} KB over {len(rows)} photos (goal ≤ 400 KB)")
        if args.pdf:
            pages = _record_pages(app, jobs[-1], args.pdf)
            print("record pages:", ", ".join(str(p) for p in pages))
    finally:
        stop()


if __name__ == "__main__":
    main()
