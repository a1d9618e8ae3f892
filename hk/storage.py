"""Where bytes live: content-addressed blobs behind a small interface (Storage).

LocalStorage keeps them as files under one root; S3Storage (hk/storage_s3.py, imported only when
HK_STORAGE_URL is s3://…) keeps them as objects in an S3-compatible bucket. Both make and check
keys here; tests/test_storage.py runs one contract against every backend.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from flask import Flask, current_app

EXTENSION_KEY = "hk_storage"
FILE_MODE = 0o640
DIR_MODE = 0o750
_KEY_RE = re.compile(r"[a-z0-9_./-]+")
# What put makes: prefix/<sha[:2]>/<sha><suffix>. storage-copy reads the sha back to check the bytes.
_CONTENT_KEY_RE = re.compile(r"(?P<prefix>.+)/(?P<fan>[0-9a-f]{2})/(?P<sha>[0-9a-f]{64})(?P<suffix>[^/]*)")
# A bucket name as S3 allows it (3–63 lower-case letters, digits, dots and hyphens).
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def check_key(key: str) -> str:
    """The key itself when it is one a backend may use; ValueError for anything that could climb out
    of a root or a prefix (`..`, an absolute path, empty parts), or carries other characters."""
    if not key or not _KEY_RE.fullmatch(key):
        raise ValueError(f"invalid storage key {key!r}")
    parts = key.split("/")
    # ".." anywhere is refused, not only as a path part: keys are ours, so no real key needs it.
    if key.startswith("/") or ".." in key or any(part in ("", ".") for part in parts):
        raise ValueError(f"invalid storage key {key!r}")
    return key


def content_key(data: bytes, prefix: str, suffix: str) -> str:
    """The key `put` stores bytes under: `prefix/<sha[:2]>/<sha><suffix>`, checked."""
    sha = hashlib.sha256(data).hexdigest()
    return check_key(f"{prefix}/{sha[:2]}/{sha}{suffix}")


def split_content_key(key: str) -> tuple[str, str, str] | None:
    """(prefix, sha256, suffix) of a key `put` made, or None for a key that is not a content address."""
    match = _CONTENT_KEY_RE.fullmatch(key)
    if match is None or match["fan"] != match["sha"][:2]:
        return None
    return match["prefix"], match["sha"], match["suffix"]


@runtime_checkable
class Storage(Protocol):
    """What hk asks of a storage backend. Keys are made by `put` from the content's sha256."""

    def put(self, data: bytes, prefix: str, suffix: str) -> str:
        """Store bytes under `prefix/<sha[:2]>/<sha><suffix>` and return that key (idempotent)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under a key; FileNotFoundError if there are none."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary file to read the bytes under a key in pieces (streaming); close it after use."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove what a key names; nothing happens if it is already gone."""
        ...

    def size(self, key: str) -> int:
        """The size in bytes under a key; FileNotFoundError if there is none."""
        ...


class LocalStorage:
    """Blobs stored as files under a root directory, addressed by keys such as `photos/ab/ab12….jpg`."""

    def __init__(self, root: Path) -> None:
        """Use `root` as the storage directory; it is created on the first write."""
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        """The file a key names, after checking that the key cannot leave the root."""
        path = (self.root / check_key(key)).resolve()
        # resolve() follows symlinks, so a link planted inside the root cannot lead outside it.
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"storage key {key!r} leaves the storage root")
        return path

    def put(self, data: bytes, prefix: str, suffix: str) -> str:
        """Store bytes under a key derived from their sha256 and return the key."""
        key = content_key(data, prefix, suffix)
        path = self.path(key)
        if path.exists():
            # Same key means same content: rewriting would only cost I/O and a window of risk.
            return key
        self._make_dirs(path.parent)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as tmp:
                os.fchmod(tmp.fileno(), FILE_MODE)
                tmp.write(data)
                tmp.flush()
                # Flush to disk before the rename so a crash never leaves a short file under a real key.
                os.fsync(tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        """The bytes stored under a key; FileNotFoundError if there are none."""
        return self.path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        """The stored file, open for reading; FileNotFoundError if there is none."""
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        """Whether something is stored under a key."""
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove what is stored under a key; nothing happens if it is already gone."""
        self.path(key).unlink(missing_ok=True)

    def size(self, key: str) -> int:
        """The size in bytes of what is stored under a key; FileNotFoundError if there is none."""
        return self.path(key).stat().st_size

    def __str__(self) -> str:
        return str(self.root)

    def _make_dirs(self, folder: Path) -> None:
        missing = []
        current = folder
        while not current.exists():
            missing.append(current)
            current = current.parent
        for part in reversed(missing):
            try:
                part.mkdir(mode=DIR_MODE)
            except FileExistsError:  # another writer created it between our check and mkdir
                continue
            # mkdir's mode is filtered by the umask; chmod makes the permissions the ones we mean.
            part.chmod(DIR_MODE)


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket` or `s3://bucket/some/prefix`; ValueError when it is not one."""
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// address: {url!r}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not _BUCKET_RE.fullmatch(bucket) or ".." in bucket:
        raise ValueError(f"not an S3 bucket name: {bucket!r} (in {url!r})")
    prefix = prefix.strip("/")
    if prefix:
        try:
            check_key(prefix)
        except ValueError:
            raise ValueError(f"not a prefix hk can use: {prefix!r} (in {url!r})") from None
    return bucket, prefix


def open_storage(url: str | None, default_root: str | Path, endpoint_url: str | None = None) -> Storage:
    """The storage an HK_STORAGE_URL names: `s3://bucket/prefix` (S3Storage, at endpoint_url when
    given), a folder, or nothing (the folder default_root)."""
    if url and url.startswith("s3://"):
        from hk.storage_s3 import S3Storage  # boto3 is loaded only by an app that stores in S3

        bucket, prefix = parse_s3_url(url)
        return S3Storage(bucket, prefix, endpoint_url=endpoint_url or None)
    if url and "://" in url:
        raise ValueError(f"storage must be a folder or s3://bucket/prefix, not {url!r}")
    return LocalStorage(Path(url or default_root).expanduser())


def init_storage(app: Flask) -> None:
    """Create the app's storage (HK_STORAGE_URL, else STORAGE_PATH) and register it on the app."""
    app.extensions[EXTENSION_KEY] = open_storage(
        app.config.get("STORAGE_URL"), app.config["STORAGE_PATH"], app.config.get("S3_ENDPOINT_URL")
    )


def get_storage() -> Storage:
    """The storage of the current app."""
    return current_app.extensions[EXTENSION_KEY]
