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


def money(minor: int | None) -> str:
    """An amount in the studio's currency, written the reader's way (¥12,800.50)."""
    from saas.i18n import current_locale
    from saas.money import format_money

    tenant = g.get("tenant")
    return format_money(minor, tenant.currency if tenant else "CNY", current_locale())


def init_filters(app: Flask) -> None:
    app.add_template_filter(localdate)
    app.add_template_filter(localtime)
    app.add_template_filter(money)
