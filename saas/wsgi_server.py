"""Gunicorn, embedded so `saas serve` runs the production server without a separate config step."""

from __future__ import annotations

import gc

from flask import Flask
from gunicorn.app.base import BaseApplication


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


def run_gunicorn(app: Flask, bind: str, workers: int) -> None:
    _Server(
        app,
        {
            "bind": bind,
            "workers": workers,
            "accesslog": "-",
            "forwarded_allow_ips": "*",
            "timeout": 30,
            "graceful_timeout": 20,
            # Before forking: the workers share the frozen objects and never scan them (nor copy their pages).
            "when_ready": lambda _server: settle_memory(),
        },
    ).run()
