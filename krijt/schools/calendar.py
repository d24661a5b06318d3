"""The school calendar: every rule that speaks of school days asks here, never a hard-coded weekday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo


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


@dataclass(frozen=True)
class LessonDay:
    """A class's lessons on one weekday: when the first starts, when the last starts and ends."""

    first_start: dt.time
    last_start: dt.time
    last_end: dt.time


@dataclass(frozen=True)
class LessonHours:
    """A class's school hours per ISO weekday, from its weekly timetable: what "school hours" means for one
    of its students. A weekday without lessons (Wednesday afternoon aside, a day with none at all) has no
    school hours, even when it is a school day."""

    days: tuple[tuple[int, LessonDay], ...] = ()

    def on_weekday(self, weekday: int) -> LessonDay | None:
        for day, lessons in self.days:
            if day == weekday:
                return lessons
        return None

    def on(self, day: dt.date, calendar: SchoolCalendar) -> LessonDay | None:
        """The lessons of a date: none on a day that is not a school day (weekend, holiday, closure)."""
        if not calendar.is_school_day(day):
            return None
        return self.on_weekday(day.isoweekday())

    @classmethod
    def from_lessons(cls, lessons: Iterable[tuple[int, dt.time, dt.time]]) -> LessonHours:
        """From (weekday, starts_at, ends_at) per lesson."""
        by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for weekday, starts_at, ends_at in lessons:
            by_day.setdefault(weekday, []).append((starts_at, ends_at))
        days = []
        for weekday in sorted(by_day):
            times = by_day[weekday]
            last = max(times)
            days.append((weekday, LessonDay(min(t[0] for t in times), last[0], max(t[1] for t in times))))
        return cls(tuple(days))


def next_school_hours(
    moment: dt.datetime, *, hours: LessonHours, calendar: SchoolCalendar, tz: ZoneInfo, search_days: int = 400
) -> dt.datetime:
    """The first instant >= `moment` inside a student's school hours: between the first lesson's start and
    the last lesson's end of a school day on which their class has lessons. Pure.

    Without any such moment in reach (no timetable, no school year entered) it answers `moment`, so nothing
    waits forever.
    """
    local_day = moment.astimezone(tz).date()
    for offset in range(search_days):
        day = local_day + dt.timedelta(days=offset)
        lessons = hours.on(day, calendar)
        if lessons is None:
            continue
        opens = _wall(day, lessons.first_start, tz)
        closes = _wall(day, lessons.last_end, tz)
        if moment < closes:
            return max(moment, opens)
    return moment


def _wall(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall time (gaps resolve forward, folds to the first occurrence)."""
    return dt.datetime.combine(day, time, tzinfo=tz).replace(fold=0).astimezone(dt.UTC)


class _Dated(Protocol):
    @property
    def starts_on(self) -> dt.date: ...

    @property
    def ends_on(self) -> dt.date: ...


Y = TypeVar("Y", bound=_Dated)


def year_containing(years: Iterable[Y], day: dt.date) -> Y | None:
    """The school year that contains `day`, if any."""
    return next((y for y in years if y.starts_on <= day <= y.ends_on), None)


def year_for_day(years: Iterable[Y], day: dt.date) -> Y | None:
    """The one rule for "the school year of a day": the year containing it, else the coming one (in
    summer), else the latest. Pure: the callers load the years (one query, or none when they have them)."""
    by_start = sorted(years, key=lambda y: y.starts_on)
    return (year_containing(by_start, day) or next((y for y in by_start if y.starts_on > day), None)
            or (by_start[-1] if by_start else None))
