"""The school calendar: every rule that speaks of school days asks here, never a hard-coded weekday."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SchoolCalendar:
    """A pure, I/O-free view of one school's calendar, built once by a selector."""

    weekdays: frozenset[int]
    years: tuple[tuple[dt.date, dt.date], ...]
    closed: tuple[tuple[dt.date, dt.date, str], ...] = field(default=())

    def closure_on(self, day: dt.date) -> str | None:
        for start, end, name in self.closed:
            if start <= day <= end:
                return name
        return None

    def in_school_year(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.years)

    def is_school_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.weekdays and self.in_school_year(day) and self.closure_on(day) is None

    def next_school_day(self, day: dt.date, *, include_today: bool = True, limit_days: int = 400) -> dt.date | None:
        current = day if include_today else day + dt.timedelta(days=1)
        for _ in range(limit_days):
            if self.is_school_day(current):
                return current
            current += dt.timedelta(days=1)
        return None

    def school_days_between(self, start: dt.date, end: dt.date) -> int:
        """School days in [start, end)."""
        count, current = 0, start
        while current < end:
            count += self.is_school_day(current)
            current += dt.timedelta(days=1)
        return count
