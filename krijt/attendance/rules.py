"""The pure rules of attendance: no I/O, so they can be tested exhaustively.

- `lesson_state`: what one lesson says of one student (a mark, a register taken, a parent's report).
- `half_day_status`: the official half-day register derived from a day's lessons. The school chooses which
  lessons count (`counting_periods`); by default the first lesson the student has in each half day. A half
  day without lessons (Wednesday afternoon, a day without school) has no status. Over the counting lessons:
  absent at one of them makes the half day absent; otherwise a register not yet taken leaves it pending;
  not expected at all of them (an excursion) makes it not expected; otherwise present, and "late" is kept
  beside it, never as a code of its own.
- `illness_episodes` and `parent_statement_problems`: illness on the parents' own statement may cover at
  most a few calendar days a time and a few times a school year; beyond that a certificate is needed.
  Nothing here converts anything: it only says what a person has to decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class LessonState(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    NOT_EXPECTED = "not_expected"
    REPORTED = "reported"  # no register yet, but a parent reported the absence
    NOT_TAKEN = "not_taken"  # no register yet, no report


class HalfState(StrEnum):
    NONE = "none"  # no lessons in this half day
    PENDING = "pending"  # a counting lesson's register is not taken yet
    PRESENT = "present"
    ABSENT = "absent"
    NOT_EXPECTED = "not_expected"


MORNING, AFTERNOON = "am", "pm"
HALVES = (MORNING, AFTERNOON)


@dataclass(frozen=True)
class Lesson:
    period: int
    starts: dt.time


@dataclass(frozen=True)
class HalfDay:
    half: str
    state: HalfState
    counting: tuple[int, ...] = ()  # the periods that decided it
    late: bool = False  # present, but late at a counting lesson
    reported: bool = False  # absent, and a parent's report covers every absent counting lesson
    reason: str = ""  # not expected: why (the first counting lesson's reason)


def lesson_state(*, mark_status: str | None, register_taken: bool, reported: bool) -> LessonState:
    """A mark wins; a taken register without a mark means present; before the register, a report says absent."""
    if mark_status is not None:
        return LessonState(mark_status)
    if register_taken:
        return LessonState.PRESENT
    return LessonState.REPORTED if reported else LessonState.NOT_TAKEN


def half_of(starts: dt.time, afternoon_from: dt.time) -> str:
    return AFTERNOON if starts >= afternoon_from else MORNING


def counting_lessons(lessons: Sequence[Lesson], counting_periods: Iterable[int]) -> list[Lesson]:
    """Of one half day's lessons, those that count: the chosen periods the student has, else the first."""
    ordered = sorted(lessons, key=lambda lesson: (lesson.starts, lesson.period))
    chosen = set(counting_periods)
    if chosen:
        picked = [lesson for lesson in ordered if lesson.period in chosen]
        if picked:
            return picked
    return ordered[:1]


def half_day_status(
    *,
    is_school_day: bool,
    lessons: Sequence[Lesson],
    states: Mapping[int, LessonState],
    afternoon_from: dt.time = dt.time(12, 0),
    counting_periods: Iterable[int] = (),
    reasons: Mapping[int, str] | None = None,
    reported: Iterable[int] = (),
) -> tuple[HalfDay, HalfDay]:
    """The morning and afternoon of one student's day. `states` maps a lesson's period to its state (a
    missing period is not taken); `reported` lists the periods a parent's report covers; `reasons` the
    not-expected reasons per period."""
    if not is_school_day:
        return HalfDay(MORNING, HalfState.NONE), HalfDay(AFTERNOON, HalfState.NONE)
    counting = tuple(counting_periods)
    covered = set(reported)
    result = []
    for half in HALVES:
        mine = [lesson for lesson in lessons if half_of(lesson.starts, afternoon_from) == half]
        if not mine:
            result.append(HalfDay(half, HalfState.NONE))
            continue
        decide = counting_lessons(mine, counting)
        periods = tuple(lesson.period for lesson in decide)
        seen = [states.get(p, LessonState.NOT_TAKEN) for p in periods]
        absent = [p for p, s in zip(periods, seen, strict=True) if s in (LessonState.ABSENT, LessonState.REPORTED)]
        if absent:
            explained = all(p in covered or states.get(p) == LessonState.REPORTED for p in absent)
            result.append(HalfDay(half, HalfState.ABSENT, periods, reported=explained))
        elif LessonState.NOT_TAKEN in seen:
            result.append(HalfDay(half, HalfState.PENDING, periods))
        elif all(s == LessonState.NOT_EXPECTED for s in seen):
            reason = (reasons or {}).get(periods[0], "")
            result.append(HalfDay(half, HalfState.NOT_EXPECTED, periods, reason=reason))
        else:
            result.append(HalfDay(half, HalfState.PRESENT, periods, late=LessonState.LATE in seen))
    return result[0], result[1]


def illness_episodes(
    days: Iterable[dt.date], *, is_school_day: Callable[[dt.date], bool]
) -> list[tuple[dt.date, dt.date]]:
    """Days of illness grouped into episodes: days separated only by days without school (a weekend, a
    holiday) belong to one episode. Each episode is (first day, last day)."""
    ordered = sorted(set(days))
    episodes: list[tuple[dt.date, dt.date]] = []
    for day in ordered:
        if episodes:
            start, end = episodes[-1]
            between = (end + dt.timedelta(days=n) for n in range(1, (day - end).days))
            if not any(is_school_day(d) for d in between):
                episodes[-1] = (start, day)
                continue
        episodes.append((day, day))
    return episodes


def calendar_days(episode: tuple[dt.date, dt.date]) -> int:
    return (episode[1] - episode[0]).days + 1


@dataclass(frozen=True)
class StatementProblem:
    rule: str  # "too_long" or "too_many"
    episode: tuple[dt.date, dt.date]
    limit: int


def parent_statement_problems(
    days: Iterable[dt.date], *, is_school_day: Callable[[dt.date], bool], max_days: int, max_times: int
) -> list[StatementProblem]:
    """Where illness on the parents' statement alone goes beyond the law: an episode of more than
    `max_days` calendar days, and every episode after the `max_times`-th in the school year."""
    problems = []
    for number, episode in enumerate(illness_episodes(days, is_school_day=is_school_day), start=1):
        if calendar_days(episode) > max_days:
            problems.append(StatementProblem("too_long", episode, max_days))
        if number > max_times:
            problems.append(StatementProblem("too_many", episode, max_times))
    return problems
