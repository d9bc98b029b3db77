"""Stripe webhook endpoint under load: BENCH_EVENTS signed events (default 1,500; one in ten a redelivery of an
earlier one) arrive at BENCH_RATE per second (default 50) on POST /webhooks/stripe, each verified on the raw
body, recorded by its id and handed to RQ on a real Redis — the handling itself runs later in a worker, which is
not running here, so this times exactly what the endpoint does. Arrivals are paced on a clock (an open loop:
a slow answer does not delay the next arrival), served by 4 threads through the WSGI app. Prints the latency
median, p95, p99 and max, the rate reached, and what was recorded and queued.

Run:  .venv/bin/python bench/bench_webhooks.py      (starts redis-server on a free port unless BENCH_REDIS_URL)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_webhooks.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import environment
from saas.app import create_app
from saas.config import load_settings
from saas.dbadmin import upgrade
from saas.wsgi_server import settle_memory
from tests.stripe_standin import event, sign

EVENTS = int(os.environ.get("BENCH_EVENTS", "1500"))
RATE = float(os.environ.get("BENCH_RATE", "50"))
SECRET = "whsec_bench"


def _redis() -> tuple[str, subprocess.Popen | None]:
    if os.environ.get("BENCH_REDIS_URL"):
        return os.environ["BENCH_REDIS_URL"], None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0", process


def _events() -> list[bytes]:
    bodies = []
    for number in range(EVENTS):
        if number % 10 == 9:
            bodies.append(bodies[number // 2])  # a redelivery of an earlier event
            continue
        session = {
            "id": f"cs_test_{number:06d}",
            "object": "checkout.session",
            "payment_intent": f"pi_{number:06d}",
            "payment_status": "paid",
            "amount_total": 1_280_000,
            "currency": "cny",
            "metadata": {"atelier_tenant": "00000000-0000-0000-0000-000000000000", "atelier_invoice": "x"},
        }
        bodies.append(json.dumps(event("checkout.session.completed", session, "acct_bench")).encode())
    return bodies


def main() -> None:
    redis_url, redis_process = _redis()
    try:
        run(redis_url)
    finally:
        if redis_process is not None:
            redis_process.terminate()


def run(redis_url: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-webhooks-"))
    stripe = {"STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": SECRET, "REDIS_URL": redis_url}
    env = {**environment(folder), **stripe}
    upgrade(load_settings(env))
    app = create_app(env)
    from saas.jobs import job_queue

    with app.app_context():
        job_queue(app).empty()
    bodies = _events()
    client = app.test_client()
    warm = json.dumps(event("ping", {"object": "x", "metadata": {}}, None)).encode()
    client.post("/webhooks/stripe", data=warm, headers={"Stripe-Signature": sign(warm, SECRET)})
    settle_memory()

    def deliver(body: bytes, due: float) -> tuple[float, int]:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        started = time.perf_counter()
        # Signed at send time, as Stripe does: the timestamp is part of what is verified.
        answer = app.test_client().post(
            "/webhooks/stripe",
            data=body,
            headers={"Stripe-Signature": sign(body, SECRET), "Content-Type": "application/json"},
        )
        return (time.perf_counter() - started) * 1000, answer.status_code

    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(deliver, body, start + n / RATE) for n, body in enumerate(bodies)]
        results = [f.result() for f in futures]
    elapsed = time.perf_counter() - start
    timings = sorted(ms for ms, _status in results)
    assert all(status == 200 for _ms, status in results), {s for _m, s in results}

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(len(timings) * p))]

    with app.app_context():
        from saas.extensions import db
        from saas.payments.models import StripeEvent

        recorded = db.session.query(StripeEvent).count()
        queued = job_queue(app).count
    print(f"backend: {env['DATABASE_URL'].split(':')[0]}; Redis {redis_url}")
    reached = len(bodies) / elapsed
    print(f"events: {len(bodies)} ({len(bodies) // 10} redeliveries) at {RATE:g}/s → {reached:.1f}/s reached")
    print(
        f"POST /webhooks/stripe (verify + record + enqueue)  median {statistics.median(timings):6.1f} ms   "
        f"p95 {pct(0.95):6.1f} ms   p99 {pct(0.99):6.1f} ms   max {timings[-1]:6.1f} ms"
    )
    print(f"recorded events: {recorded} (+1 warm-up); jobs queued: {queued}")


if __name__ == "__main__":
    main()
