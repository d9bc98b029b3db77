"""Domain events: services announce what happened; listeners (the client timeline today; notifications,
automation rules and webhooks later) react in the same transaction, so a new listener never means editing a
service, and nothing is recorded for a change that rolls back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]
_listeners: dict[str, list[Listener]] = defaultdict(list)


def listen(*names: str) -> Callable[[Listener], Listener]:
    """Register a listener for event names; a name ending in '.*' matches a whole family."""

    def register(listener: Listener) -> Listener:
        for name in names:
            _listeners[name].append(listener)
        return listener

    return register


def emit(event: str, /, **payload: Any) -> None:
    family = event.split(".", 1)[0] + ".*"
    for listener in (*_listeners[event], *_listeners[family]):
        listener(event, payload)
