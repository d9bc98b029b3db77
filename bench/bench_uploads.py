"""Shows that a large upload never passes through the web process when S3 is configured: starts the moto S3
server over HTTP, points the app at it, and uploads BENCH_UPLOAD_MB (default 20) MB the way the browser does —
ask the app for a ticket, POST the bytes to the bucket with the presigned form, ask the app to check them. A
WSGI middleware counts the request bytes the app receives. Prints the sizes, the bytes the app saw, and the
median / p95 of the whole upload and of the app's two requests alone.

Run:  .venv/bin/python bench/bench_uploads.py        (moto_server comes with the dev dependencies)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import environment
from saas.app import create_app
from saas.config import load_settings
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.tenants.services import create_studio
from tests.conftest import Browser
from tests.integration.test_files import BytesSeen

MEGABYTES = int(os.environ.get("BENCH_UPLOAD_MB", "20"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "10"))
PASSWORD = "bench-password-1"


def _moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def _percentile95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    process, endpoint = _moto()
    try:
        run(endpoint)
    finally:
        process.terminate()
        process.wait(10)


def run(endpoint: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-uploads-"))
    s3 = {"S3_BUCKET": "bench-files", "S3_ENDPOINT_URL": endpoint, "S3_ACCESS_KEY_ID": "x", "S3_SECRET_ACCESS_KEY": "x"}
    env = {**environment(folder), **s3, "MAX_UPLOAD_BYTES": str((MEGABYTES + 1) * 1024 * 1024)}
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).create_bucket(Bucket="bench-files")
    upgrade(load_settings(env))
    app = create_app(env)
    with app.app_context():
        create_studio("Uploads", "uploads", "Owner", "owner@uploads.bench", PASSWORD, "en")
        db.session.commit()
    seen = BytesSeen(app.wsgi_app)
    app.wsgi_app = seen
    app.test_client_class = Browser
    browser = app.test_client()
    assert browser.login("owner@uploads.bench", PASSWORD).status_code == 302
    package = b"PK\x03\x04" + os.urandom(MEGABYTES * 1024 * 1024)
    headers = {"X-CSRFToken": browser.csrf_token()}
    whole, app_only = [], []
    for number in range(REPEAT):
        before = seen.total
        started = time.perf_counter()
        body = {
            "name": f"delivery-{number}.zip",
            "size": len(package),
            "content_type": "application/zip",
            "purpose": "delivery",
        }
        ticket = browser.post("/app/files", json=body, headers=headers).get_json()
        app_time = time.perf_counter() - started
        fields = {**ticket["upload"]["fields"], "file": ("delivery.zip", package, "application/zip")}
        assert urllib3.request("POST", ticket["upload"]["url"], fields=fields).status in (200, 204)
        completed = time.perf_counter()
        done = browser.post(ticket["complete_url"], headers=headers)
        assert done.get_json()["size"] == len(package), done.get_json()
        finished = time.perf_counter()
        app_only.append((app_time + finished - completed) * 1000)
        whole.append((finished - started) * 1000)
        app_bytes = seen.total - before
    print(f"upload: {len(package):,} bytes ({MEGABYTES} MB) x {REPEAT}, S3 = moto server over HTTP")
    print(f"bytes the web process received per upload: {app_bytes:,} (JSON ticket request + completion)")
    _line("whole upload (ticket, browser → bucket, check)", whole)
    _line("the app's part (ticket + check)", app_only)


def _line(label: str, values: list[float]) -> None:
    print(f"{label:<48} median {statistics.median(values):7.1f} ms   p95 {_percentile95(values):7.1f} ms")


if __name__ == "__main__":
    main()
