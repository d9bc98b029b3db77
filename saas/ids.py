"""Public ids are UUIDs (unguessable, and field devices mint them offline). One taken from a URL or a form that
is not a UUID reads exactly like an id that does not exist: 404, nothing said about why."""

from __future__ import annotations

import uuid

from werkzeug.exceptions import NotFound


def parse_uuid(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc
