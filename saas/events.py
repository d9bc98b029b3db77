"""Domain events: services announce what happened; listeners (the client timeline, approval-gated billing today;
notifications, automation rules, analytics and outbound webhooks later) react in the same transaction, so a new
listener never means editing a service, and nothing is recorded for a change that rolls back.

An event is named for what happened to its subject, `<subject>.<past tense>`: `client.created`,
`project.stage_changed`, `invoice.sent`, `draft.decided`. Its payload, by convention:

- `subject`: the entity it happened to (a Client, an Invoice, a Draft...), for listeners that need more;
- `client`: the client it concerns, when there is one (the client's timeline records those it names);
- `actor_id`: the staff member who did it, or None (a client in the portal, Stripe, a job);
- anything else: plain JSON values describing it for people (numbers, names, amounts), which the timeline
  keeps as they were at that moment.

Listeners are registered by the domain that reacts, in its `listeners.py`, by name: a lower floor never
imports the floor that announces the event.
"""

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
            if listener not in _listeners[name]:
                _listeners[name].append(listener)
        return listener

    return register


def emit(event: str, /, **payload: Any) -> None:
    family = event.split(".", 1)[0] + ".*"
    for listener in (*_listeners[event], *_listeners[family]):
        listener(event, payload)
