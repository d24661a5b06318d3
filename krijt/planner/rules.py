"""Workload rules: pure functions of the class's items, the candidate, the policy, the calendar and the clock.

No I/O, so each rule and each level (off, warn, block) is tested exhaustively with a controlled clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext, ngettext

from krijt.schools.calendar import SchoolCalendar

OFF, WARN, BLOCK = "off", "warn", "block"
TEST, TASK = "test", "task"

TESTS_PER_DAY = "tests_per_day"
TESTS_PER_WEEK = "tests_per_week"
NOTICE = "notice"
AFTER_HOURS = "after_hours"
HOLIDAY = "holiday"


class Policy(Protocol):
    """What the rules read from a school's WorkloadPolicy (an unsaved row carries the defaults)."""

    max_tests_per_day: int
    tests_per_day_level: str
    max_tests_per_week: int
    tests_per_week_level: str
    min_notice_days: int
    notice_level: str
    evening_cutoff: dt.time
    morning_start: dt.time
    after_hours_level: str
    holiday_level: str


@dataclass(frozen=True)
class ItemFacts:
    id: int | None
    kind: str
    title: str
    course: str
    due_date: dt.date
    minutes: int = 0
    # For a change to an existing item: what it was. Rules about planning fire only when it gets worse.
    original_kind: str | None = None
    original_due_date: dt.date | None = None

    @property
    def is_new(self) -> bool:
        return self.original_due_date is None

    @property
    def schedule_unchanged(self) -> bool:
        return not self.is_new and self.original_due_date == self.due_date and self.original_kind == self.kind

    @property
    def moved_earlier_or_new(self) -> bool:
        return (
            self.is_new
            or self.original_kind != self.kind
            or (self.original_due_date is not None and self.due_date < self.original_due_date)
        )


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    params: dict[str, Any] = field(default_factory=dict)
    others: tuple[ItemFacts, ...] = ()

    @property
    def blocks(self) -> bool:
        return self.level == BLOCK

    def as_log(self) -> dict[str, Any]:
        params = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.params.items()}
        return {"rule": self.rule, "level": self.level, "params": params, "others": [o.id for o in self.others]}

    @property
    def message(self) -> str:
        return finding_message(self.rule, self.params)


def _day(value: Any) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "l j F")


def finding_message(rule: str, params: dict[str, Any]) -> str:
    """The finding in the reader's language (also used to show logged overrides)."""
    if rule == TESTS_PER_DAY:
        return ngettext(
            "This would be test %(count)s on %(date)s; the school allows %(max)s test per class per day.",
            "This would be test %(count)s on %(date)s; the school allows %(max)s tests per class per day.",
            params["max"],
        ) % {"count": params["count"], "date": _day(params["date"]), "max": params["max"]}
    if rule == TESTS_PER_WEEK:
        return ngettext(
            "This would be test %(count)s in the week of %(date)s; the school allows %(max)s test per week.",
            "This would be test %(count)s in the week of %(date)s; the school allows %(max)s tests per week.",
            params["max"],
        ) % {"count": params["count"], "date": _day(params["week"]), "max": params["max"]}
    if rule == NOTICE:
        return ngettext(
            "Only %(days)s school day of notice; tests are announced at least %(min)s school days ahead.",
            "Only %(days)s school days of notice; tests are announced at least %(min)s school days ahead.",
            params["days"],
        ) % {"days": params["days"], "min": params["min"]}
    if rule == AFTER_HOURS:
        return gettext(
            "It is after hours (from %(cutoff)s): students may only see this on %(visible)s, and it is due on %(date)s."
        ) % {"cutoff": params["cutoff"], "visible": _day(params["visible"]), "date": _day(params["date"])}
    if rule == HOLIDAY:
        if params.get("name"):
            return gettext("%(date)s is not a school day (%(name)s).") % {
                "date": _day(params["date"]),
                "name": params["name"],
            }
        return gettext("%(date)s is not a school day.") % {"date": _day(params["date"])}
    return rule


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def is_school_hours(moment: dt.datetime, *, policy: Policy, calendar: SchoolCalendar, tz: ZoneInfo) -> bool:
    local = moment.astimezone(tz)
    return calendar.is_school_day(local.date()) and policy.morning_start <= local.time() < policy.evening_cutoff


