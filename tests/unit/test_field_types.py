"""Every kind of value a custom field or a form question holds: what it stores, and what it refuses."""

from __future__ import annotations

import pytest

from saas.fields.types import TYPES, Choice, InvalidValue, Spec, may_hold, parse_value

STYLES = (Choice("modern", "Modern", "现代"), Choice("wabi", "Wabi-sabi", "侘寂"), Choice("nordic", "Nordic", "北欧"))


def parsed(kind: str, raw, **spec):
    return parse_value(Spec(kind, choices=STYLES, **spec), raw)


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("text", "  老城区改造  ", "老城区改造"),
        ("long_text", "第一行\n第二行", "第一行\n第二行"),
        ("number", "1,280", 1280),
        ("number", 3.5, 3.5),
        ("number", "-2.25", -2.25),
        ("money", "12,800.50", 1280050),
        ("money", 200, 20000),
        ("percent", "12.5%", 12.5),
        ("date", "2026-02-28", "2026-02-28"),
        ("datetime", "2026-12-31 14:30", "2026-12-31T06:30:00Z"),  # the studio's zone, Asia/Shanghai
        ("datetime", "2026-12-31T14:30:00+00:00", "2026-12-31T14:30:00Z"),
        ("choice", "wabi", "wabi"),
        ("choices", ["nordic", "modern", "nordic"], ["modern", "nordic"]),
        ("choices", "wabi", ["wabi"]),
        ("boolean", "yes", True),
        ("boolean", "否", False),
        ("boolean", False, False),
        ("email", "Li.Na@Example.COM", "Li.Na@example.com"),
        ("phone", "138-0013 8000", "138-0013 8000"),
        ("phone", "+86 (21) 6000 1234", "+86 (21) 6000 1234"),
        ("url", "example.com/works", "https://example.com/works"),
        ("member", "3f2b1c4d-0000-4000-8000-000000000001", "3f2b1c4d-0000-4000-8000-000000000001"),
        ("rating", "4", 4),
        ("file", "3F2B1C4D-0000-4000-8000-000000000002", "3f2b1c4d-0000-4000-8000-000000000002"),
        ("address", "上海市徐汇区衡山路 8 号", {"text": "上海市徐汇区衡山路 8 号", "lat": None, "lng": None}),
        ("address", {"text": "", "lat": 31.2, "lng": 121.4}, {"text": "", "lat": 31.2, "lng": 121.4}),
    ],
)
def test_each_type_stores_what_it_was_given_in_one_comparable_form(kind, raw, stored):
    assert parsed(kind, raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("date", "2026-02-30", "This date does not exist."),
        ("date", "30/02/2026", "Enter a date like 2026-12-31."),
        ("boolean", "5", "Answer yes or no."),
        ("boolean", 1.5, "Answer yes or no."),
        ("choice", "baroque", "Choose one of the options."),
        ("choices", ["modern", "baroque"], "Choose from the options."),
        ("email", "lina.example.com", "Enter a valid e-mail address, like name@example.com."),
        ("number", "twelve", "Enter a number, like 12 or 3.5."),
        ("number", "NaN", "Enter a number, like 12 or 3.5."),
        ("number", True, "Enter a number, like 12 or 3.5."),
        ("money", "12.345", "Enter an amount like 12800 or 12,800.50."),
        ("rating", "6", "Give a rating from 1 to 5."),
        ("rating", "4.5", "Give a rating from 1 to 5."),
        ("phone", "call me", "Enter a phone number, like 138 0013 8000."),
        ("url", "javascript:alert(1)", "Enter a web address, like https://example.com."),
        ("member", "not-an-id", "Choose a person of the studio."),
        ("datetime", "tomorrow", "Enter a date and time like 2026-12-31 14:30."),
        ("address", {"lat": 91, "lng": 0}, "This position is not on the map."),
        ("address", {"text": "x", "lat": 30}, "Give both latitude and longitude, or neither."),
        ("text", "a\x00b", "This contains characters that cannot be saved (control characters or broken text)."),
        ("text", "\ud800", "This contains characters that cannot be saved (control characters or broken text)."),
        ("text", 12, "Enter text."),
        ("text", "x" * 501, "Use at most %(n)d characters."),
    ],
)
def test_each_type_refuses_what_it_cannot_hold_with_a_message_that_says_why(kind, raw, message):
    with pytest.raises(InvalidValue) as refused:
        parsed(kind, raw)
    assert str(refused.value.message) == message


def test_an_empty_answer_is_none_unless_the_field_is_required():
    for kind in TYPES:
        assert parsed(kind, "  ") is None
        assert parsed(kind, []) is None
        with pytest.raises(InvalidValue):
            parsed(kind, "", required=True)


def test_a_type_change_keeps_data_only_between_shapes_that_can_hold_it():
    assert may_hold("text", "long_text") and may_hold("long_text", "email")  # each value is then re-checked
    assert may_hold("choice", "choices") and may_hold("rating", "number")
    assert not may_hold("text", "number") and not may_hold("choices", "choice") and not may_hold("date", "text")
    assert not may_hold("number", "money")  # a number of yuan would read as fen


def test_every_type_says_how_a_form_shows_it_and_how_a_list_filters_it():
    assert len(TYPES) >= 17
    for kind in TYPES.values():
        assert kind.widget and kind.stored and set(kind.filters) <= {"eq", "contains", "range", "empty"}
