"""Template filters: times are stored in UTC and shown in the studio's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g


def _local(value: datetime) -> datetime:
    tenant = g.get("tenant")
    return value.astimezone(ZoneInfo(tenant.timezone)) if tenant is not None else value


def localdate(value: datetime | None) -> str:
    return _local(value).strftime("%Y-%m-%d") if value else ""


def localtime(value: datetime | None) -> str:
    return _local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def init_filters(app: Flask) -> None:
    app.add_template_filter(localdate)
    app.add_template_filter(localtime)