def visible_moment(moment: dt.datetime, *, policy: Policy, calendar: SchoolCalendar, tz: ZoneInfo) -> dt.datetime:
    """When students may first see something published at `moment`: at once in school hours, else the next
    school morning. Never earlier than `moment`."""
    if is_school_hours(moment, policy=policy, calendar=calendar, tz=tz):
        return moment
    local = moment.astimezone(tz)
    today = local.date()
    if calendar.is_school_day(today) and local.time() < policy.morning_start:
        day: dt.date | None = today
    else:
        day = calendar.next_school_day(today, include_today=False)
    if day is None:
        return moment
    # Through UTC: a wall time in a DST gap resolves forward and never lands before `moment`.
    candidate = dt.datetime.combine(day, policy.morning_start, tzinfo=tz).astimezone(dt.UTC)
    return max(candidate, moment)


def check(
    *,
    candidate: ItemFacts,
    items: Iterable[ItemFacts],
    policy: Policy,
    calendar: SchoolCalendar,
    now: dt.datetime,
    tz: ZoneInfo,
) -> list[Finding]:
    """Every rule the candidate breaks, given the class's other planned items (the candidate excluded)."""
    if candidate.schedule_unchanged:
        return []
    others = [i for i in items if i.id is None or i.id != candidate.id]
    findings: list[Finding] = []
    due = candidate.due_date

    if policy.holiday_level != OFF and not calendar.is_school_day(due):
        findings.append(Finding(HOLIDAY, policy.holiday_level, {"date": due, "name": calendar.closure_on(due) or ""}))

    if candidate.kind == TEST:
        if policy.tests_per_day_level != OFF:
            same_day = _tests(others, lambda d: d == due)
            if len(same_day) + 1 > policy.max_tests_per_day:
                findings.append(
                    Finding(
                        TESTS_PER_DAY,
                        policy.tests_per_day_level,
                        {"date": due, "count": len(same_day) + 1, "max": policy.max_tests_per_day},
                        tuple(same_day),
                    )
                )
        if policy.tests_per_week_level != OFF:
            monday = week_start(due)
            same_week = _tests(others, lambda d: week_start(d) == monday)
            if len(same_week) + 1 > policy.max_tests_per_week:
                findings.append(
                    Finding(
                        TESTS_PER_WEEK,
                        policy.tests_per_week_level,
                        {"week": monday, "count": len(same_week) + 1, "max": policy.max_tests_per_week},
                        tuple(same_week),
                    )
                )
        if policy.notice_level != OFF and candidate.moved_earlier_or_new:
            today = now.astimezone(tz).date()
            # School days after today, up to and including the test's day.
            days = calendar.school_days_between(today + dt.timedelta(days=1), due + dt.timedelta(days=1))
            if days < policy.min_notice_days:
                findings.append(Finding(NOTICE, policy.notice_level, {"days": days, "min": policy.min_notice_days}))

    if (
        policy.after_hours_level != OFF
        and candidate.moved_earlier_or_new
        and not is_school_hours(now, policy=policy, calendar=calendar, tz=tz)
    ):
        visible = visible_moment(now, policy=policy, calendar=calendar, tz=tz).astimezone(tz).date()
        if due <= visible:
            findings.append(
                Finding(
                    AFTER_HOURS,
                    policy.after_hours_level,
                    {"date": due, "visible": visible, "cutoff": policy.evening_cutoff.strftime("%H:%M")},
                )
            )
    return findings


def _tests(items: Sequence[ItemFacts], when: Any) -> list[ItemFacts]:
    return sorted((i for i in items if i.kind == TEST and when(i.due_date)), key=lambda i: (i.due_date, i.course))
