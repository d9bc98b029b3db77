"""Where a form's answers may go: the built-in targets per form kind, NPS and CSAT checked beyond their type,
and the seam for targets a studio defines itself (its custom fields: tests/integration/test_forms.py)."""

from __future__ import annotations

import pytest

from saas.fields.types import InvalidValue
from saas.forms import targets


def test_built_in_targets_fit_their_types_and_kinds():
    intake = {t.key for t in targets.for_kind("intake")}
    assert {"contact.phone", "client.name", "brief.audience", "submission"} <= intake
    assert "client.name" not in {t.key for t in targets.for_kind("feedback")}
    assert targets.target("contact.phone").fits("phone") and not targets.target("contact.phone").fits("text")
    assert targets.target("no.such.target").key == "submission"


@pytest.mark.parametrize(("key", "good", "bad"), [("feedback.nps", 0, 11), ("feedback.csat", 5, 0)])
def test_scores_are_checked_beyond_their_type(key, good, bad):
    check = targets.target(key).check
    check(good)
    with pytest.raises(InvalidValue):
        check(bad)


def test_a_source_adds_a_studios_own_targets():
    extra = targets.Target("client.custom.shop_count", "client_custom", "shop_count", "门店数量", ("number",))
    source = lambda: [extra]  # noqa: E731
    targets.register_source(source)
    try:
        assert targets.target("client.custom.shop_count") is extra
        assert extra in targets.for_kind("intake")
    finally:
        targets._SOURCES.remove(source)
