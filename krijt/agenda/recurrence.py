"""When an event happens: its occurrences from an RFC 5545 recurrence rule, pure and I/O-free.

An event is stated in the school's wall-clock time (a parent evening at 19:00 stays at 19:00 after the
clocks change), so a rule is expanded on local dates and each occurrence becomes an instant only at the end.
A rule may skip the days without school (holidays, closures, weekends), read from the school calendar.
Rules are bounded: a repeating event says until when or how many times, and never more than MAX_OCCURRENCES.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from krijt.schools.calendar import SchoolCalendar

MAX_OCCURRENCES = 400
MAX_SPAN = dt.timedelta(days=3 * 366)
RULE_MAX = 300
_RULE_SHAPE = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+(;[A-Z]+=[A-Z0-9,+\-]+)*$")
_UNTIL = re.compile(r"UNTIL=(\d{8})(?:T(\d{6})(Z)?)?")
ALLOWED_PARTS = frozenset({"FREQ", "INTERVAL", "UNTIL", "COUNT", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
                           "BYYEARDAY", "BYWEEKNO", "WKST"})
FREQUENCIES = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}


class RuleError(ValueError):
    """A recurrence rule that cannot be used; the message says why (translated by the caller)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class When:
    """An event's first occurrence in wall-clock terms: dates inclusive, times both given or both not."""

    starts_on: dt.date
    ends_on: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    rule: str = ""
    skip_days_without_school: bool = False

    @property
    def all_day(self) -> bool:
        return self.start_time is None

    @property
    def span(self) -> dt.timedelta:
        return self.ends_on - self.starts_on


@dataclass(frozen=True)
class Occurrence:
    starts_on: dt.date
    ends_on: dt.date
    start: dt.datetime | None  # aware, for a timed event
    end: dt.datetime | None

    @property
    def all_day(self) -> bool:
        return self.start is None

    def days(self) -> list[dt.date]:
        return [self.starts_on + dt.timedelta(days=n) for n in range((self.ends_on - self.starts_on).days + 1)]


def normalise_rule(text: str, *, tz: ZoneInfo) -> str:
    """A rule as typed or sent ("RRULE:" prefix, spaces, lower case, UNTIL in UTC) in the form kept: the
    RRULE value alone, UNTIL in local wall time. Raises RuleError for anything else."""
    value = "".join((text or "").split()).upper()
    value = value.removeprefix("RRULE:")
    if not value:
        return ""
    if len(value) > RULE_MAX or not _RULE_SHAPE.match(value):
        raise RuleError("shape")
    parts = dict(part.split("=", 1) for part in value.split(";"))
    if set(parts) - ALLOWED_PARTS or "FREQ" not in parts:
        raise RuleError("shape")
    if parts["FREQ"] not in FREQUENCIES.values():
        raise RuleError("frequency")
    if "UNTIL" in parts and "COUNT" in parts:
        raise RuleError("shape")
    if "UNTIL" not in parts and "COUNT" not in parts:
        raise RuleError("unbounded")
    match = _UNTIL.search(value)
    if match is not None:
        day, time, utc = match.groups()
        if time is None:
            local = dt.datetime.strptime(day, "%Y%m%d").replace(hour=23, minute=59, second=59)  # noqa: DTZ007
        elif utc:
            local = (dt.datetime.strptime(day + time, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
                     .astimezone(tz).replace(tzinfo=None))
        else:
            local = dt.datetime.strptime(day + time, "%Y%m%d%H%M%S")  # noqa: DTZ007
        value = value.replace(match.group(0), f"UNTIL={local:%Y%m%dT%H%M%S}")
    return value


def _rule(when: When) -> rrule:
    start = dt.datetime.combine(when.starts_on, when.start_time or dt.time(0, 0))
    try:
        found = rrulestr(when.rule, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise RuleError("shape") from exc
    if not isinstance(found, rrule):
        raise RuleError("shape")
    return found


def check(when: When) -> dt.date:
    """Refuses a rule that does not fit (RuleError) and answers the last day any occurrence covers."""
    if not when.rule:
        return when.ends_on
    found = _rule(when)
    starts = list(itertools.islice(found, MAX_OCCURRENCES + 1))
    if not starts:
        raise RuleError("empty")
    if len(starts) > MAX_OCCURRENCES:
        raise RuleError("too_many")
    if starts[-1] - starts[0] > MAX_SPAN:
        raise RuleError("too_long")
    if len(starts) > 1 and starts[1].date() <= when.ends_on:
        raise RuleError("overlap")
    return starts[-1].date() + when.span


def _occurrence(when: When, day: dt.date, tz: ZoneInfo) -> Occurrence:
    ends_on = day + when.span
    if when.start_time is None or when.end_time is None:
        return Occurrence(day, ends_on, None, None)
    start = dt.datetime.combine(day, when.start_time, tzinfo=tz)
    end = dt.datetime.combine(ends_on, when.end_time, tzinfo=tz)
    return Occurrence(day, ends_on, start, end)


def occurrences(when: When, *, start: dt.date, end: dt.date, tz: ZoneInfo,
                calendar: SchoolCalendar | None = None) -> list[Occurrence]:
    """The occurrences that touch [start, end] (local dates, inclusive), first to last. A rule that skips
    days without school drops an occurrence that starts on one (the calendar decides)."""
    if end < start:
        return []
    if not when.rule:
        days = [when.starts_on]
    else:
        first = dt.datetime.combine(start - when.span, dt.time(0, 0))
        last = dt.datetime.combine(end, dt.time(23, 59, 59))
        days = [moment.date() for moment in _rule(when).between(first, last, inc=True)][:MAX_OCCURRENCES]
    found = []
    for day in days:
        if day + when.span < start or day > end:
            continue
        if when.rule and when.skip_days_without_school and calendar is not None and not calendar.is_school_day(day):
            continue
        found.append(_occurrence(when, day, tz))
    return found


def simple_rule(*, frequency: str, until: dt.date | None, count: int | None = None) -> str:
    """The rule the form composes: "weekly", "fortnightly", "monthly", "daily" or "yearly", until a day."""
    freq, interval = {"daily": ("DAILY", 1), "weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2),
                      "monthly": ("MONTHLY", 1), "yearly": ("YEARLY", 1)}[frequency]
    bound = f"UNTIL={until:%Y%m%d}T235959" if until is not None else f"COUNT={count or 1}"
    return f"FREQ={freq};" + (f"INTERVAL={interval};" if interval > 1 else "") + bound


@dataclass(frozen=True)
class Repeat:
    """The parts of a kept rule a page puts into words."""

    freq: str = ""
    interval: int = 1
    until: dt.date | None = None
    count: int | None = None
    simple: bool = True  # nothing beyond FREQ, INTERVAL, UNTIL and COUNT


def describe(rule: str) -> Repeat:
    parts = dict(part.split("=", 1) for part in rule.split(";")) if rule else {}
    until = parts.get("UNTIL")
    return Repeat(freq=parts.get("FREQ", ""), interval=int(parts.get("INTERVAL", "1") or 1),
                  until=dt.datetime.strptime(until[:8], "%Y%m%d").date() if until else None,  # noqa: DTZ007
                  count=int(parts["COUNT"]) if "COUNT" in parts else None,
                  simple=set(parts) <= {"FREQ", "INTERVAL", "UNTIL", "COUNT"})
