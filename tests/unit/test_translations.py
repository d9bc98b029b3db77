"""The Simplified Chinese catalogue is complete: every message has a translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "saas/translations/zh/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)(?:\.\d+)?[sdf]")


def test_every_message_is_translated_with_its_placeholders():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 200
    for message in messages:
        assert message.string and not message.fuzzy, message.id
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id
