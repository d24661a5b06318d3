"""When may something reach a person? The pure decision: no I/O, no clock, no database.

Everything is computed in the school's local wall time and converted back to UTC, so quiet hours stay at
19:00 and 07:00 on the clock across daylight-saving changes. Wall times that do not exist (the spring gap)
resolve forward; wall times that happen twice (the autumn fold) take the first occurrence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from krijt.schools.calendar import SchoolCalendar

STUDENT = "student"
PARENT = "parent"
STAFF = "staff"
AUDIENCES = (STUDENT, PARENT, STAFF)

INAPP = "inapp"
EMAIL = "email"
PUSH = "push"
CHANNELS = (INAPP, EMAIL, PUSH)

# How far ahead an allowed day is searched for; beyond it the calendar is taken to be misconfigured
# (e.g. no school year at all) and holidays stop counting as quiet, so nothing waits forever.
SEARCH_DAYS = 400
# A digest time outside the allowed hours (the policy changed after the person chose it) is pulled
# inside: at the latest this long before the evening quiet hours start.
DIGEST_MARGIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class QuietRules:
    """Quiet from `start` until `end` the next morning; whole days quiet at weekends and in holidays."""

    start: dt.time = dt.time(19, 0)
    end: dt.time = dt.time(7, 0)
    weekends: bool = True
    holidays: bool = True


STAFF_DEFAULT_RULES = QuietRules(start=dt.time(20, 0), end=dt.time(7, 0), weekends=True, holidays=True)


@dataclass(frozen=True)
class DeliveryPolicy:
    student: QuietRules = field(default_factory=QuietRules)
    parent: QuietRules = field(default_factory=QuietRules)
    staff: QuietRules = STAFF_DEFAULT_RULES
    digest_time: dt.time = dt.time(18, 0)
    push_budget: int = 5
    urgent_roles: frozenset[str] = frozenset({"admin"})

    def rules_for(self, audience: str) -> QuietRules:
        if audience == STUDENT:
            return self.student
        if audience == PARENT:
            return self.parent
        if audience == STAFF:
            return self.staff
        raise ValueError(f"unknown audience {audience!r}")


@dataclass(frozen=True)
class Preference:
    """A person's choices, as the decision needs them (defaults already applied)."""

    digest: bool = False
    digest_time: dt.time | None = None
    email: bool = True
    push: bool = True


