"""A whole job on S3 storage (HK_STORAGE_URL=s3://…, moto's server, tests/s3.py): the photos and the
signed record land in the bucket, are served only through hk's routes, and the chain is checked there."""

import hashlib
import re
from pathlib import Path

from sqlalchemy import select

from hk.extensions import db
from hk.models import ServiceRecord, SignOff, photos_of
from hk.records import service as records
from hk.records.signing import Verdict
from hk.storage import get_storage
from hk.storage_s3 import S3Storage
from tests.records.test_sign_flow import _sign, _walked


def _files(folder: str) -> set[Path]:
    return {path for path in Path(folder).rglob("*") if path.is_file()}


def test_a_whole_job_and_its_signed_record_are_kept_in_s3(s3_app, client, login, s3_bucket):
    app = s3_app
    local_before = _files(app.config["STORAGE_PATH"])
    phone = _walked(client, login)
    assert _sign(phone).status_code == 303

    job = phone.job()
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.job_id == job.id))
    assert record.render_status == "done", record.render_error
    signoff = db.session.scalar(select(SignOff).where(SignOff.job_id == job.id))
    photos = photos_of(job)
    assert photos
    keys = {record.pdf_key, signoff.signature_key}
    keys |= {key for photo in photos for key in (photo.storage_key, photo.thumb_key, photo.print_key)}
    in_bucket = set(s3_bucket.names())
    assert {f"hk/{key}" for key in keys} <= in_bucket
    assert _files(app.config["STORAGE_PATH"]) == local_before  # nothing written to the folder

    def stored(key: str) -> bytes:
        return s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=f"hk/{key}")["Body"].read()

    pdf = stored(record.pdf_key)
    assert hashlib.sha256(pdf).hexdigest() == record.pdf_sha256
    assert records.verify_upload(pdf).verdict == Verdict.GENUINE

    # Served by hk's routes, to those allowed: the worker's photos, the customer's PDF by their link.
    photo = photos[0]
    assert client.get(f"/jobs/{job.id}/photos/{photo.id}").data == stored(photo.storage_key)
    assert client.get(f"/jobs/{job.id}/photos/{photo.id}?size=thumb").data == stored(photo.thumb_key)
    stranger = app.test_client()
    assert stranger.get(f"/jobs/{job.id}/photos/{photo.id}").status_code == 302  # to the login page
    signed = client.get(f"/jobs/{job.id}/signed").get_data(as_text=True)
    link = re.search(r'data-testid="customer-link">([^<]+)<', signed).group(1)
    download = stranger.get(link[link.index("/r/") :] + "/record.pdf")
    assert download.status_code == 200 and download.data == pdf
    login("supervisor")
    assert client.get(f"/records/{record.id}/pdf").data == pdf

    runner = app.test_cli_runner()
    whole = runner.invoke(args=["hk", "verify-chain"])
    assert whole.exit_code == 0 and "chain whole: 1 records" in whole.output, whole.output

    altered_pdf = pdf[:-10] + b"%%EOF\n"
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=f"hk/{record.pdf_key}", Body=altered_pdf)
    altered = runner.invoke(args=["hk", "verify-chain"])
    assert altered.exit_code == 1 and "its stored PDF was altered" in altered.output
    get_storage().delete(record.pdf_key)
    gone = runner.invoke(args=["hk", "verify-chain"])
    assert gone.exit_code == 1 and "its PDF is missing from storage" in gone.output
    assert isinstance(get_storage(), S3Storage)
