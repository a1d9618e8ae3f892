"""Render and sign time and size of a reference service record.

    python bench/record.py [--out record.pdf]   # --out keeps the last signed PDF to look at

The reference: a daily-cleaning job with every stage done, Chinese text, notes, 12 photos made from
4000×3000 phone-sized JPEGs (through hk.photos, as uploads are), a drawn signature. Median of 10 runs.
"""

from __future__ import annotations

import argparse
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
from sqlalchemy import select  # noqa: E402

from hk import create_app  # noqa: E402
from hk.config import TestConfig  # noqa: E402
from hk.demo import seed_demo  # noqa: E402
from hk.domain.workflow import Answer, Status  # noqa: E402
from hk.extensions import db  # noqa: E402
from hk.jobs import photo_service, service  # noqa: E402
from hk.models import Job, ServiceRecord, SignOff, SignOffKind, User  # noqa: E402
from hk.photos import process_photo  # noqa: E402
from hk.records.render import render_pdf  # noqa: E402
from hk.records.review import review_data  # noqa: E402
from hk.records.service import company_keys, new_code  # noqa: E402
from hk.records.signing import sign_pdf  # noqa: E402
from hk.records.stamp import PageStamp  # noqa: E402
from hk.storage import get_storage  # noqa: E402

RUNS = 10
PHOTOS = 12


def phone_photo(seed: int) -> bytes:
    """A 4000×3000 JPEG like a phone's: smooth surfaces, shapes, sensor noise (~3.9 MB)."""
    w, h = 4000, 3000
    wall = Image.linear_gradient("L").resize((w, h)).point(lambda v: 120 + v // 3 + seed)
    img = Image.merge("RGB", (wall, wall.point(lambda v: v - 10), wall.point(lambda v: v - 35)))
    draw = ImageDraw.Draw(img)
    draw.rectangle((300 + seed * 40, 900, 1500, 2300), fill=(235, 235, 230), outline=(60, 60, 60), width=12)
    draw.ellipse((2300, 700, 3400, 1500), fill=(90, 120 + seed * 5, 160))
    noise = Image.effect_noise((w, h), 30)
    img = Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 55 / 255)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def reference_job(app) -> tuple[Job, SignOff]:
    worker = db.session.scalar(select(User).where(User.username == "worker1"))
    job = db.session.scalar(select(Job).where(Job.worker_id == worker.id).order_by(Job.id))
    device = "bench-device-0001"
    service.check_in(job, worker, device, job.scheduled_start.date())
    photos = [process_photo(phone_photo(n)) for n in range(PHOTOS)]
    slots = [(s["code"], i["code"]) for s in job.stages for i in s["items"] if i["photo_required"]]
    spare = [(s["code"], None) for s in job.stages if s["kind"] == "cleaning"]
    used = 0
    for stage in job.stages:
        # An item that needs a photo is ticked only with it: the stage's photos first.
        wanted = [slot for slot in slots if slot[0] == stage["code"]] + [
            s for s in spare if s[0] == stage["code"]
        ]
        for stage_code, item_code in wanted:
            if used < PHOTOS:
                photo_service.add_photo(
                    job, worker, device, photos[used], f"bench-{used}", stage_code, item_code
                )
                used += 1
        for item in stage["items"]:
            answer = Answer.SAFE if stage["kind"] == "safety" else Answer.DONE
            service.set_answer(job, worker, device, stage["code"], item["code"], answer)
            if item["code"] == stage["items"][0]["code"]:
                service.set_note(
                    job, worker, device, stage["code"], item["code"], "已按客户要求重点处理，无遗漏。"
                )
        if stage["kind"] == "pre_service":
            service.save_pre_service(job, worker, device, "主卧梳妆台上的玉镯", "厨房不用含氯清洁剂", True)
        if stage["kind"] == "post_service":
            service.add_handover_item(job, worker, device, "入户门钥匙", 2, "bench-key")
            service.save_handover(job, worker, device, True, "厨房油污较重，建议三个月后深度保洁。")
        service.complete_stage(job, worker, device, stage["code"])
    assert job.status == Status.AWAITING_SIGNATURE, job.status
    sig = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(sig).line([(20, 150), (120, 40), (220, 170), (360, 50), (560, 140)], fill=0, width=6)
    buf = io.BytesIO()
    sig.save(buf, "PNG")
    signoff = SignOff(
        job_id=job.id,
        kind=SignOffKind.SIGNED,
        signer_name="周丽",
        signature_key=get_storage().put(buf.getvalue(), "signatures", ".png"),
        consent_text="我已核对以上服务内容、照片和价格，确认服务已按所示完成。",
        language="zh_CN",
        shown_hash="0" * 64,
    )
    db.session.add(signoff)
    db.session.commit()
    return job, signoff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the last signed PDF here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config.update(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            INSTANCE_PATH=tmp,
            COMPANY_NAME="安心家政服务有限公司",
        )
        app = create_app(config)
        with app.app_context():
            upgrade()
            seed_demo(secrets.token_urlsafe(12), app.config["TIMEZONE"])
            job, signoff = reference_job(app)
            record = ServiceRecord(job=job, code=new_code(), language="zh_CN")
            db.session.add(record)
            db.session.flush()
            keys = company_keys()
            data = review_data(job)
            times, cpu, sizes = [], [], []
            for _ in range(RUNS):
                start, start_cpu = time.perf_counter(), time.process_time()
                rendered = render_pdf(record, signoff, data)
                stamp = PageStamp("0" * 16 + "…", rendered.hash_places)
                signed = sign_pdf(rendered.pdf, keys, reason="bench", location="bench", stamp=stamp)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                sizes.append(len(signed))
            print(f"reference record: {rendered.pages} pages, {PHOTOS} photos, Chinese text")
            print(
                f"CPU per record: median {statistics.median(cpu):.3f} s "
                f"(min {min(cpu):.3f}, first {cpu[0]:.3f} s)"
            )
            print(
                f"render + sign: median {statistics.median(times):.3f} s "
                f"(min {min(times):.3f}, max {max(times):.3f}, {RUNS} runs)"
            )
            print(f"signed PDF size: {statistics.median(sizes) / 1024 / 1024:.2f} MB")
            if args.out:
                args.out.write_bytes(signed)
                print(f"kept in {args.out}")


if __name__ == "__main__":
    main()
