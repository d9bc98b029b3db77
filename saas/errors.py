"""Errors that services raise and every surface turns into the same answers (form errors or JSON)."""

from __future__ import annotations


class ValidationFailed(Exception):
    """Bad input: `errors` maps a field name to its messages. Nothing has been written."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @property
    def text(self) -> str:
        """Every message in one line, for a flash or a page that shows them together."""
        return " ".join(message for messages in self.errors.values() for message in messages)


class Conflict(Exception):
    """Someone else changed the record since it was read (a stale version), or saved the same thing a moment
    before (a unique key taken). `message` says which, when there is more to say than the general words."""

    def __init__(self, message: str | None = None, field: str = "version") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(Exception):
    """The caller's role does not permit this action."""
