"""Public ids are UUIDs (unguessable, and field devices mint them offline). One taken from a URL or a form that
is not a UUID reads exactly like an id that does not exist: 404, nothing said about why."""

from __future__ import annotations

import secrets
import time
import uuid

from werkzeug.exceptions import NotFound


def parse_uuid(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def ordered_prefix() -> str:
    """The first 20 of 32 hex digits of a time-ordered UUID (RFC 9562 version 7: the time in milliseconds, then
    random bits), for rows written in bulk that are never shown (an import's tag rows): each row's id is this
    prefix and a 12-digit counter of its own (a row number), so no random number is drawn per row. Ids made so
    sort by when their batch began, and a B-tree index takes them at its right edge instead of anywhere in it
    (measured: half the time per index entry); 26 random bits tell apart two batches begun in the same millisecond.
    One id gives away its neighbours: never use it for an id a person sees (those stay unguessable)."""
    random = secrets.randbits(26)
    millis = time.time_ns() // 1_000_000
    value = millis << 32 | 0x7 << 28 | (random >> 14) << 16 | 0b10 << 14 | (random & 0x3FFF)
    return f"{value:020x}"
