"""Where an answer can go: a small registry of targets, each naming a record ("client", "contact", "project",
"brief", "feedback" or "submission") and a field of it, the question types that fit it, and the form kinds it
serves.

Built-in targets are registered below. Targets a studio defines itself (its custom fields, per studio) come from
*sources*: `register_source(func)` at start-up, where `func()` returns the current studio's extra targets. A
custom field on clients would be `Target("client.custom.<key>", "client_custom", "<key>", label, (its type,))`;
`saas.forms.submit` merges every answer whose record ends in "_custom" into that record's `custom_fields`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from saas.fields.types import InvalidValue
from saas.schemas import N_

ANY_KIND = ("intake", "requirements", "feedback", "custom")
TEXTUAL = ("text", "long_text", "choice", "choices", "email", "phone", "url", "address", "date", "number", "money")


@dataclass(frozen=True)
class Target:
    key: str  # stored on the question: "client.name", "brief.audience", "feedback.nps"
    record: str  # client | contact | project | brief | feedback | submission | <record>_custom
    field: str
    label: str  # msgid (built-in) or the custom field's label (already in the studio's words)
    types: tuple[str, ...]  # question types that fit; () = any
    kinds: tuple[str, ...] = ANY_KIND
    check: Callable[[Any], None] | None = None  # beyond the type: NPS is 0–10
    # A custom choice field's own options: a question that fills it offers exactly these (its keys are what the
    # field stores), whatever options the builder typed.
    choices: tuple[dict, ...] = ()

    def fits(self, question_type: str) -> bool:
        return not self.types or question_type in self.types


_BUILT_IN: dict[str, Target] = {}
_SOURCES: list[Callable[[], Iterable[Target]]] = []


def register(target: Target) -> Target:
    _BUILT_IN[target.key] = target
    return target


def register_source(source: Callable[[], Iterable[Target]]) -> None:
    """The seam for targets defined per studio (custom fields): called while a studio is set."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def all_targets() -> dict[str, Target]:
    found = dict(_BUILT_IN)
    for source in _SOURCES:
        found.update((t.key, t) for t in source())
    return found


def target(key: str) -> Target:
    return all_targets().get(key) or _BUILT_IN["submission"]


def for_kind(kind: str) -> list[Target]:
    return [t for t in all_targets().values() if kind in t.kinds]


def _nps(value: Any) -> None:
    if not isinstance(value, int | float) or value != int(value) or not 0 <= value <= 10:
        raise InvalidValue(N_("Choose a score from 0 to 10."))


def _csat(value: Any) -> None:
    if not isinstance(value, int | float) or value != int(value) or not 1 <= value <= 5:
        raise InvalidValue(N_("Give a rating from 1 to 5."))


_LEAD = ("intake", "custom", "requirements")
for _target in (
    Target("submission", "submission", "", N_("Kept on the submission only"), ()),
    Target("client.name", "client", "name", N_("Client: name"), ("text",), _LEAD),
    Target("client.industry", "client", "industry", N_("Client: industry"), ("text", "choice"), _LEAD),
    Target("client.region", "client", "region", N_("Client: region"), ("text", "choice", "address"), _LEAD),
    Target("client.size", "client", "size", N_("Client: size"), ("text", "choice"), _LEAD),
    Target("client.source", "client", "source", N_("Client: how they found us"), ("text", "choice"), _LEAD),
    Target("client.notes", "client", "notes", N_("Client: notes"), TEXTUAL, _LEAD),
    Target("contact.name", "contact", "name", N_("Contact: name"), ("text",), _LEAD),
    Target("contact.title", "contact", "title", N_("Contact: job title"), ("text", "choice"), _LEAD),
    Target("contact.phone", "contact", "phone", N_("Contact: phone"), ("phone",), _LEAD),
    Target("contact.email", "contact", "email", N_("Contact: e-mail"), ("email",), _LEAD),
    Target("contact.wechat", "contact", "wechat", N_("Contact: WeChat ID"), ("text",), _LEAD),
    Target("contact.best_time", "contact", "best_time", N_("Contact: best time to reach"), ("text", "choice"), _LEAD),
    Target("contact.cares_about", "contact", "cares_about", N_("Contact: what they care about"), TEXTUAL, _LEAD),
    Target("brief.background", "brief", "background", N_("Brief: background"), TEXTUAL),
    Target("brief.goals", "brief", "goals", N_("Brief: goals"), TEXTUAL),
    Target("brief.audience", "brief", "audience", N_("Brief: target users"), TEXTUAL),
    Target("brief.style", "brief", "style", N_("Brief: style preferences"), TEXTUAL),
    Target("brief.competitors", "brief", "competitors", N_("Brief: competitors and references"), TEXTUAL),
    Target("brief.budget_note", "brief", "budget_note", N_("Brief: budget"), TEXTUAL),
    Target("brief.timeline_note", "brief", "timeline_note", N_("Brief: timeline"), TEXTUAL),
    Target("feedback.nps", "feedback", "nps", N_("Feedback: likelihood to recommend (NPS 0–10)"), ("number",),
           check=_nps),
    Target("feedback.csat", "feedback", "csat", N_("Feedback: satisfaction (CSAT 1–5)"), ("rating",), check=_csat),
    Target("feedback.comments", "feedback", "comments", N_("Feedback: comments"), ("text", "long_text")),
):  # fmt: skip
    register(_target)
