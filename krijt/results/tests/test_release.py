"""The pure release decision: windows, weekends, holidays, sensitive results, parents after students."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from krijt.notifications.policy import DeliveryPolicy, is_allowed
from krijt.results.release import ReleasePolicy, release_moments, window_of
from krijt.schools.calendar import LessonHours, SchoolCalendar

TZ = ZoneInfo("Europe/Brussels")
CALENDAR = SchoolCalendar(
    weekdays=frozenset({1, 2, 3, 4, 5}),
    years=((dt.date(2026, 9, 1), dt.date(2027, 6, 30)),),
    closed=((dt.date(2026, 10, 26), dt.date(2026, 11, 1), "Herfstvakantie"),),
)
# A class whose last lesson starts at 14:45, except on Wednesday: lessons until 12:00, the afternoon free.
LESSONS = LessonHours.from_lessons(
    [(d, dt.time(8, 25), dt.time(9, 15)) for d in (1, 2, 3, 4, 5)]
    + [(d, dt.time(14, 45), dt.time(15, 35)) for d in (1, 2, 4, 5)]
    + [(3, dt.time(11, 10), dt.time(12, 0))]
)
POLICY = ReleasePolicy(lessons=LESSONS)
DELIVERY = DeliveryPolicy()


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def release(moment: dt.datetime, *, sensitive: bool = False, parents: bool = True):  # type: ignore[no-untyped-def]
    return release_moments(
        moment=moment,
        policy=POLICY,
        delivery=DELIVERY,
        calendar=CALENDAR,
        tz=TZ,
        sensitive=sensitive,
        parents_allowed=parents,
    )


def test_friday_evening_goes_out_monday_in_the_window() -> None:
    r = release(local(2026, 11, 13, 20))  # Friday 20:00
    assert r.student_visible_at == local(2026, 11, 16, 10)
    assert r.parent_visible_at == local(2026, 11, 17, 10)  # 24 hours later, inside parents' hours


def test_early_morning_waits_for_the_window() -> None:
    assert release(local(2026, 11, 17, 7, 30)).student_visible_at == local(2026, 11, 17, 10)


def test_inside_the_window_is_at_once() -> None:
    assert release(local(2026, 11, 17, 11, 15)).student_visible_at == local(2026, 11, 17, 11, 15)


def test_holiday_week_waits_for_school_to_start() -> None:
    r = release(local(2026, 10, 23, 17))  # Friday before the autumn holiday
    assert r.student_visible_at == local(2026, 11, 2, 10)


def test_sensitive_waits_for_school_hours_and_avoids_last_lesson() -> None:
    assert release(local(2026, 11, 17, 14, 50), sensitive=True).student_visible_at == local(2026, 11, 18, 10)
    assert release(local(2026, 11, 17, 14, 50)).student_visible_at == local(2026, 11, 17, 14, 50)
    assert window_of(POLICY, sensitive=True, day=dt.date(2026, 11, 17), calendar=CALENDAR) == (
        dt.time(10),
        dt.time(14, 45),
    )


def test_after_the_last_window_of_the_year_the_next_weekday_stands_in() -> None:
    # Wednesday 30 June 2027, the last school day: the class's sensitive window (10:00-11:10) is gone at 12:00,
    # and no next school year is entered. Not at once on the last day, but Thursday at the policy's start.
    r = release(local(2027, 6, 30, 12), sensitive=True)
    assert r.student_visible_at == local(2027, 7, 1, 10)


def test_a_short_day_is_short_for_sensitive_results() -> None:
    # Wednesday 18 November: the class's last lesson starts at 11:10 and ends at 12:00.
    assert window_of(POLICY, sensitive=True, day=dt.date(2026, 11, 18), calendar=CALENDAR) == (
        dt.time(10),
        dt.time(11, 10),
    )
    # A fail published at 13:30 waits for Thursday's window; an ordinary result goes at once.
    assert release(local(2026, 11, 18, 13, 30), sensitive=True).student_visible_at == local(2026, 11, 19, 10)
    assert release(local(2026, 11, 18, 13, 30)).student_visible_at == local(2026, 11, 18, 13, 30)
    # At 10:30 the class still has a lesson to come: at once.
    assert release(local(2026, 11, 18, 10, 30), sensitive=True).student_visible_at == local(2026, 11, 18, 10, 30)
    # Allowing the last lesson, the window closes when it ends.
    allowing = ReleasePolicy(lessons=LESSONS, avoid_last_lesson=False)
    assert window_of(allowing, sensitive=True, day=dt.date(2026, 11, 18), calendar=CALENDAR) == (
        dt.time(10),
        dt.time(12),
    )


def test_a_day_without_lessons_has_no_sensitive_window() -> None:
    monday = [(1, dt.time(8, 25), dt.time(9, 15)), (1, dt.time(14, 45), dt.time(15, 35))]
    only_monday = ReleasePolicy(lessons=LessonHours.from_lessons(monday))
    r = release_moments(
        moment=local(2026, 11, 17, 11),  # Tuesday
        policy=only_monday,
        delivery=DELIVERY,
        calendar=CALENDAR,
        tz=TZ,
        sensitive=True,
    )
    assert r.student_visible_at == local(2026, 11, 23, 10)  # the next Monday
    # Without lesson times at all, the school's sensitive window alone applies.
    assert window_of(ReleasePolicy(), sensitive=True, day=dt.date(2026, 11, 17), calendar=CALENDAR) == (
        dt.time(10),
        dt.time(15),
    )


def test_parents_not_allowed() -> None:
    assert release(local(2026, 11, 17, 11), parents=False).parent_visible_at is None


def test_parent_delay_lands_on_friday_evening_moves_to_monday() -> None:
    r = release(local(2026, 11, 19, 15, 30))  # Thursday afternoon -> Friday 15:30; fine
    assert r.parent_visible_at == local(2026, 11, 20, 15, 30)
    r = release(local(2026, 11, 20, 15, 30))  # Friday -> Saturday is quiet -> Monday 07:00
    assert r.parent_visible_at == local(2026, 11, 23, 7)


def test_dst_change_keeps_wall_time() -> None:
    r = release(local(2027, 3, 27, 12))  # Saturday before summer time
    assert r.student_visible_at == local(2027, 3, 29, 10)


moments = st.datetimes(min_value=dt.datetime(2026, 8, 1), max_value=dt.datetime(2027, 8, 31), timezones=st.just(dt.UTC))


@settings(max_examples=300, deadline=None)
@given(moment=moments, sensitive=st.booleans())
def test_property_parents_never_before_students(moment: dt.datetime, sensitive: bool) -> None:
    r = release(moment, sensitive=sensitive)
    assert r.parent_visible_at is not None
    assert r.parent_visible_at >= r.student_visible_at >= moment
    assert r.parent_visible_at >= r.student_visible_at + POLICY.parent_delay
    seen = r.student_visible_at.astimezone(TZ)
    day = seen.date()
    # After the last school day the calendar has nothing left: weekdays stand in, so nothing waits forever.
    if day <= CALENDAR.years[-1][1]:
        assert CALENDAR.is_school_day(day)
        window = window_of(POLICY, sensitive=sensitive, day=day, calendar=CALENDAR)
        assert window is not None
        start, end = window
        assert start <= seen.time() < end
        if sensitive:
            # Inside the student's own lessons that day, before the last one starts.
            lessons = LESSONS.on(day, CALENDAR)
            assert lessons is not None
            assert lessons.first_start <= seen.time() < lessons.last_start
    else:
        assert day.isoweekday() in CALENDAR.weekdays
    assert is_allowed(r.parent_visible_at, rules=DELIVERY.parent, calendar=CALENDAR, tz=TZ)
    again = release(moment, sensitive=sensitive)
    assert again == r
