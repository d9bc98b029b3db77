"""Gunicorn, embedded so `saas serve` runs the production server without a separate config step."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication


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
        },
    ).run()
