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


# One-word messages that mean different things in different places (a document's title and a person's job title;
# what was paid and "paid in full"; the studio and the Studio plan...). Each is only ever used with a context
# (pgettext), and each meaning has its own Simplified Chinese word. A new use without a context fails the first
# test below; a translation that merges two meanings again fails the second.
AMBIGUOUS: dict[str, dict[str, str]] = {
    "Title": {"document": "标题", "person": "职位"},
    "Name": {"person": "姓名", "thing": "名称", "client": "客户名称", "sort clients by": "名称（拼音）"},
    "Paid": {"amount": "已付", "document status": "已付清"},
    "Open": {
        "action": "打开",
        "task status": "未完成",
        "ticket status": "处理中",
        "project state": "进行中",
        "invoices still owed: sent or partly paid": "未结清",
    },
    "Done": {"action": "完成", "task status": "已完成", "visit status": "已结束"},
    "Signed": {"client status": "签约", "document status": "已签署"},
    "Studio": {"the studio": "工作室", "plan": "工作室版"},
    "Free": {"plan": "免费版"},
    "Agency": {"plan": "机构版"},
    "Void": {"action": "作废", "document status": "已作废"},
    "Draft": {"document status": "草稿", "form status": "未发布"},
    "Approved": {"document status": "已批准", "draft decision": "已通过"},
    "Start": {"action": "开始", "date": "开始日期"},
    "What": {"audit column": "事件", "cost": "事项"},
    "Time": {"cost kind": "工时"},
    "Outcome": {"follow-up": "结果", "stage kind": "结束阶段"},
    "General": {"comment": "整体意见"},
    "Close": {"menu": "关闭", "form action": "关闭表单"},
}
ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}  # the Makefile's -k options


def _extracted() -> list[tuple[str | None, str, str]]:
    """(context, message, file) for every message in the source, extracted as `make messages` does."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = []
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, **KEYWORDS}
    ):
        text = message[0] if isinstance(message, tuple) else message
        found.append((context, text, filename))
    return found


def test_no_ambiguous_one_word_message_is_used_without_its_context():
    extracted = _extracted()
    assert len(extracted) > 500  # the extraction really read the source
    bare = sorted(
        {f"{text!r} in {filename}" for context, text, filename in extracted if text in AMBIGUOUS and not context}
    )
    assert bare == [], "use pgettext(context, ...) for these: " + ", ".join(bare)
    used = {(context, text) for context, text, _filename in extracted if text in AMBIGUOUS}
    unknown = sorted(f"{text!r} as {context!r}" for context, text in used if context not in AMBIGUOUS[text])
    assert unknown == [], "a new meaning: give it its translation in AMBIGUOUS and the catalogue: " + ", ".join(unknown)


def test_each_meaning_of_an_ambiguous_word_has_its_own_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for word, meanings in AMBIGUOUS.items():
        assert catalogue.get(word) is None or not catalogue.get(word).string, f"{word!r} has a context-free entry"
        for context, expected in meanings.items():
            message = catalogue.get(word, context=context)
            assert message is not None and message.string == expected, (word, context)
        translations = list(meanings.values())
        assert len(set(translations)) == len(translations), f"{word!r}: two meanings, one translation"
