"""S3Storage beyond the common contract (tests/test_storage.py), against moto's S3 server (tests/s3.py),
and how HK_STORAGE_URL chooses the storage."""

import base64
import hashlib
import io
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError, IncompleteReadError

from hk.config import ConfigError
from hk.storage import LocalStorage, get_storage, parse_s3_url
from hk.storage_s3 import CorruptedUpload, S3Storage, _stored_as_sent


@pytest.fixture
def s3(s3_bucket) -> S3Storage:
    return S3Storage(s3_bucket.name, "hk", endpoint_url=s3_bucket.endpoint_url)


def requests_of(storage: S3Storage, operation: str) -> list:
    """The requests the storage's client sends for an operation (PutObject, GetObject…), as sent."""
    sent: list = []

    def seen(request, **_):
        sent.append(request)

    storage.client.meta.events.register(f"before-send.s3.{operation}", seen)
    return sent


def test_objects_are_named_by_key_under_the_prefix(s3, s3_bucket):
    key = s3.put(b"a photo", "photos", ".jpg")

    assert s3_bucket.names() == [f"hk/{key}"]
    other = S3Storage(s3_bucket.name, "other", endpoint_url=s3_bucket.endpoint_url)
    assert not other.exists(key)
    assert S3Storage(s3_bucket.name, "/hk/", endpoint_url=s3_bucket.endpoint_url).get(key) == b"a photo"


def test_the_same_bytes_twice_make_one_object_and_one_upload(s3, s3_bucket):
    puts = requests_of(s3, "PutObject")

    first = s3.put(b"same", "photos", ".jpg")
    second = s3.put(b"same", "photos", ".jpg")

    assert first == second
    assert len(puts) == 1
    assert s3_bucket.names() == [f"hk/{first}"]


def test_each_put_carries_the_content_md5_of_its_bytes(s3):
    """The service refuses a body that does not match it (BadDigest). moto does not check it, so the
    test checks what is sent: one PUT, the whole body, its MD5, and no aws-chunked CRC trailer."""
    data = os.urandom(200_000)
    puts = requests_of(s3, "PutObject")

    s3.put(data, "records", ".pdf")

    (request,) = puts
    assert request.headers["Content-MD5"] == base64.b64encode(hashlib.md5(data).digest())  # noqa: S324
    assert int(request.headers["Content-Length"]) == len(data)
    assert "aws-chunked" not in str(request.headers.get("Content-Encoding", ""))


@pytest.mark.parametrize(("prefix", "suffix"), [("../up", ".jpg"), ("/abs", ".jpg"), ("photos", "/../x")])
def test_put_refuses_a_prefix_or_suffix_that_makes_a_bad_key(s3, s3_bucket, prefix, suffix):
    puts = requests_of(s3, "PutObject")
    with pytest.raises(ValueError):
        s3.put(b"x", prefix, suffix)
    assert puts == [] and s3_bucket.names() == []


def test_a_put_that_fails_on_the_way_leaves_nothing_under_the_key(s3, s3_bucket):
    def dropped(request, **_):
        raise ConnectionResetError("connection dropped")

    s3.client.meta.events.register("before-send.s3.PutObject", dropped)
    with pytest.raises(ConnectionResetError):
        s3.put(b"half", "photos", ".jpg")
    s3.client.meta.events.unregister("before-send.s3.PutObject", dropped)

    assert s3_bucket.names() == []
    key = s3.put(b"half", "photos", ".jpg")
    assert s3.get(key) == b"half"


