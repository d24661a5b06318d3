"""Recurrence rules of school events: wall-clock times across daylight saving, holidays skipped when asked,
RFC 5545 rules as sent by calendar apps, and the bounds that keep a rule from running away. Pure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krijt.agenda.recurrence import Repeat, RuleError, When, check, describe, normalise_rule, occurrences, simple_rule
from krijt.schools.calendar import SchoolCalendar

TZ = ZoneInfo("Europe/Brussels")
CALENDAR = SchoolCalendar(
    weekdays=frozenset({1, 2, 3, 4, 5}),
    years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),),
    closed=((dt.date(2026, 12, 21), dt.date(2027, 1, 3), "Kerstvakantie"),
            (dt.date(2026, 11, 11), dt.date(2026, 11, 11), "Wapenstilstand")),
)


def test_a_weekly_evening_stays_at_seven_when_the_clocks_go_back() -> None:
    # Summer time ends on Sunday 25 October 2026: 19:00 is 17:00 UTC before and 18:00 UTC after.
    when = When(dt.date(2026, 10, 20), dt.date(2026, 10, 20), dt.time(19), dt.time(21),
                normalise_rule("FREQ=WEEKLY;UNTIL=20261103", tz=TZ))
    found = occurrences(when, start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30), tz=TZ)
    assert [o.starts_on for o in found] == [dt.date(2026, 10, 20), dt.date(2026, 10, 27), dt.date(2026, 11, 3)]
    assert {o.start.astimezone(TZ).time() for o in found if o.start} == {dt.time(19)}
    assert [o.start.astimezone(dt.UTC).hour for o in found if o.start] == [17, 18, 18]
    assert [o.end.astimezone(TZ).time() for o in found if o.end] == [dt.time(21)] * 3


def test_a_daily_morning_stays_at_eight_when_the_clocks_go_forward() -> None:
    # Summer time starts on Sunday 28 March 2027.
    when = When(dt.date(2027, 3, 26), dt.date(2027, 3, 26), dt.time(8), dt.time(8, 50), "FREQ=DAILY;COUNT=5")
    found = occurrences(when, start=dt.date(2027, 3, 1), end=dt.date(2027, 4, 30), tz=TZ)
    assert [o.start.astimezone(dt.UTC).hour for o in found if o.start] == [7, 7, 6, 6, 6]
    assert {o.start.astimezone(TZ).time() for o in found if o.start} == {dt.time(8)}


def test_a_rule_that_skips_days_without_school_leaves_out_holidays_and_closures() -> None:
    rule = simple_rule(frequency="weekly", until=dt.date(2027, 1, 13))
    skipping = When(dt.date(2026, 11, 4), dt.date(2026, 11, 4), dt.time(15), dt.time(16), rule, True)
    keeping = When(dt.date(2026, 11, 4), dt.date(2026, 11, 4), dt.time(15), dt.time(16), rule, False)
    span = {"start": dt.date(2026, 11, 1), "end": dt.date(2027, 1, 31), "tz": TZ, "calendar": CALENDAR}
    kept = [o.starts_on for o in occurrences(keeping, **span)]  # type: ignore[arg-type]
    skipped = [o.starts_on for o in occurrences(skipping, **span)]  # type: ignore[arg-type]
    assert dt.date(2026, 12, 23) in kept
    assert dt.date(2026, 12, 30) in kept
    assert dt.date(2026, 12, 23) not in skipped
    assert dt.date(2026, 12, 30) not in skipped
    assert dt.date(2027, 1, 6) in skipped
    assert dt.date(2026, 11, 11) not in skipped  # the closure day of 11 November too
    assert sorted(set(kept) - set(skipped)) == [dt.date(2026, 11, 11), dt.date(2026, 12, 23), dt.date(2026, 12, 30)]
    on_armistice = When(dt.date(2026, 11, 4), dt.date(2026, 11, 4), rule=simple_rule(
        frequency="weekly", until=dt.date(2026, 11, 18)), skip_days_without_school=True)
    assert [o.starts_on for o in occurrences(on_armistice, **span)] == [  # type: ignore[arg-type]
        dt.date(2026, 11, 4), dt.date(2026, 11, 18)]


def test_an_event_of_several_days_shows_in_a_range_that_starts_in_its_middle() -> None:
    exams = When(dt.date(2026, 12, 7), dt.date(2026, 12, 18))
    (found,) = occurrences(exams, start=dt.date(2026, 12, 14), end=dt.date(2026, 12, 20), tz=TZ)
    assert (found.starts_on, found.ends_on) == (dt.date(2026, 12, 7), dt.date(2026, 12, 18))
    assert found.all_day
    assert len(found.days()) == 12
    assert occurrences(exams, start=dt.date(2026, 12, 19), end=dt.date(2026, 12, 31), tz=TZ) == []


def test_rules_as_calendar_apps_send_them() -> None:
    assert normalise_rule("rrule: freq=monthly; byday=1TU; count=6", tz=TZ) == "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"
    # UNTIL in UTC becomes the school's wall-clock time; a date alone means the whole of that day.
    assert normalise_rule("FREQ=WEEKLY;UNTIL=20270630T215959Z", tz=TZ) == "FREQ=WEEKLY;UNTIL=20270630T235959"
    assert normalise_rule("FREQ=WEEKLY;UNTIL=20270630", tz=TZ) == "FREQ=WEEKLY;UNTIL=20270630T235959"
    first_tuesdays = When(dt.date(2026, 10, 6), dt.date(2026, 10, 6), dt.time(19), dt.time(20),
                          "FREQ=MONTHLY;BYDAY=1TU;COUNT=3")
    assert [o.starts_on for o in occurrences(first_tuesdays, start=dt.date(2026, 10, 1),
                                             end=dt.date(2027, 1, 31), tz=TZ)] == [
        dt.date(2026, 10, 6), dt.date(2026, 11, 3), dt.date(2026, 12, 1)]
    assert describe("FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630T235959") == Repeat("WEEKLY", 2, dt.date(2027, 6, 30))
    assert describe("FREQ=MONTHLY;BYDAY=1TU;COUNT=6") == Repeat("MONTHLY", 1, None, 6, simple=False)


@pytest.mark.parametrize(("rule", "reason"), [
    ("FREQ=WEEKLY", "unbounded"),
    ("FREQ=HOURLY;COUNT=3", "frequency"),
    ("FREQ=MINUTELY;COUNT=3", "frequency"),
    ("DTSTART:20200101\nRRULE:FREQ=WEEKLY;COUNT=2", "shape"),
    ("FREQ=WEEKLY;COUNT=2;FOO=1", "shape"),
    ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "shape"),
    ("FREQ=WEEKLY;BYHOUR=3;COUNT=2", "shape"),
    ("<script>", "shape"),
    ("FREQ=WEEKLY;COUNT=" + "9" * 400, "shape"),
])
def test_rules_that_cannot_be_used_are_refused(rule: str, reason: str) -> None:
    with pytest.raises(RuleError) as caught:
        normalise_rule(rule, tz=TZ)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("when", "reason"), [
    (When(dt.date(2026, 9, 1), dt.date(2026, 9, 1), rule="FREQ=DAILY;COUNT=401"), "too_many"),
    (When(dt.date(2026, 9, 1), dt.date(2026, 9, 1), rule="FREQ=YEARLY;COUNT=5"), "too_long"),
    (When(dt.date(2026, 9, 1), dt.date(2026, 9, 3), rule="FREQ=DAILY;COUNT=3"), "overlap"),
    (When(dt.date(2026, 9, 1), dt.date(2026, 9, 1), rule="FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2;COUNT=2"), "empty"),
])
def test_rules_that_run_away_are_refused(when: When, reason: str) -> None:
    with pytest.raises(RuleError) as caught:
        check(when)
    assert caught.value.reason == reason


def test_the_last_day_of_a_rule_is_known_for_range_queries() -> None:
    when = When(dt.date(2026, 12, 7), dt.date(2026, 12, 8), rule="FREQ=WEEKLY;COUNT=3")
    assert check(when) == dt.date(2026, 12, 22)
    assert check(When(dt.date(2026, 12, 7), dt.date(2026, 12, 8))) == dt.date(2026, 12, 8)


@given(
    first=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
    hour=st.integers(min_value=0, max_value=22),
    minute=st.sampled_from([0, 15, 30, 45]),
    weeks=st.integers(min_value=1, max_value=50),
    interval=st.integers(min_value=1, max_value=3),
)
def test_every_occurrence_of_a_weekly_rule_keeps_its_weekday_and_wall_clock_time(
        first: dt.date, hour: int, minute: int, weeks: int, interval: int) -> None:
    start = dt.time(hour, minute)
    when = When(first, first, start, dt.time(hour + 1, minute), f"FREQ=WEEKLY;INTERVAL={interval};COUNT={weeks}")
    check(when)
    found = occurrences(when, start=first, end=first + dt.timedelta(weeks=weeks * interval), tz=TZ)
    assert len(found) == weeks
    for occurrence in found:
        assert occurrence.starts_on.weekday() == first.weekday()
        assert occurrence.start is not None
        local = occurrence.start.astimezone(TZ)
        # A wall time in the spring gap (02:00-03:00 on the last Sunday of March) moves forward by an hour.
        assert local.time() == start or (local.time().hour == hour + 1 and local.date().month == 3)
        assert (occurrence.starts_on - first).days % (7 * interval) == 0
