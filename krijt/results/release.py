"""When does a result reach the student, and when the parents? The pure decision: no I/O, no clock.

- Student: the first instant >= the publish moment inside the school's publication window (e.g. 10:00-16:00)
  on a school day (the school calendar decides, so weekends, holidays and closure days never qualify; with
  the window ending at 16:00, nothing goes out on a Friday evening or a Sunday).
- Sensitive results use the narrower sensitive window (e.g. 10:00-15:00), cut to the student's own school
  hours that day, from their class's timetable: not before the first lesson starts, and not from the start
  of the day's last lesson on (or, when the school allows the last lesson, not after it ends). On a day the
  class has no lessons (a free Wednesday afternoon is simply after the last lesson), there is no window:
  someone must be around to talk to.
- Parents: at least `parent_delay` after the student, and then at their next allowed moment under the
  notification engine's quiet hours for parents. Never before the student.
- Parents who may not see (an adult student said no): None.

Windows are computed in local wall time (see krijt.notifications.policy.wall), so they hold across
daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from krijt.notifications.policy import INAPP, PARENT, DeliveryPolicy, earliest_delivery, wall
from krijt.schools.calendar import LessonHours, SchoolCalendar

SEARCH_DAYS = 400


@dataclass(frozen=True)
class ReleasePolicy:
    window_start: dt.time = dt.time(10, 0)
    window_end: dt.time = dt.time(16, 0)
    sensitive_start: dt.time = dt.time(10, 0)
    sensitive_end: dt.time = dt.time(15, 0)
    # Sensitive results are not released in the day's last lesson: nobody would be left to talk to.
    avoid_last_lesson: bool = True
    # The student's class's school hours per weekday; None when the school has no lesson times at all
    # (then the sensitive window alone applies).
    lessons: LessonHours | None = None
    parent_delay: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Release:
    student_visible_at: dt.datetime
    parent_visible_at: dt.datetime | None


def window_of(
    policy: ReleasePolicy, *, sensitive: bool, day: dt.date, calendar: SchoolCalendar
) -> tuple[dt.time, dt.time] | None:
    """The release window [start, end) of a date in local time, or None when nothing is released that day."""
    if not calendar.is_school_day(day):
        return None
    if not sensitive:
        return policy.window_start, policy.window_end
    start, end = policy.sensitive_start, policy.sensitive_end
    if policy.lessons is not None and policy.lessons.days:
        lessons = policy.lessons.on(day, calendar)
        if lessons is None:
            return None
        start = max(start, lessons.first_start)
        end = min(end, lessons.last_start if policy.avoid_last_lesson else lessons.last_end)
    return (start, end) if start < end else None


def next_in_window(
    moment: dt.datetime, *, policy: ReleasePolicy, sensitive: bool, calendar: SchoolCalendar, tz: ZoneInfo
) -> dt.datetime:
    """The first instant >= moment inside the day's window on a school day.

    Past the calendar's school days (no next school year entered yet) the school's weekdays and the
    policy's windows stand in, so nothing waits forever; days inside a school year keep the calendar's
    (and the class's) own windows, even when they are gone for today.
    """
    day = moment.astimezone(tz).date()
    for current in (day + dt.timedelta(days=n) for n in range(SEARCH_DAYS)):
        window = window_of(policy, sensitive=sensitive, day=current, calendar=calendar)
        if window is not None:
            opens, closes = wall(current, window[0], tz), wall(current, window[1], tz)
            if moment < closes:
                return max(moment, opens)
    start, end = policy.window_start, policy.window_end
    if sensitive:
        start, end = policy.sensitive_start, policy.sensitive_end
    for current in (day + dt.timedelta(days=n) for n in range(SEARCH_DAYS)):
        if calendar.in_school_year(current):
            continue  # decided above: this day's window is closed, or it has none
        if current.isoweekday() in calendar.weekdays and start < end:
            opens, closes = wall(current, start, tz), wall(current, end, tz)
            if moment < closes:
                return max(moment, opens)
    return moment


def release_moments(
    *,
    moment: dt.datetime,
    policy: ReleasePolicy,
    delivery: DeliveryPolicy,
    calendar: SchoolCalendar,
    tz: ZoneInfo,
    sensitive: bool,
    parents_allowed: bool = True,
) -> Release:
    """(student_visible_at, parent_visible_at) for a result published at `moment` (aware)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be aware")
    moment = moment.astimezone(dt.UTC)
    student = next_in_window(moment, policy=policy, sensitive=sensitive, calendar=calendar, tz=tz)
    if not parents_allowed:
        return Release(student, None)
    parent = earliest_delivery(
        moment=student + policy.parent_delay,
        audience=PARENT,
        channel=INAPP,
        urgent=False,
        policy=delivery,
        calendar=calendar,
        tz=tz,
    )
    return Release(student, max(parent, student))
