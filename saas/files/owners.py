"""Who holds a file, and so who may attach to it and open it: a registry of owner kinds.

The files layer sits below every domain and must not know them. Each domain whose records hold files (projects,
draft versions; later visits, form submissions, tickets) registers an `OwnerKind` at start-up under a short
name, and `begin` / `get_file` ask it. A file's row keeps the owner's kind and id, plus the client and project it
belongs to (for the portal's sharing, a project's file list and cascades).

The studio itself is an owner too (`STUDIO`, registered by `saas.tenants`): files that belong to nothing more
specific.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from werkzeug.exceptions import NotFound

if TYPE_CHECKING:
    from saas.files.kinds import Kind
    from saas.files.models import StoredFile

STUDIO = "studio"


class Actor(Protocol):
    """The person attaching or opening a file (a staff membership)."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    role: str


@dataclass(frozen=True)
class Placement:
    """Where an upload goes: its owner, and the client and project it belongs to."""

    owner_kind: str
    owner_id: uuid.UUID
    client_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None


class OwnerKind(Protocol):
    def place(self, actor: Actor, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        """May `actor` attach a file of `kind` to this owner? The placement, or ValidationFailed / NotAllowed
        saying why not (an owner the actor may not see is refused like one that does not exist)."""
        ...

    def may_open(self, actor: Actor, stored: StoredFile) -> bool:
        """May `actor` open (download, preview) this file held by an owner of this kind?"""
        ...

    def may_change(self, actor: Actor, stored: StoredFile) -> bool:
        """May `actor` change it (share it with the client, remove it)? Asked only of someone who may open it."""
        ...


_kinds: dict[str, OwnerKind] = {}


def register_owner(name: str, kind: OwnerKind) -> None:
    _kinds[name] = kind


def owner_kind(name: str) -> OwnerKind:
    """The registered kind; an unknown name reads like a missing owner (404)."""
    found = _kinds.get(name)
    if found is None:
        raise NotFound()
    return found


def owner_names() -> tuple[str, ...]:
    return tuple(sorted(_kinds))
