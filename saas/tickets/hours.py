"""Business hours: when an SLA target of N hours runs out, counting only the studio's working hours (its working
days, from its opening to its closing time, in its time zone). Pure functions, no database: a ticket raised on
Friday evening with a 4-hour target is due on Monday at 13:00 when the studio works Monday to Friday, 09:00–18:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # ten years of calendar: a target no schedule reaches is a configuration error, not a loop


@dataclass(frozen=True)
class BusinessHours:
    work_days: frozenset[int]  # Monday is 0
    start: time
    end: time
    timezone: str

    def __post_init__(self) -> None:
        if not self.work_days or not self.start < self.end:
            raise ValueError("business hours need a working day and a start before the end")

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working hours as aware instants, or None on a day off. Built per day, so a DST change
        between two days moves nothing."""
        if day.weekday() not in self.work_days:
            return None
        zone = ZoneInfo(self.timezone)
        return datetime.combine(day, self.start, tzinfo=zone), datetime.combine(day, self.end, tzinfo=zone)


def add_business_hours(hours: BusinessHours, start: datetime, amount: float) -> datetime:
    """The instant (UTC) at which `amount` business hours have passed since `start` (an aware datetime).
    Time outside the working hours does not count: raised at night, the clock starts at the next opening."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    left = timedelta(hours=amount)
    local = start.astimezone(ZoneInfo(hours.timezone))
    day = local.date()
    for _ in range(MAX_DAYS):
        window = hours.window(day)
        if window is not None:
            begin = max(local, window[0])
            if begin < window[1]:
                if begin + left <= window[1]:
                    return (begin + left).astimezone(UTC)
                left -= window[1] - begin
        day += timedelta(days=1)
    raise ValueError("no business hours within ten years")


def business_hours_between(hours: BusinessHours, start: datetime, end: datetime) -> float:
    """How many business hours lie between two instants (0 when end is not after start)."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(hours.timezone)
    total = timedelta()
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        window = hours.window(day)
        if window is not None:
            begin, finish = max(start, window[0]), min(end, window[1])
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 3600
