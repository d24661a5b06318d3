"""When does a result reach the student, and when the parents? The pure decision: no I/O, no clock.

- Student: the first instant >= the publish moment inside the school's publication window (e.g. 10:00-16:00)
  on a school day (the school calendar decides, so weekends, holidays and closure days never qualify; with
  the window ending at 16:00, nothing goes out on a Friday evening or a Sunday).
- Sensitive results use the narrower sensitive window (e.g. 10:00-15:00), and end it earlier when the day's
  last lesson period starts before: someone must be around to talk to.
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
from krijt.schools.calendar import SchoolCalendar

SEARCH_DAYS = 400


@dataclass(frozen=True)
class ReleasePolicy:
    window_start: dt.time = dt.time(10, 0)
    window_end: dt.time = dt.time(16, 0)
    sensitive_start: dt.time = dt.time(10, 0)
    sensitive_end: dt.time = dt.time(15, 0)
    # Start of the day's last lesson period; sensitive results are not released from then on.
    last_lesson_start: dt.time | None = None
    parent_delay: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Release:
    student_visible_at: dt.datetime
    parent_visible_at: dt.datetime | None


def window_of(policy: ReleasePolicy, *, sensitive: bool) -> tuple[dt.time, dt.time]:
    if not sensitive:
        return policy.window_start, policy.window_end
    end = policy.sensitive_end
    if policy.last_lesson_start is not None and policy.last_lesson_start < end:
        end = policy.last_lesson_start
    return policy.sensitive_start, end


def next_in_window(
    moment: dt.datetime, *, start: dt.time, end: dt.time, calendar: SchoolCalendar, tz: ZoneInfo
) -> dt.datetime:
    """The first instant >= moment inside [start, end) on a school day.

    A calendar without any school day in reach (no school year entered) falls back to the school's weekdays,
    so nothing waits forever.
    """
    day = moment.astimezone(tz).date()
    for strict in (True, False):
        current = day
        for _ in range(SEARCH_DAYS):
            ok = calendar.is_school_day(current) if strict else current.isoweekday() in calendar.weekdays
            if ok and start < end:
                opens, closes = wall(current, start, tz), wall(current, end, tz)
                if moment < closes:
                    return max(moment, opens)
            current += dt.timedelta(days=1)
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
    start, end = window_of(policy, sensitive=sensitive)
    student = next_in_window(moment, start=start, end=end, calendar=calendar, tz=tz)
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
