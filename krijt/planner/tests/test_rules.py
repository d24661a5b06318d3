"""Each workload rule at each level, with a controlled clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from krijt.core import clock
from krijt.planner import rules
from krijt.planner.models import WorkloadPolicy
from krijt.planner.rules import ItemFacts
from krijt.schools.calendar import SchoolCalendar

TZ = ZoneInfo("Europe/Brussels")
CAL = SchoolCalendar(
    weekdays=frozenset({1, 2, 3, 4, 5}),
    years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),),
    closed=((dt.date(2026, 12, 21), dt.date(2027, 1, 3), "Kerstvakantie"),),
)
MON = dt.date(2026, 10, 5)
LEVELS = ["off", "warn", "block"]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def policy(**levels: str) -> WorkloadPolicy:
    p = WorkloadPolicy()
    for name, value in levels.items():
        setattr(p, name, value)
    return p


def fact(kind: str = "test", day: dt.date = MON, pk: int | None = None, course: str = "Wiskunde") -> ItemFacts:
    return ItemFacts(id=pk, kind=kind, title=f"{course} {kind}", course=course, due_date=day)


def check(candidate: ItemFacts, items: list[ItemFacts], p: WorkloadPolicy) -> list[rules.Finding]:
    return rules.check(candidate=candidate, items=items, policy=p, calendar=CAL, now=clock.now(), tz=TZ)


def only(findings: list[rules.Finding], rule: str) -> list[rules.Finding]:
    return [f for f in findings if f.rule == rule]


@pytest.mark.parametrize("level", LEVELS)
def test_tests_per_day_names_the_other_tests(level: str) -> None:
    others = [fact(pk=1, course="Frans"), fact(pk=2, course="Engels"), fact("task", pk=3)]
    with time_machine.travel(at(dt.date(2026, 9, 21), 10), tick=False):
        found = only(check(fact(), others, policy(tests_per_day_level=level)), rules.TESTS_PER_DAY)
        within = only(check(fact(), others[1:], policy(tests_per_day_level=level)), rules.TESTS_PER_DAY)
    assert within == []
    if level == "off":
        assert found == []
        return
    (finding,) = found
    assert finding.level == level
    assert finding.blocks == (level == "block")
    assert {o.course for o in finding.others} == {"Frans", "Engels"}
    assert finding.params["count"] == 3
    assert "test 3" in finding.message


@pytest.mark.parametrize("level", LEVELS)
def test_tests_per_week(level: str) -> None:
    week = [fact(pk=n, day=MON + dt.timedelta(days=n % 5), course=f"C{n}") for n in range(6)]
    with time_machine.travel(at(dt.date(2026, 9, 21), 10), tick=False):
        p = policy(tests_per_week_level=level, tests_per_day_level="off")
        found = only(check(fact(day=MON + dt.timedelta(days=4)), week, p), rules.TESTS_PER_WEEK)
        next_week = only(check(fact(day=MON + dt.timedelta(days=7)), week, p), rules.TESTS_PER_WEEK)
        a_task = only(check(fact("task", day=MON + dt.timedelta(days=4)), week, p), rules.TESTS_PER_WEEK)
    assert next_week == []
    assert a_task == []
    assert [f.level for f in found] == ([] if level == "off" else [level])
    if found:
        assert len(found[0].others) == 6


@pytest.mark.parametrize("level", LEVELS)
def test_minimum_notice_counts_school_days(level: str) -> None:
    p = policy(notice_level=level)
    # Thursday 1 October: Fri, Mon, Tue, Wed are four school days before Wednesday 7 October.
    with time_machine.travel(at(dt.date(2026, 10, 1), 10), tick=False):
        short = only(check(fact(day=dt.date(2026, 10, 7)), [], p), rules.NOTICE)
        enough = only(check(fact(day=dt.date(2026, 10, 8)), [], p), rules.NOTICE)
        task = only(check(fact("task", day=dt.date(2026, 10, 7)), [], p), rules.NOTICE)
    assert enough == []
    assert task == []
    assert [f.level for f in short] == ([] if level == "off" else [level])
    if short:
        assert short[0].params == {"days": 4, "min": 5}


def test_notice_is_not_asked_again_when_a_test_moves_later_or_only_its_text_changes() -> None:
    p = policy(notice_level="block")
    with time_machine.travel(at(dt.date(2026, 10, 1), 10), tick=False):
        moved_later = ItemFacts(
            1, "test", "t", "c", dt.date(2026, 10, 6), original_kind="test", original_due_date=dt.date(2026, 10, 5)
        )
        moved_earlier = ItemFacts(
            1, "test", "t", "c", dt.date(2026, 10, 5), original_kind="test", original_due_date=dt.date(2026, 10, 6)
        )
        same = ItemFacts(
            1, "test", "t", "c", dt.date(2026, 10, 5), original_kind="test", original_due_date=dt.date(2026, 10, 5)
        )
        assert only(check(moved_later, [], p), rules.NOTICE) == []
        assert check(same, [], p) == []
        assert [f.level for f in check(moved_earlier, [], p)] == ["block"]


@pytest.mark.parametrize("level", LEVELS)
def test_no_task_after_hours_for_the_next_school_day(level: str) -> None:
    p = policy(after_hours_level=level)
    monday = MON
    with time_machine.travel(at(monday, 20, 30), tick=False):
        tomorrow = only(check(fact("task", day=monday + dt.timedelta(days=1)), [], p), rules.AFTER_HOURS)
        later = only(check(fact("task", day=monday + dt.timedelta(days=2)), [], p), rules.AFTER_HOURS)
    with time_machine.travel(at(monday, 18, 59), tick=False):
        before_cutoff = only(check(fact("task", day=monday + dt.timedelta(days=1)), [], p), rules.AFTER_HOURS)
    # Friday evening: Monday is the next school day.
    with time_machine.travel(at(dt.date(2026, 10, 9), 21), tick=False):
        weekend = only(check(fact("task", day=dt.date(2026, 10, 12)), [], p), rules.AFTER_HOURS)
    assert later == []
    assert before_cutoff == []
    expected = [] if level == "off" else [level]
    assert [f.level for f in tomorrow] == expected
    assert [f.level for f in weekend] == expected
    if tomorrow:
        assert tomorrow[0].params["visible"] == monday + dt.timedelta(days=1)


@pytest.mark.parametrize("level", LEVELS)
def test_no_due_dates_on_days_without_school(level: str) -> None:
    p = policy(holiday_level=level)
    with time_machine.travel(at(dt.date(2026, 11, 2), 10), tick=False):
        holiday = only(check(fact("task", day=dt.date(2026, 12, 23)), [], p), rules.HOLIDAY)
        saturday = only(check(fact("task", day=dt.date(2026, 11, 14)), [], p), rules.HOLIDAY)
        school_day = only(check(fact("task", day=dt.date(2026, 11, 13)), [], p), rules.HOLIDAY)
    assert school_day == []
    expected = [] if level == "off" else [level]
    assert [f.level for f in holiday] == expected
    assert [f.level for f in saturday] == expected
    if holiday:
        assert holiday[0].params["name"] == "Kerstvakantie"
        assert "Kerstvakantie" in holiday[0].message


def test_the_candidate_itself_is_not_counted_when_it_changes() -> None:
    others = [fact(pk=1, course="Frans"), fact(pk=2, course="Engels")]
    moved = ItemFacts(2, "test", "t", "Engels", MON, original_kind="task", original_due_date=MON)
    with time_machine.travel(at(dt.date(2026, 9, 21), 10), tick=False):
        assert only(check(moved, others, policy()), rules.TESTS_PER_DAY) == []


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(MON, 10), at(MON, 10)),
        (at(MON, 6, 30), at(MON, 7)),
        (at(MON, 19), at(MON + dt.timedelta(days=1), 7)),
        (at(dt.date(2026, 10, 9), 22), at(dt.date(2026, 10, 12), 7)),
        (at(dt.date(2026, 12, 18), 20), at(dt.date(2027, 1, 4), 7)),
    ],
)
def test_visible_moment_waits_for_the_next_school_morning(moment: dt.datetime, expected: dt.datetime) -> None:
    got = rules.visible_moment(moment, policy=WorkloadPolicy(), calendar=CAL, tz=TZ)
    assert got == expected
    assert got >= moment
    assert rules.visible_moment(got, policy=WorkloadPolicy(), calendar=CAL, tz=TZ) == got


def test_visible_moment_across_the_autumn_clock_change() -> None:
    # Saturday 24 October 2026 evening; clocks go back on Sunday 25 October.
    got = rules.visible_moment(at(dt.date(2026, 10, 24), 20), policy=WorkloadPolicy(), calendar=CAL, tz=TZ)
    assert got.astimezone(TZ).replace(tzinfo=None) == dt.datetime(2026, 10, 26, 7, 0)
    assert got.utcoffset() == dt.timedelta(0)
