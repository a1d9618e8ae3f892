"""Where bytes live: content-addressed blobs behind a small interface (Storage).

LocalStorage keeps them as files under one root. Another backend (object storage) implements the
same protocol; tests/test_storage.py runs one contract against every backend.
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
        if not key or not _KEY_RE.fullmatch(key):
            raise ValueError(f"invalid storage key {key!r}")
        parts = key.split("/")
        # ".." anywhere is refused, not only as a path part: keys are ours, so no real key needs it.
        if key.startswith("/") or ".." in key or any(part in ("", ".") for part in parts):
            raise ValueError(f"invalid storage key {key!r}")
        path = (self.root / key).resolve()
        # resolve() follows symlinks, so a link planted inside the root cannot lead outside it.
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"storage key {key!r} leaves the storage root")
        return path

    def put(self, data: bytes, prefix: str, suffix: str) -> str:
        """Store bytes under a key derived from their sha256 and return the key."""
        sha = hashlib.sha256(data).hexdigest()
        key = f"{prefix}/{sha[:2]}/{sha}{suffix}"
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


def init_storage(app: Flask) -> None:
    """Create the app's storage from STORAGE_PATH and register it on the app."""
    app.extensions[EXTENSION_KEY] = LocalStorage(Path(app.config["STORAGE_PATH"]))


def get_storage() -> Storage:
    """The storage of the current app."""
    return current_app.extensions[EXTENSION_KEY]
