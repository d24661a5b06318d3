"""The pure rules of the follow-up record: no I/O, tested exhaustively.

- `missing_context`: a note without its context cannot be saved. Every note says what happened; an incident
  or an observation (a behaviour note) also the situation and the next step; a care measure the next step,
  its phase and a review date; an agreement the next step.
- `add_school_hours`: the moment `n` school hours after a start, counting only time inside the student's
  school hours (their class's lessons on school days): parents see a note that much after the student.
- `default_to_student`: behaviour notes go to the student unless the author says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from krijt.schools.calendar import LessonHours, SchoolCalendar, next_school_hours

BEHAVIOUR = frozenset({"incident", "observation"})
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "incident": ("what_happened", "situation", "next_step"),
    "observation": ("what_happened", "situation", "next_step"),
    "care_measure": ("what_happened", "next_step", "phase", "review_on"),
    "agreement": ("what_happened", "next_step"),
    "positive": ("what_happened",),
    "meeting": ("what_happened",),
}


def missing_context(kind: str, values: Mapping[str, object]) -> list[str]:
    """The fields a note of `kind` still needs (empty text counts as missing)."""
    missing = []
    for name in REQUIRED.get(kind, ("what_happened",)):
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    return missing


def default_to_student(kind: str) -> bool:
    return kind in BEHAVIOUR


def add_school_hours(moment: dt.datetime, hours_to_add: float, *, hours: LessonHours, calendar: SchoolCalendar,
                     tz: ZoneInfo, search_days: int = 400) -> dt.datetime:
    """The instant `hours_to_add` school hours after `moment` (which is first moved into school hours).
    Without school hours in reach, `moment` plus the same number of clock hours: nothing waits forever."""
    start = next_school_hours(moment, hours=hours, calendar=calendar, tz=tz, search_days=search_days)
    left = dt.timedelta(hours=hours_to_add)
    local_day = start.astimezone(tz).date()
    for offset in range(search_days):
        day = local_day + dt.timedelta(days=offset)
        lessons = hours.on(day, calendar)
        if lessons is None:
            continue
        opens = dt.datetime.combine(day, lessons.first_start, tzinfo=tz).astimezone(dt.UTC)
        closes = dt.datetime.combine(day, lessons.last_end, tzinfo=tz).astimezone(dt.UTC)
        begin = max(opens, start)
        if begin >= closes:
            continue
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    return moment + dt.timedelta(hours=hours_to_add)
