from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krijt.schools.calendar import SchoolCalendar
from tests.scenario import Scenario

YEAR = (dt.date(2026, 8, 31), dt.date(2027, 7, 2))
CALENDAR = SchoolCalendar(
    weekdays=frozenset({1, 2, 3, 4, 5}),
    years=(YEAR,),
    closed=(
        (dt.date(2026, 10, 26), dt.date(2026, 11, 8), "Herfstvakantie"),
        (dt.date(2026, 11, 11), dt.date(2026, 11, 11), "Wapenstilstand"),
        (dt.date(2026, 12, 21), dt.date(2027, 1, 3), "Kerstvakantie"),
    ),
)


def test_weekdays_in_the_year_are_school_days() -> None:
    assert CALENDAR.is_school_day(dt.date(2026, 11, 23))
    assert not CALENDAR.is_school_day(dt.date(2026, 11, 28))  # Saturday


def test_holidays_and_closures_are_not_school_days() -> None:
    assert not CALENDAR.is_school_day(dt.date(2026, 11, 11))
    assert not CALENDAR.is_school_day(dt.date(2026, 12, 24))
    assert CALENDAR.closure_on(dt.date(2026, 12, 24)) == "Kerstvakantie"


def test_outside_the_school_year_is_no_school_day() -> None:
    assert not CALENDAR.is_school_day(dt.date(2027, 7, 15))


def test_next_school_day_skips_a_holiday() -> None:
    assert CALENDAR.next_school_day(dt.date(2026, 12, 19)) == dt.date(2027, 1, 4)
    assert CALENDAR.next_school_day(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert CALENDAR.next_school_day(dt.date(2026, 11, 23), include_today=False) == dt.date(2026, 11, 24)


def test_a_school_with_saturday_lessons() -> None:
    saturday_school = SchoolCalendar(weekdays=frozenset({1, 2, 3, 4, 5, 6}), years=(YEAR,))
    assert saturday_school.is_school_day(dt.date(2026, 11, 28))


@given(st.dates(min_value=dt.date(2026, 8, 1), max_value=dt.date(2027, 8, 31)))
def test_next_school_day_is_never_earlier_and_always_a_school_day(day: dt.date) -> None:
    found = CALENDAR.next_school_day(day)
    if found is not None:
        assert found >= day
        assert CALENDAR.is_school_day(found)
        assert CALENDAR.school_days_between(day, found) == 0


@given(st.dates(min_value=dt.date(2026, 8, 1), max_value=dt.date(2027, 8, 31)))
def test_school_days_between_counts_each_day_once(day: dt.date) -> None:
    later = day + dt.timedelta(days=10)
    count = CALENDAR.school_days_between(day, later)
    assert count == sum(CALENDAR.is_school_day(day + dt.timedelta(days=i)) for i in range(10))


@pytest.mark.django_db
def test_the_school_calendar_is_cached_and_follows_every_change(
    scenario: Scenario, django_assert_num_queries: Any
) -> None:
    from krijt.schools.models import CalendarEntry
    from krijt.schools.selectors import school_calendar

    school_calendar(school=scenario.school)
    with django_assert_num_queries(0):
        warm = school_calendar(school=scenario.school)
    assert warm.is_school_day(dt.date(2026, 11, 23))
    entry = CalendarEntry.objects.create(
        school=scenario.school,
        school_year=scenario.year,
        name="Studiedag",
        kind="closure",
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 23),
    )
    assert not school_calendar(school=scenario.school).is_school_day(dt.date(2026, 11, 23))
    entry.delete()
    assert school_calendar(school=scenario.school).is_school_day(dt.date(2026, 11, 23))
