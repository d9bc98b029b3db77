"""Gunicorn, embedded so `saas serve` runs the production server without a separate config step."""

from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


def warm_up() -> None:
    """Load before forking what a first request would otherwise load in each worker: pypinyin's dictionaries
    (about a second, on the first Chinese name a worker sorts), then shared by every worker forked after."""
    from saas.i18n import sort_key

    sort_key("预热 warm-up")


def settle_memory() -> None:
    """Move everything loaded so far (the app, its templates, the libraries) out of the garbage collector's
    sight. Without it, every full collection walks those hundreds of thousands of long-lived objects, and a page
    that allocates a lot (a review page with 500 comments) pays for it in its slowest requests: p95 2-3x the
    median. With it the tail follows the median. Called once per process, after start-up."""
    gc.collect()
    gc.freeze()


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(bind: str, workers: int, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The one set of gunicorn settings, for `saas serve` and for deploy/gunicorn.conf.py alike. Each can be
    overridden from the environment: WEB_THREADS (1), WEB_TIMEOUT (30 s), FORWARDED_ALLOW_IPS (127.0.0.1: the
    proxy on this host), WEB_ACCESS_LOG (1; 0 leaves the access log to the proxy), LOG_LEVEL."""
    env = os.environ if environ is None else environ
    return {
        "bind": bind,
        "workers": workers,
        "threads": int(env.get("WEB_THREADS") or 1),
        # A request that takes longer is killed and logged: the pages are built to answer in milliseconds.
        "timeout": int(env.get("WEB_TIMEOUT") or 30),
        "graceful_timeout": 20,  # on restart, requests in flight get this long to finish
        "keepalive": 5,  # seconds; the proxy keeps upstream connections open
        # Recycle each worker now and then (jittered, so not all at once): bounds any slow leak.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        # Who may say which scheme the client used (X-Forwarded-Proto); the app trusts X-Forwarded-For/Proto/Host
        # only as far as TRUSTED_PROXIES says.
        "forwarded_allow_ips": env.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        "accesslog": "-" if env.get("WEB_ACCESS_LOG", "1") != "0" else None,
        "errorlog": "-",
        "loglevel": env.get("LOG_LEVEL", "info").lower(),
        # Peer address, then the X-Forwarded-For chain the proxy sent (the real client is its last entry).
        "access_log_format": '%(h)s [%({x-forwarded-for}i)s] "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"',
        # Before forking: what first requests would load is loaded once, and the workers share the frozen objects
        # and never scan them (nor copy their pages).
        "when_ready": lambda _server: (warm_up(), settle_memory()),
    }


def run_gunicorn(app: Flask, bind: str, workers: int) -> None:
    _Server(app, gunicorn_options(bind, workers)).run()
