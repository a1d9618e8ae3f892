import hashlib
import os
import stat

import pytest
from flask import Flask

from hk.storage import LocalStorage, Storage, get_storage, init_storage

# Every backend must pass the contract tests (those that take `storage`): files under a folder, and
# objects in a bucket of moto's S3 server (tests/s3.py), under a prefix.
BACKENDS = ["local", "s3"]


@pytest.fixture(params=BACKENDS)
def storage(request, tmp_path) -> Storage:
    if request.param == "s3":
        from hk.storage_s3 import S3Storage

        bucket = request.getfixturevalue("s3_bucket")
        backend = S3Storage(bucket.name, "hk", endpoint_url=bucket.endpoint_url)
    else:
        backend = LocalStorage(tmp_path / "storage")
    assert isinstance(backend, Storage)
    return backend


@pytest.fixture
def local(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "storage")


def files_under(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_then_get_returns_the_same_bytes_under_a_content_address(storage):
    data = b"\xff\xd8 a photo"
    sha = hashlib.sha256(data).hexdigest()

    key = storage.put(data, "photos", ".jpg")

    assert key == f"photos/{sha[:2]}/{sha}.jpg"
    assert storage.get(key) == data
    assert storage.exists(key)
    assert storage.size(key) == len(data)


def test_open_reads_a_large_blob_in_pieces(storage):
    data = os.urandom(3 * 1024 * 1024 + 17)
    key = storage.put(data, "records", ".pdf")

    with storage.open(key) as stream:
        pieces = iter(lambda: stream.read(64 * 1024), b"")
        assert b"".join(pieces) == data
    with pytest.raises(FileNotFoundError):
        storage.open("records/00/missing.pdf")


def test_the_same_bytes_twice_give_one_key_and_one_file(local, monkeypatch):
    storage = local
    first = storage.put(b"same", "photos", ".jpg")

    def no_rewrite(*args):
        raise AssertionError("an existing key must not be written again")

    monkeypatch.setattr(os, "replace", no_rewrite)
    second = storage.put(b"same", "photos", ".jpg")

    assert first == second
    assert files_under(storage.root) == [storage.root / first]


def test_different_bytes_give_different_keys(storage):
    assert storage.put(b"one", "photos", ".jpg") != storage.put(b"two", "photos", ".jpg")


def test_files_land_under_the_root_with_private_permissions(local, tmp_path):
    storage = local
    key = storage.put(b"record", "records", ".pdf")
    path = storage.root / key

    assert path.is_file()
    assert path.resolve().is_relative_to((tmp_path / "storage").resolve())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o750
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o750
    assert not [p for p in files_under(storage.root) if p.name.startswith(".tmp-")]


def test_delete_is_idempotent(storage):
    key = storage.put(b"gone soon", "photos", ".jpg")

    storage.delete(key)
    storage.delete(key)

    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.get(key)


def test_a_missing_key_does_not_exist(storage):
    assert not storage.exists("photos/ab/nothing.jpg")
    with pytest.raises(FileNotFoundError):
        storage.size("photos/ab/nothing.jpg")


BAD_KEYS = [
    "",
    "../secret",
    "photos/../../secret",
    "photos/..",
    "photos/a..b",
    "/etc/passwd",
    "//etc/passwd",
    "photos//x.jpg",
    "photos/./x.jpg",
    ".",
    "Photos/x.jpg",
    "photos/x y.jpg",
    "photos\\x.jpg",
    "photos/x.jpg\x00",
    "photos/照片.jpg",
    "photos/x.jpg\n",
    "~/x",
]


@pytest.mark.parametrize("key", BAD_KEYS)
@pytest.mark.parametrize("method", ["get", "open", "exists", "delete", "size"])
def test_bad_keys_are_refused(storage, key, method):
    with pytest.raises(ValueError):
        getattr(storage, method)(key)


@pytest.mark.parametrize(("prefix", "suffix"), [("../up", ".jpg"), ("/abs", ".jpg"), ("photos", "/../x")])
def test_put_refuses_a_prefix_or_suffix_that_makes_a_bad_key(local, prefix, suffix):
    with pytest.raises(ValueError):
        local.put(b"x", prefix, suffix)
    assert not local.root.exists() or not files_under(local.root)


def test_a_symlink_cannot_lead_out_of_the_root(local, tmp_path):
    storage = local
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    storage.root.mkdir(parents=True)
    (storage.root / "photos").symlink_to(outside)

    with pytest.raises(ValueError):
        storage.get("photos/secret.txt")


def test_init_storage_registers_storage_at_the_configured_path(tmp_path):
    app = Flask(__name__)
    app.config["STORAGE_PATH"] = str(tmp_path / "store")

    init_storage(app)

    with app.app_context():
        storage = get_storage()
        key = storage.put(b"bytes", "photos", ".jpg")
    assert isinstance(storage, LocalStorage)
    assert (tmp_path / "store" / key).read_bytes() == b"bytes"
