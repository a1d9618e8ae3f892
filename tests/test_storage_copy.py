"""`flask hk storage-copy --to …`: every blob the database refers to, from the storage in use to a bucket
of moto's S3 server (tests/s3.py) or a folder, each checked against its key and its row's hash."""

import hashlib

import pytest
from sqlalchemy import select

from hk.extensions import db
from hk.models import CasePhoto, Certificate, Photo, ServiceRecord, SignOff
from hk.photos import process_photo
from hk.storage import LocalStorage, get_storage, split_content_key
from hk.storage_copy import KEY_COLUMNS, referenced_blobs
from hk.storage_s3 import S3Storage
from tests.aftersales.helpers import make_case
from tests.builders import make_user
from tests.jobs.helpers import jpeg
from tests.records.test_sign_flow import _sign, _walked

# Columns ending in _key that name no blob.
NOT_BLOBS = {"client_key", "dedupe_key", "series_key"}


def test_every_storage_key_column_is_copied(app):
    key_columns = {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_key") and column.name not in NOT_BLOBS
    }
    listed = {f"{column.table.name}.{column.name}" for column, _, _ in KEY_COLUMNS}
    assert listed == key_columns


@pytest.fixture
def company(app, client, login):
    """A signed job (photos, thumbnails, print copies, signature, record PDF), a certificate scan and
    a complaint photo, all in the app's own folder."""
    phone = _walked(client, login)
    assert _sign(phone).status_code == 303
    storage = get_storage()
    supervisor = make_user("supervisor")
    worker = db.session.scalar(select(Certificate)).worker
    worker.certificates[0].scan_key = storage.put(process_photo(jpeg(640, 480)).image, "certificates", ".jpg")
    processed = process_photo(jpeg(500, 400))
    case = make_case(supervisor)
    db.session.add(
        CasePhoto(
            complaint_id=case.id,
            storage_key=storage.put(processed.image, "photos", ".jpg"),
            thumb_key=storage.put(processed.thumb, "thumbs", ".jpg"),
            sha256=processed.sha256,
            width=processed.width,
            height=processed.height,
            size_bytes=len(processed.image),
            client_key="c1",
        )
    )
    db.session.commit()
    return app


def copy(app, *args):
    return app.test_cli_runner().invoke(args=["hk", "storage-copy", *args])


def test_copy_to_s3_finds_a_corrupt_blob_then_completes(company, s3_bucket):
    app = company
    blobs = referenced_blobs()
    kinds = {blob.what for blob in blobs}
    assert kinds == {what for _, _, what in KEY_COLUMNS}
    local = get_storage()
    photo = db.session.scalar(select(Photo))
    good = local.get(photo.storage_key)
    local.path(photo.storage_key).write_bytes(good[:-100])  # a blob damaged on the disk
    target = ["--to", s3_bucket.url("copy"), "--endpoint-url", s3_bucket.endpoint_url]

    first = copy(app, *target)

    assert first.exit_code == 1, first.output
    assert f"{len(blobs) - 1} copied, 0 already there, 0 replaced" in first.output
    assert "0 missing, 1 corrupt, 0 failed" in first.output
    assert f"CORRUPT {photo.storage_key} (photo): its bytes hash to" in first.output
    bucket = S3Storage(s3_bucket.name, "copy", endpoint_url=s3_bucket.endpoint_url)
    assert s3_bucket.names() == sorted(f"copy/{b.key}" for b in blobs if b.key != photo.storage_key)
    for blob in blobs:
        if blob.key != photo.storage_key:
            assert hashlib.sha256(bucket.get(blob.key)).hexdigest() == split_content_key(blob.key)[1]

    local.path(photo.storage_key).write_bytes(good)
    again = copy(app, *target)

    assert again.exit_code == 0, again.output
    assert f"1 copied, {len(blobs) - 1} already there, 0 replaced, 0 missing, 0 corrupt" in again.output
    assert bucket.get(photo.storage_key) == good


def test_a_missing_blob_a_record_that_disagrees_and_wrong_bytes_at_the_target(company, s3_bucket):
    app = company
    local = get_storage()
    signature = db.session.scalar(select(SignOff)).signature_key
    local.delete(signature)
    record = db.session.scalar(select(ServiceRecord))
    record.pdf_sha256 = "0" * 64  # the row says another PDF than the one stored
    db.session.commit()
    bucket = S3Storage(s3_bucket.name, "copy", endpoint_url=s3_bucket.endpoint_url)
    thumb = db.session.scalar(select(Photo)).thumb_key
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=f"copy/{thumb}", Body=b"not the thumbnail")

    result = copy(app, "--to", s3_bucket.url("copy"), "--endpoint-url", s3_bucket.endpoint_url, "--jobs", "2")

    assert result.exit_code == 1
    assert "1 replaced, 1 missing, 1 corrupt" in result.output
    assert f"REPLACED {thumb} (photo thumbnail): other bytes were at the target" in result.output
    assert f"MISSING {signature} (signature): not in the storage copied from" in result.output
    assert f"CORRUPT {record.pdf_key} (record PDF): its bytes hash to" in result.output
    assert f"its record PDF row says {'0' * 64}" in result.output
    assert bucket.get(thumb) == local.get(thumb)
    assert not bucket.exists(record.pdf_key) and not bucket.exists(signature)


def test_copy_back_from_s3_to_a_folder(company, s3_bucket, tmp_path):
    """The reverse: an app storing in S3 copies into a folder (here after the first copy filled it)."""
    app = company
    blobs = referenced_blobs()
    assert copy(app, "--to", s3_bucket.url(), "--endpoint-url", s3_bucket.endpoint_url).exit_code == 0
    local = get_storage()
    app.config.update(STORAGE_URL=s3_bucket.url(), S3_ENDPOINT_URL=s3_bucket.endpoint_url)
    from hk.storage import init_storage

    init_storage(app)
    try:
        refused = copy(app, "--to", s3_bucket.url())
        assert refused.exit_code != 0 and "is the storage in use" in refused.output

        back = copy(app, "--to", str(tmp_path / "back"))

        assert back.exit_code == 0, back.output
        assert f"{len(blobs)} copied" in back.output
        folder = LocalStorage(tmp_path / "back")
        assert all(folder.get(blob.key) == local.get(blob.key) for blob in blobs)
    finally:
        app.extensions["hk_storage"] = local


def test_a_target_that_is_no_storage_is_refused(app):
    result = copy(app, "--to", "ftp://example.com/x")
    assert result.exit_code != 0 and "folder or s3://bucket/prefix" in result.output
