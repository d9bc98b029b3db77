"""SLA due times in business hours (saas/tickets/hours.py): only the studio's working hours count, in its time
zone — nights, weekends, a ticket raised on Friday evening, a target longer than a day, another schedule."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from saas.tickets.hours import BusinessHours, add_business_hours, business_hours_between

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = BusinessHours(frozenset(range(5)), time(9), time(18), "Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026: the 7th is a Monday, the 11th a Friday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("raised", "hours", "due"),
    [
        (at(7, 10), 2, at(7, 12)),  # inside the day
        (at(7, 17), 2, at(8, 10)),  # runs over the evening into the next morning
        (at(7, 7, 30), 1, at(7, 10)),  # before opening: the clock starts at 09:00
        (at(7, 22), 1, at(8, 10)),  # at night
        (at(11, 19), 4, at(14, 13)),  # Friday evening → Monday 13:00
        (at(11, 17), 4, at(14, 12)),  # one hour on Friday, three on Monday
        (at(12, 11), 1, at(14, 10)),  # Saturday
        (at(7, 9), 45, at(11, 18)),  # five working days to the minute
        (at(7, 18), 9, at(8, 18)),  # raised at closing time: a whole day from the next morning
    ],
)
def test_due_times_count_only_business_hours(raised, hours, due):
    assert add_business_hours(WEEKDAYS, raised, hours) == due


def test_the_answer_is_utc_whatever_the_input_zone():
    raised = at(11, 19).astimezone(ZoneInfo("Europe/Berlin"))
    due = add_business_hours(WEEKDAYS, raised, 0.5)
    assert due.utcoffset().total_seconds() == 0 and due == at(14, 9, 30)


def test_another_studio_schedule_and_zone():
    six_days = BusinessHours(frozenset(range(6)), time(10), time(16), "Europe/London")
    friday_evening = datetime(2026, 12, 11, 17, tzinfo=ZoneInfo("Europe/London"))
    assert add_business_hours(six_days, friday_evening, 3) == datetime(
        2026, 12, 12, 13, tzinfo=ZoneInfo("Europe/London")
    )


def test_business_hours_between_two_instants():
    assert business_hours_between(WEEKDAYS, at(11, 17), at(14, 12)) == pytest.approx(4)
    assert business_hours_between(WEEKDAYS, at(14, 12), at(11, 17)) == 0


def test_nonsense_schedules_and_naive_times_are_refused():
    with pytest.raises(ValueError):
        BusinessHours(frozenset(), time(9), time(18), "Asia/Shanghai")
    with pytest.raises(ValueError):
        BusinessHours(frozenset({0}), time(18), time(9), "Asia/Shanghai")
    with pytest.raises(ValueError):
        add_business_hours(WEEKDAYS, datetime(2026, 12, 7, 10), 1)