def wall(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time: gaps resolve forward, folds to the first occurrence."""
    local = dt.datetime.combine(day, time, tzinfo=tz).replace(fold=0)
    # fold=0 in a gap carries the offset from before the change, which lands after the gap: forward.
    return local.astimezone(dt.UTC)


def _day_allowed(day: dt.date, rules: QuietRules, calendar: SchoolCalendar, *, holidays: bool) -> bool:
    if calendar.is_school_day(day):
        return True
    weekend = day.isoweekday() not in calendar.weekdays
    holiday = not calendar.in_school_year(day) or calendar.closure_on(day) is not None
    if weekend and rules.weekends:
        return False
    return not (holiday and rules.holidays and holidays)


def _window(day: dt.date, rules: QuietRules, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime] | None:
    """The allowed interval [open, close) of an allowed day, in UTC; None when the rules leave no time."""
    if rules.start == rules.end:
        # No quiet hours at all on an allowed day.
        return wall(day, dt.time(0), tz), wall(day + dt.timedelta(days=1), dt.time(0), tz)
    opens, closes = wall(day, rules.end, tz), wall(day, rules.start, tz)
    if rules.end > rules.start:
        # Quiet in the middle of the day is not a meaningful policy; treat the day as a night shift:
        # allowed from `end` until midnight.
        closes = wall(day + dt.timedelta(days=1), dt.time(0), tz)
    return (opens, closes) if opens < closes else None


def _first_allowed(moment: dt.datetime, rules: QuietRules, calendar: SchoolCalendar, tz: ZoneInfo) -> dt.datetime:
    start_day = moment.astimezone(tz).date()
    for holidays in (True, False):
        day = start_day - dt.timedelta(days=1)  # a window of the previous local day may still be open
        for _ in range(SEARCH_DAYS):
            if _day_allowed(day, rules, calendar, holidays=holidays):
                window = _window(day, rules, tz)
                if window is not None and moment < window[1]:
                    return max(moment, window[0])
            day += dt.timedelta(days=1)
    return moment


def is_allowed(moment: dt.datetime, *, rules: QuietRules, calendar: SchoolCalendar, tz: ZoneInfo) -> bool:
    """Whether `moment` lies inside an allowed window of `rules`."""
    return _first_allowed(moment, rules, calendar, tz) == moment


def earliest_delivery(
    *,
    moment: dt.datetime,
    audience: str,
    channel: str,
    urgent: bool,
    policy: DeliveryPolicy,
    calendar: SchoolCalendar,
    tz: ZoneInfo,
    preference: Preference | None = None,
) -> dt.datetime:
    """The first moment >= `moment` at which something may reach a person of `audience` on `channel`."""
    if moment.tzinfo is None:
        raise ValueError("moment must be aware")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    moment = moment.astimezone(dt.UTC)
    if urgent:
        return moment
    if audience == STAFF and channel == INAPP:
        return moment
    rules = policy.rules_for(audience)
    allowed = _first_allowed(moment, rules, calendar, tz)
    if channel == EMAIL and preference is not None and preference.digest:
        return _digest_moment(allowed, rules, calendar, tz, preference.digest_time or policy.digest_time)
    return allowed


def redecide(
    *,
    moment: dt.datetime,
    audience: str,
    channel: str,
    urgent: bool,
    digest: bool,
    policy: DeliveryPolicy,
    calendar: SchoolCalendar,
    tz: ZoneInfo,
    digest_time: dt.time | None = None,
) -> dt.datetime:
    """When a delivery that could go at `moment` may go: the same decision, taken again on every later path
    (a retry after a failure lands at `moment` = failure + backoff; a row claimed late has `moment` = now).

    - Urgent, and staff in-app: `moment`.
    - Otherwise `moment` when it lies inside the audience's allowed hours, else the next allowed moment.
    - A digest inside the allowed hours goes at `moment` (the day's one digest, late); one that would land in
      quiet hours waits for the next digest moment, where it merges with that day's items: never two a day.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be aware")
    moment = moment.astimezone(dt.UTC)
    if urgent or (audience == STAFF and channel == INAPP):
        return moment
    rules = policy.rules_for(audience)
    allowed = _first_allowed(moment, rules, calendar, tz)
    if not digest or allowed == moment:
        return allowed
    return _digest_moment(allowed, rules, calendar, tz, digest_time or policy.digest_time)


def _digest_moment(
    allowed: dt.datetime, rules: QuietRules, calendar: SchoolCalendar, tz: ZoneInfo, digest_time: dt.time
) -> dt.datetime:
    first_day = allowed.astimezone(tz).date()
    for holidays in (True, False):
        day = first_day - dt.timedelta(days=1)
        for _ in range(SEARCH_DAYS + 1):
            window = _window(day, rules, tz)
            if window is not None and _day_allowed(day, rules, calendar, holidays=holidays):
                opens, closes = window
                at = min(max(wall(day, digest_time, tz), opens), closes - DIGEST_MARGIN)
                if at >= allowed:
                    return at
            day += dt.timedelta(days=1)
    return allowed


def effective_preference(
    *,
    audience: str,
    digest: bool | None,
    digest_time: dt.time | None,
    email: bool,
    push: bool,
) -> Preference:
    """Defaults by audience: parents get the daily digest unless they choose otherwise, others each item."""
    return Preference(
        digest=(audience == PARENT) if digest is None else digest,
        digest_time=digest_time,
        email=email,
        push=push,
    )


def summarize(moments: list[dt.datetime], *, asked: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """[(moment, count), ...] by moment; anything within a minute of `asked` counts as `asked` ("now")."""
    counts: dict[dt.datetime, int] = {}
    for m in moments:
        key = asked if m - asked < dt.timedelta(minutes=1) else m
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items())
