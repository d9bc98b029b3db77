"""Time-ordered ids for rows written in bulk (saas.ids.ordered_prefix): a prefix and a row's counter make a valid
version 7 UUID; later batches sort after earlier ones, and a batch's rows in their counters' order."""

from __future__ import annotations

import time
import uuid

from saas.ids import ordered_prefix


def test_a_prefix_and_a_counter_make_a_version_7_uuid_in_time_order():
    first = ordered_prefix()
    time.sleep(0.002)
    later = ordered_prefix()
    ids = [uuid.UUID(prefix + f"{n:012x}") for prefix in (first, later) for n in (1, 2, 0xFFFFFFFFFFFF)]
    assert {(i.version, i.variant) for i in ids} == {(7, uuid.RFC_4122)}
    assert ids == sorted(ids)
    assert abs(int(first[:12], 16) - time.time() * 1000) < 60_000  # its first 48 bits: the time in milliseconds
    assert len({ordered_prefix() for _ in range(1000)}) == 1000  # random bits apart within one millisecond
