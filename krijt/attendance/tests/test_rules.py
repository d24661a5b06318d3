"""The half-day register and the parents'-statement limit as pure functions, tried exhaustively."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from krijt.attendance import rules
from krijt.attendance.rules import HalfState, Lesson, LessonState

MORNING = [Lesson(1, dt.time(8, 25)), Lesson(2, dt.time(9, 15)), Lesson(3, dt.time(10, 20)), Lesson(4, dt.time(11, 10))]
AFTERNOON = [Lesson(5, dt.time(12, 50)), Lesson(6, dt.time(13, 40)), Lesson(7, dt.time(14, 45))]
DAY = MORNING + AFTERNOON

states = st.dictionaries(st.sampled_from([lesson.period for lesson in DAY]), st.sampled_from(list(LessonState)))
counting = st.lists(st.sampled_from([lesson.period for lesson in DAY]), max_size=3, unique=True)


def status(s: dict[int, LessonState], lessons: list[Lesson] = DAY, **kwargs: object) -> tuple[rules.HalfDay, ...]:
    return rules.half_day_status(is_school_day=True, lessons=lessons, states=s, **kwargs)  # type: ignore[arg-type]


def test_present_everywhere_is_present_in_both_halves() -> None:
    am, pm = status(dict.fromkeys([lesson.period for lesson in DAY], LessonState.PRESENT))
    assert (am.state, pm.state) == (HalfState.PRESENT, HalfState.PRESENT)
    assert (am.counting, pm.counting) == ((1,), (5,))  # the first lesson of each half by default


def test_absent_at_the_first_lesson_makes_the_half_day_absent_and_later_lessons_do_not_count() -> None:
    taken = dict.fromkeys([lesson.period for lesson in DAY], LessonState.PRESENT)
    am, pm = status({**taken, 1: LessonState.ABSENT})
    assert (am.state, pm.state) == (HalfState.ABSENT, HalfState.PRESENT)
    am, _ = status({**taken, 3: LessonState.ABSENT})  # left at the break: a lesson absence, not a half day
    assert am.state == HalfState.PRESENT


def test_late_is_kept_beside_present_never_as_a_code() -> None:
    am, _ = status({1: LessonState.LATE, 5: LessonState.PRESENT})
    assert am.state == HalfState.PRESENT
    assert am.late


def test_a_wednesday_afternoon_without_lessons_has_no_half_day() -> None:
    am, pm = status({1: LessonState.PRESENT}, lessons=MORNING)
    assert am.state == HalfState.PRESENT
    assert pm.state == HalfState.NONE


def test_a_day_without_school_has_no_half_days() -> None:
    am, pm = rules.half_day_status(is_school_day=False, lessons=DAY, states={1: LessonState.ABSENT})
    assert (am.state, pm.state) == (HalfState.NONE, HalfState.NONE)


def test_a_report_makes_the_half_day_absent_and_explained_before_the_register() -> None:
    am, pm = status({1: LessonState.REPORTED})
    assert am.state == HalfState.ABSENT
    assert am.reported
    assert pm.state == HalfState.PENDING


def test_the_school_chooses_which_lessons_count() -> None:
    am, _ = status({1: LessonState.PRESENT, 2: LessonState.ABSENT, 5: LessonState.PRESENT}, counting_periods=[2, 6])
    assert am.state == HalfState.ABSENT
    assert am.counting == (2,)


def test_not_expected_at_every_counting_lesson_keeps_its_reason() -> None:
    am, _ = status({1: LessonState.NOT_EXPECTED}, reasons={1: "excursion"})
    assert (am.state, am.reason) == (HalfState.NOT_EXPECTED, "excursion")


@given(states, counting)
def test_a_half_day_is_decided_by_its_counting_lessons_alone(s: dict[int, LessonState], chosen: list[int]) -> None:
    am, pm = status(s, counting_periods=chosen)
    for half in (am, pm):
        assert half.state != HalfState.NONE
        assert half.counting
        # Changing a lesson that does not count changes nothing.
        others = [lesson.period for lesson in DAY if lesson.period not in half.counting]
        for period in others:
            for other in LessonState:
                again = status({**s, period: other}, counting_periods=chosen)
                assert again[0 if half.half == "am" else 1].state == half.state


@given(states, counting)
def test_absent_at_a_counting_lesson_always_makes_the_half_day_absent(
    s: dict[int, LessonState], chosen: list[int]
) -> None:
    am, pm = status(s, counting_periods=chosen)
    for half in (am, pm):
        marked = {**s, half.counting[0]: LessonState.ABSENT}
        again = status(marked, counting_periods=chosen)[0 if half.half == "am" else 1]
        assert again.state == HalfState.ABSENT


@given(states, counting)
def test_the_derivation_is_stable(s: dict[int, LessonState], chosen: list[int]) -> None:
    assert status(s, counting_periods=chosen) == status(dict(s), counting_periods=list(chosen))


# --- illness on the parents' statement ----------------------------------------------------------------


def weekday(day: dt.date) -> bool:
    return day.isoweekday() <= 5


def test_days_across_a_weekend_are_one_episode_counted_in_calendar_days() -> None:
    friday, monday = dt.date(2026, 10, 9), dt.date(2026, 10, 12)
    episodes = rules.illness_episodes([friday, monday], is_school_day=weekday)
    assert episodes == [(friday, monday)]
    assert rules.calendar_days(episodes[0]) == 4
    problems = rules.parent_statement_problems([friday, monday], is_school_day=weekday, max_days=3, max_times=4)
    assert [p.rule for p in problems] == ["too_long"]


def test_three_days_are_allowed_four_times_and_the_fifth_time_is_not() -> None:
    days = [dt.date(2026, 10, 5) + dt.timedelta(weeks=w) for w in range(5)]
    problems = rules.parent_statement_problems(days, is_school_day=weekday, max_days=3, max_times=4)
    assert [(p.rule, p.episode[0]) for p in problems] == [("too_many", days[4])]
    assert rules.parent_statement_problems(days[:4], is_school_day=weekday, max_days=3, max_times=4) == []


@given(st.lists(st.dates(min_value=dt.date(2026, 9, 1), max_value=dt.date(2027, 6, 30)), max_size=30))
def test_episodes_cover_every_day_once_and_never_overlap(days: list[dt.date]) -> None:
    episodes = rules.illness_episodes(days, is_school_day=weekday)
    for day in days:
        assert sum(1 for a, b in episodes if a <= day <= b) == 1
    for (_a1, b1), (a2, _b2) in itertools.pairwise(episodes):
        assert b1 < a2
