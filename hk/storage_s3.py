"""S3Storage: the blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph…), under a prefix.

Imported only when HK_STORAGE_URL is s3://…, so an install that keeps its files on disk never loads
boto3. Keys are made and checked exactly as LocalStorage's (hk/storage.py); the object's name is
`<prefix>/<key>`. Credentials and region are boto3's own (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION, or its config files); HK_S3_ENDPOINT_URL points at a service other than AWS.

The bytes are never handed out by address: every photo and PDF is still read here and served by hk's
own routes, after their access checks.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import os
import threading
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from hk.storage import check_key, content_key

# Error codes S3 answers for a key that is not there (HEAD has no body, so only its status).
_MISSING = {"NoSuchKey", "NotFound", "404"}
# One boto3 session per process makes the clients (loading the service's description once); a
# session is not safe across threads, so clients are made under a lock. Clients themselves are.
_session_lock = threading.Lock()
_sessions: dict[int, boto3.session.Session] = {}


def _client_config(path_style: bool) -> Config:
    return Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 4, "mode": "standard"},
        # Each put carries its own Content-MD5, checked by AWS, MinIO, Ceph and the like; boto3's newer
        # default (since 1.36: a CRC32 trailer in an aws-chunked body) not every S3-compatible
        # service understands.
        request_checksum_calculation="when_required",
        # Another service's endpoint names the bucket in the path, not as a host name it may not serve.
        s3={"addressing_style": "path" if path_style else "auto"},
    )


class CorruptedUpload(OSError):
    """The object storage kept other bytes than were sent; nothing is left under the key."""


def _stored_as_sent(answer: dict, digest: bytes) -> bool:
    """Whether a PutObject answer's ETag is the MD5 of the bytes sent, where S3 makes it that: not for
    objects encrypted with a KMS key or a key of the client's, whose ETag is something else."""
    if answer.get("ServerSideEncryption") == "aws:kms" or answer.get("SSECustomerAlgorithm"):
        return True
    etag = str(answer.get("ETag", "")).strip('"')
    return len(etag) != 32 or etag.lower() == digest.hex()


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _MISSING


def _not_found(key: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, "not in storage", key)


class ObjectStream(io.RawIOBase):
    """An object's body as a binary file. botocore's own StreamingBody gives, under `with`, the raw
    HTTP response instead of itself, and so skips its check that every byte arrived; this does not."""

    def __init__(self, body) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._body.read(None if size is None or size < 0 else size)

    def readall(self) -> bytes:
        return self._body.read()

    def readinto(self, buffer) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Storage:
    """Blobs as objects `<prefix>/<key>` in one bucket."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        """Use `bucket` (which must exist) under `prefix`; nothing is asked of the service until used."""
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self._client = None
        self._client_pid: int | None = None

    @property
    def client(self):
        """This process's S3 client (thread-safe once made). A client made before a fork (gunicorn's
        processes, the queue worker's) is not reused in the child: they would share its connections."""
        pid = os.getpid()
        if self._client is None or self._client_pid != pid:
            with _session_lock:
                if self._client is None or self._client_pid != pid:
                    if pid not in _sessions:
                        _sessions[pid] = boto3.session.Session()
                    session = _sessions[pid]
                    self._client = session.client(
                        "s3",
                        endpoint_url=self.endpoint_url,
                        config=_client_config(path_style=bool(self.endpoint_url)),
                    )
                    self._client_pid = pid
        return self._client

    def name(self, key: str) -> str:
        """The object name a key is stored under, after checking the key as LocalStorage does."""
        return self.prefix + check_key(key)

    def put(self, data: bytes, prefix: str, suffix: str) -> str:
        """Store bytes under a key derived from their sha256 and return the key.

        One PUT: S3 shows an object only once all of it has arrived, so no reader ever sees half of
        one. Its Content-MD5 makes the service refuse bytes changed on the way (BadDigest); a service
        that does not check it still answers with the ETag of what it stored, the MD5 of its bytes
        (unless encrypted with a key of KMS or of the client's), and an object whose ETag is not the
        MD5 of `data` is deleted and the put fails (CorruptedUpload): a later put of the same bytes
        would otherwise find the key taken and trust it.
        """
        key = content_key(data, prefix, suffix)
        name = self.prefix + key
        if self._head(name) is not None:
            # Same key means same content: uploading again would only cost time and traffic.
            return key
        digest = hashlib.md5(data, usedforsecurity=False).digest()
        answer = self.client.put_object(
            Bucket=self.bucket, Key=name, Body=data, ContentMD5=base64.b64encode(digest).decode()
        )
        if not _stored_as_sent(answer, digest):
            self.client.delete_object(Bucket=self.bucket, Key=name)
            raise CorruptedUpload(errno.EIO, "the storage kept other bytes than were sent", key)
        return key

    def get(self, key: str) -> bytes:
        """The bytes stored under a key; FileNotFoundError if there are none."""
        with self.open(key) as body:
            return body.read()

    def open(self, key: str) -> BinaryIO:
        """The object's body, read from the network as it is read here; close it after use.

        botocore checks that as many bytes arrive as the object has, and raises if fewer do.
        """
        name = self.name(key)
        try:
            return ObjectStream(self.client.get_object(Bucket=self.bucket, Key=name)["Body"])
        except ClientError as error:
            if _missing(error):
                raise _not_found(key) from None
            raise

    def exists(self, key: str) -> bool:
        """Whether something is stored under a key."""
        return self._head(self.name(key)) is not None

    def delete(self, key: str) -> None:
        """Remove what is stored under a key; nothing happens if it is already gone."""
        self.client.delete_object(Bucket=self.bucket, Key=self.name(key))

    def size(self, key: str) -> int:
        """The size in bytes of what is stored under a key; FileNotFoundError if there is none."""
        head = self._head(self.name(key))
        if head is None:
            raise _not_found(key)
        return int(head["ContentLength"])

    def __str__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def _head(self, name: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _missing(error):
                return None
            raise
