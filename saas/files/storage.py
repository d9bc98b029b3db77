"""One storage interface for every file, a local folder by default and S3 when S3_BUCKET is set.

Keys always start with the owning studio's id (`tenants/<id>/...`), so one studio's files never share a
prefix with another's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from saas.config import Settings


class FileMissing(LookupError):
    pass


@dataclass(frozen=True)
class UploadTicket:
    """Where a browser sends a file itself: a presigned POST to the bucket (url + form fields)."""

    url: str
    fields: dict[str, str] = field(default_factory=dict)


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> None: ...
    def size(self, key: str) -> int: ...
    def read_start(self, key: str, length: int) -> bytes: ...
    # Direct browser transfers: None means the app itself receives the upload or streams the download.
    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket | None: ...
    def download_url(self, key: str, filename: str, attachment: bool) -> str | None: ...


UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 5 * 60  # links are made at the moment of the click; they need not live long


def content_disposition(filename: str, attachment: bool) -> str:
    """RFC 6266 with an RFC 5987 UTF-8 name (Chinese file names survive), plus an ASCII fallback."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def tenant_key(tenant_id: uuid.UUID, *parts: str) -> str:
    return "/".join(("tenants", str(tenant_id), *parts))


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError("key escapes the storage folder")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise FileMissing(key) from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def ping(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise FileMissing(key) from exc

    def read_start(self, key: str, length: int) -> bytes:
        try:
            with self._path(key).open("rb") as handle:
                return handle.read(length)
        except FileNotFoundError as exc:
            raise FileMissing(key) from exc

    def save_stream(self, key: str, stream, max_bytes: int) -> int:
        """Write an upload arriving through the app, refusing it past `max_bytes`; returns the size."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        written = 0
        with tmp.open("wb") as out:
            while chunk := stream.read(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    out.close()
                    tmp.unlink(missing_ok=True)
                    raise ValueError("too large")
                out.write(chunk)
        tmp.replace(path)
        return written

    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket | None:
        return None

    def download_url(self, key: str, filename: str, attachment: bool) -> str | None:
        return None


class S3Storage:
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileMissing(key) from exc
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def ping(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def size(self, key: str) -> int:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FileMissing(key) from exc
            raise

    def read_start(self, key: str, length: int) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{length - 1}")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileMissing(key) from exc
            raise
        return answer["Body"].read()[:length]

    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket:
        """A presigned POST the bucket itself enforces: this key, this type, at most `max_bytes`, 15 minutes."""
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=UPLOAD_SECONDS,
        )
        return UploadTicket(post["url"], dict(post["fields"]))

    def download_url(self, key: str, filename: str, attachment: bool) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(filename, attachment),
        }
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=DOWNLOAD_SECONDS)


def storage_for(settings: Settings) -> Storage:
    return S3Storage(settings) if settings.s3_bucket else LocalStorage(settings.storage_dir)
