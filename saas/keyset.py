"""Newest-first keyset pages: a list ordered by (a moment, id), both descending, reads the page after a cursor
`<moment>~<id>` without OFFSET or COUNT. Used by the lists that page that way (follow-ups logged, all
submissions, visits)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_

Row = TypeVar("Row")


def newest_first(
    query: Select,
    moment: Any,
    ident: Any,
    cursor: str | None,
    size: int,
    read: Callable[[Select], Sequence[Row]],
    key: Callable[[Row], tuple[datetime, uuid.UUID]],
) -> tuple[list[Row], str | None]:
    """One page of `query`, newest first by (moment, ident), after `cursor`; and the cursor of the page after it.
    `read` runs the statement (rows or objects), `key` gives a read row's (moment, id)."""
    if (after := _after(cursor, moment, ident)) is not None:
        query = query.where(after)
    rows = list(read(query.order_by(moment.desc(), ident.desc()).limit(size + 1)))
    if len(rows) <= size:
        return rows, None
    when, last_id = key(rows[size - 1])
    return rows[:size], f"{when.isoformat()}~{last_id}"


def _after(cursor: str | None, moment: Any, ident: Any) -> ColumnElement[bool] | None:
    when, _sep, last_id = (cursor or "").partition("~")
    try:
        return tuple_(moment, ident) < (datetime.fromisoformat(when), uuid.UUID(last_id))
    except ValueError:
        return None  # anything else starts over