def test_bytes_changed_on_the_way_are_refused_and_leave_nothing_under_the_key(s3, s3_bucket):
    """A service that does not check Content-MD5 (moto does not) keeps what arrived; its ETag, the MD5
    of what it kept, tells: the object is deleted, the put fails, and the same bytes put again are
    stored whole rather than found "already there"."""
    data = b"\xff\xd8 a photo's bytes \xff\xd9"

    def flipped(request, **_):
        sent = request.body.getvalue()  # a BytesIO
        request.body = io.BytesIO(b"X" + sent[1:])  # one byte changed, the length kept

    s3.client.meta.events.register("before-send.s3.PutObject", flipped)
    with pytest.raises(CorruptedUpload):
        s3.put(data, "photos", ".jpg")
    s3.client.meta.events.unregister("before-send.s3.PutObject", flipped)

    assert s3_bucket.names() == []
    key = s3.put(data, "photos", ".jpg")
    assert s3.get(key) == data


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ({"ETag": '"5d41402abc4b2a76b9719d911017c592"'}, True),  # md5("hello")
        ({"ETag": '"00000000000000000000000000000000"'}, False),
        ({"ETag": '"00000000000000000000000000000000"', "ServerSideEncryption": "aws:kms"}, True),
        ({"ETag": '"00000000000000000000000000000000"', "SSECustomerAlgorithm": "AES256"}, True),
        ({"ETag": '"00000000000000000000000000000000"', "ServerSideEncryption": "AES256"}, False),
        ({"ETag": '"5d41402abc4b2a76b9719d911017c592-1"'}, True),  # not an MD5: nothing to compare
    ],
)
def test_which_etags_say_the_bytes_were_kept(answer, kept):
    assert _stored_as_sent(answer, hashlib.md5(b"hello", usedforsecurity=False).digest()) is kept


def test_open_streams_the_object_and_closes_its_connection(s3):
    data = os.urandom(2 * 1024 * 1024)
    key = s3.put(data, "records", ".pdf")

    with s3.open(key) as stream:
        response = stream._body._raw_stream  # urllib3's response: the connection it reads from
        first = stream.read(1024)
        assert len(first) == 1024 and not response.closed  # the rest is still on the wire
        rest = stream.read()
    assert first + rest == data
    assert stream.closed and response.closed


def test_a_short_body_is_an_error_not_a_short_read(s3):
    """botocore compares the bytes that arrived with the object's length; read through `with` too."""
    key = s3.put(os.urandom(100_000), "records", ".pdf")

    with s3.open(key) as stream:
        stream._body._content_length = "100001"  # as if the connection ended one byte early
        with pytest.raises(IncompleteReadError):
            stream.read()


def test_a_missing_bucket_is_an_error_not_a_missing_key(s3_bucket):
    nowhere = S3Storage("hk-no-such-bucket", endpoint_url=s3_bucket.endpoint_url)

    with pytest.raises(ClientError, match="NoSuchBucket"):
        nowhere.get("photos/ab/x.jpg")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        nowhere.put(b"x", "photos", ".jpg")


def test_each_process_makes_its_own_client(s3, monkeypatch):
    """A client made before gunicorn forks is not used by the children (it would share connections)."""
    first = s3.client
    assert s3.client is first
    monkeypatch.setattr("hk.storage_s3.os.getpid", lambda: -1)
    assert s3.client is not first


def test_hk_storage_url_stores_the_app_in_the_bucket(s3_app, s3_bucket):
    storage = get_storage()
    key = storage.put(b"bytes", "photos", ".jpg")

    assert isinstance(storage, S3Storage)
    assert str(storage) == f"s3://{s3_bucket.name}/hk/ at {s3_bucket.endpoint_url}"
    assert s3_bucket.names() == [f"hk/{key}"]


def test_hk_storage_url_may_be_a_folder(make_app, tmp_path):
    other = make_app(STORAGE_URL=str(tmp_path / "blobs"))
    with other.app_context():
        storage = get_storage()
        key = storage.put(b"bytes", "photos", ".jpg")
    assert isinstance(storage, LocalStorage)
    assert (tmp_path / "blobs" / key).read_bytes() == b"bytes"


@pytest.mark.parametrize(
    "url",
    [
        "s3://",
        "s3://UPPER/hk",
        "s3://ab",
        "s3://bucket/../up",
        "s3://bucket/a b",
        "ftp://host/x",
        "file:///x",
    ],
)
def test_a_storage_url_hk_cannot_use_stops_the_app(make_app, url):
    with pytest.raises(ConfigError, match="HK_STORAGE_URL"):
        make_app(STORAGE_URL=url)


def test_parse_s3_url():
    assert parse_s3_url("s3://hk-blobs") == ("hk-blobs", "")
    assert parse_s3_url("s3://hk-blobs/") == ("hk-blobs", "")
    assert parse_s3_url("s3://hk.blobs/company/a/") == ("hk.blobs", "company/a")


def test_the_default_install_never_imports_boto3(tmp_path):
    code = (
        "import sys; from hk import create_app;"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'INSTANCE_PATH': {str(tmp_path)!r}}});"
        "assert not {'boto3', 'botocore', 'hk.storage_s3'} & set(sys.modules), sorted(sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HK_")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
