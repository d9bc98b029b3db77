"""One row of a sheet, checked and turned into what will be saved: the client's columns, its contact, its tags
and its custom values, or the list of what is wrong with it ("Phone: Enter a phone number…"), in the words the
preview page and the failed rows' file show. Built once per import (the studio's fields, members and
statuses are read once), then applied to every row: this is the per-row cost of an import, kept small.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import select

from saas.clients.models import ClientKind, ClientStatus
from saas.extensions import db
from saas.fields import values as custom
from saas.fields.models import FieldDefinition
from saas.fields.types import TYPES, InvalidValue, Spec, parse_email, parse_phone, parse_value
from saas.imports.mapping import BY_KEY, CONTACT_CUSTOM, CONTACT_TARGETS, CUSTOM, Fields
from saas.schemas import FORBIDDEN, N_, Msg, translate
from saas.tenants.models import Membership, User

STATUSES = {
    ClientStatus.POTENTIAL: ("potential", "lead", "prospect", "潜在", "潜在客户", "线索"),
    ClientStatus.INTENT: ("intent", "interested", "意向", "意向客户", "有意向"),
    ClientStatus.SIGNED: ("signed", "customer", "won", "签约", "已签约", "成交", "已成交"),
    ClientStatus.PAST: ("past", "lost", "churned", "former", "过往", "流失", "已流失", "过往客户"),
}
KINDS = {
    ClientKind.COMPANY: ("company", "business", "organisation", "organization", "公司", "企业", "单位", "机构"),
    ClientKind.PERSON: ("person", "individual", "private", "个人", "个人客户"),
}
_TAG_SPLIT = re.compile(r"[,，;；、|]")
BROKEN = N_("This contains characters that cannot be saved (control characters or broken text).")


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: key for key, all_words in words.items() for word in all_words}


@dataclass
class Cleaned:
    """A row as it will be saved."""

    row_number: int
    client: dict[str, Any]  # Client columns (name, status, tags…; owner_id)
    contact: dict[str, Any] | None  # Contact columns, when the row names anyone
    custom: dict[str, Any]  # {field key: stored value}
    external_id: str | None
    contact_custom: dict[str, Any] = field(default_factory=dict)  # the contact's own fields, {key: stored value}
    client_id: uuid.UUID | None = None  # given when the row is to create a client
    filled: set[str] = field(default_factory=set)  # the client columns the file gave (an update changes only these)


class RowProblems(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# Where a column's checked value goes in a Cleaned row.
_CLIENT, _CONTACT, _CUSTOM, _CONTACT_CUSTOM, _EXTERNAL = range(5)


class Cleaner:
    """Checks rows against one mapping in one studio. Messages are translated when made (the job runs in the
    importer's language). What each column needs — its parser, where its value goes — is decided once here, so a
    row costs one pass over its cells."""

    def __init__(self, headers: list[str], mapping: dict[str, str], fields: Fields) -> None:
        self.columns = [(int(index), target, headers[int(index)]) for index, target in sorted(mapping.items())]
        self.fields = {CUSTOM + d.key: d for d in fields.client} | {CONTACT_CUSTOM + d.key: d for d in fields.contact}
        self.specs = {key: custom.spec_of(d, required=False) for key, d in self.fields.items()}
        self.statuses = _lookup(STATUSES)
        self.kinds = _lookup(KINDS)
        self.owners = _owners()
        self._plan = [
            (index, header, target == "name", *self._column(target)) for index, target, header in self.columns
        ]

    def _column(self, target: str) -> tuple[Callable[[str], Any], int, str]:
        """(parser, where the value goes, its key there) of a column mapped to `target`."""
        if target.startswith(CUSTOM):
            return partial(self._custom, target), _CUSTOM, target.removeprefix(CUSTOM)
        if target.startswith(CONTACT_CUSTOM):
            return partial(self._custom, target), _CONTACT_CUSTOM, target.removeprefix(CONTACT_CUSTOM)
        parse = self._standard(target)
        if target in CONTACT_TARGETS:
            return parse, _CONTACT, target.removeprefix("contact_")
        if target == "external_id":
            return parse, _EXTERNAL, ""
        return parse, _CLIENT, "owner_id" if target == "owner" else target

    def clean(self, row_number: int, cells: list[str]) -> Cleaned:
        """The row as it will be saved, or RowProblems."""
        reasons: list[str] = []
        client: dict[str, Any] = {}
        contact: dict[str, Any] = {}
        values: dict[str, Any] = {}
        contact_values: dict[str, Any] = {}
        filled: set[str] = set()
        external_id = None
        named = False  # a name was written (if it is refused, that is its problem, not "required")
        width = len(cells)
        for index, header, is_name, parse, place, key in self._plan:
            raw = cells[index] if index < width else ""
            if not raw:
                continue
            if is_name:
                named = True
            try:
                if FORBIDDEN.search(raw):
                    raise InvalidValue(BROKEN)
                value = parse(raw)
            except InvalidValue as exc:
                reasons.append(f"{header}: {translate(exc.message)}")
                continue
            if place == _CLIENT:
                client[key] = value
                filled.add(key)
            elif place == _CONTACT:
                contact[key] = value
            elif place == _CUSTOM:
                values[key] = value
            elif place == _CONTACT_CUSTOM:
                contact_values[key] = value
            else:
                external_id = value
        if not named:
            reasons.append(translate(Msg(N_("%(column)s: A client name is required."), column=self._name_header())))
        if reasons:
            raise RowProblems(reasons)
        if contact or contact_values:  # a contact's own field alone names the client's contact too
            contact.setdefault("name", client["name"][:120])
        return Cleaned(row_number, client, contact or None, values, external_id, contact_values, None, filled)

    def _name_header(self) -> str:
        return next((header for _i, target, header in self.columns if target == "name"), translate(N_("Client name")))

    def _standard(self, target: str) -> Callable[[str], Any]:
        """The parser of one of the client's or contact's own columns."""
        if target == "status":
            return partial(
                self._word, self.statuses, message=N_("Unknown status: use potential, intent, signed or past.")
            )
        if target == "kind":
            return partial(self._word, self.kinds, message=N_("Write company or person."))
        if target == "phone":
            return partial(parse_phone, spec=_SPEC)
        if target == "email":
            return partial(parse_email, spec=_SPEC)
        if target == "tags":
            return _tags
        if target == "owner":
            return self._owner
        return partial(_at_most, limit=BY_KEY[target].limit)

    def _owner(self, raw: str) -> uuid.UUID:
        found = self.owners.get(raw.strip().lower())
        if found is None:
            raise InvalidValue(N_("Nobody in the studio's team has this name or e-mail."))
        return found

    @staticmethod
    def _word(words: dict[str, str], raw: str, message: str) -> str:
        found = words.get(raw.strip().lower())
        if found is None:
            raise InvalidValue(message)
        return found

    def _custom(self, target: str, raw: str) -> Any:
        definition = self.fields[target]
        kind = TYPES[definition.type]
        if kind.stored == "choices":
            keys = [_choice_key(definition, v) for v in _TAG_SPLIT.split(raw) if v.strip()]
            return parse_value(self.specs[target], keys)
        if kind.stored == "choice":
            raw = _choice_key(definition, raw)
        return parse_value(self.specs[target], raw)


_SPEC = Spec(type="text")  # the standard parsers take a spec they do not read


def _at_most(raw: str, limit: int) -> str:
    if len(raw) > limit:
        raise InvalidValue(Msg(N_("Use at most %(n)d characters."), n=limit))
    return raw


def _choice_key(definition: FieldDefinition, raw: str) -> str:
    """A choice may be written by its key or by either label."""
    text = raw.strip().lower()
    for choice in definition.choices or ():
        if text in {choice.get("key", "").lower(), choice.get("label_en", "").lower(), choice.get("label_zh", "")}:
            return choice["key"]
    return raw


def _tags(raw: str) -> list[str]:
    tags = [t.strip() for t in _TAG_SPLIT.split(raw) if t.strip()]
    if any(len(t) > 40 for t in tags):
        raise InvalidValue(Msg(N_("Use at most %(n)d characters."), n=40))
    return list(dict.fromkeys(tags))


def _owners() -> dict[str, uuid.UUID]:
    """The studio's active people by lower-cased e-mail and name (a name two people share names neither)."""
    found = db.session.execute(
        select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
    )
    by_word: dict[str, uuid.UUID | None] = {}
    for user_id, name, email in found:
        by_word[email.lower()] = user_id
        key = name.strip().lower()
        by_word[key] = None if key in by_word and by_word[key] != user_id else user_id
    return {k: v for k, v in by_word.items() if v is not None}
