"""The Flemish school calendar (new calendar, from school year 2026-2027 on), computed from its rules.

Pure functions, no I/O: the demo and the benchmark seed build their calendars from them, and the
rules are unit-tested against published years.

- The school year starts on the last Monday of August and ends on the first Friday of July.
- Herfstvakantie: two weeks from the Monday of the week that contains 1 November.
- Kerstvakantie: two weeks from the Monday of the week that contains 25 December; when Christmas
  falls on a Saturday or Sunday, from the Monday after it.
- Krokusvakantie: two weeks from Easter Monday minus seven weeks.
- Paasvakantie: two weeks from the first Monday of April; when Easter falls in March, from Easter Monday.
- Feast days when they fall outside a holiday: Wapenstilstand (11 November), Paasmaandag, Feest van de
  Arbeid (1 May), O.L.H. Hemelvaart (Easter + 39) and the Friday after it, Pinkstermaandag (Easter + 50).
- Each school adds its own pedagogical study day(s) as closure days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HOLIDAY = "holiday"
CLOSURE = "closure"

ONE_DAY = dt.timedelta(days=1)
TWO_WEEKS_LESS_A_DAY = dt.timedelta(days=13)  # Monday to the Sunday two weeks later, inclusive


@dataclass(frozen=True)
class DayOff:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    kind: str = HOLIDAY

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Term:
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class SchoolYearPlan:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    terms: tuple[Term, ...]
    days_off: tuple[DayOff, ...]

    def day_off(self, day: dt.date) -> DayOff | None:
        for entry in self.days_off:
            if entry.contains(day):
                return entry
        return None

    def is_school_day(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on and day.isoweekday() <= 5 and self.day_off(day) is None


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter by the anonymous (Meeus/Jones/Butcher) computus."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def monday_of_week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    """weekday: 0 = Monday."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def school_year_start(start_year: int) -> dt.date:
    """The last Monday of August."""
    return _weekday_on_or_before(dt.date(start_year, 8, 31), 0)


def school_year_end(start_year: int) -> dt.date:
    """The first Friday of July."""
    return _weekday_on_or_after(dt.date(start_year + 1, 7, 1), 4)


def _two_weeks(name: str, monday: dt.date) -> DayOff:
    return DayOff(name, monday, monday + TWO_WEEKS_LESS_A_DAY)


def autumn_holiday(start_year: int) -> DayOff:
    return _two_weeks("Herfstvakantie", monday_of_week(dt.date(start_year, 11, 1)))


def christmas_holiday(start_year: int) -> DayOff:
    christmas = dt.date(start_year, 12, 25)
    monday = monday_of_week(christmas) if christmas.isoweekday() <= 5 else _weekday_on_or_after(christmas, 0)
    return _two_weeks("Kerstvakantie", monday)


def carnival_holiday(start_year: int) -> DayOff:
    easter_monday = easter_sunday(start_year + 1) + ONE_DAY
    return _two_weeks("Krokusvakantie", easter_monday - dt.timedelta(weeks=7))


def easter_holiday(start_year: int) -> DayOff:
    easter = easter_sunday(start_year + 1)
    monday = easter + ONE_DAY if easter.month == 3 else _weekday_on_or_after(dt.date(start_year + 1, 4, 1), 0)
    return _two_weeks("Paasvakantie", monday)


def feast_days(start_year: int) -> list[DayOff]:
    year = start_year + 1
    easter = easter_sunday(year)
    ascension = easter + dt.timedelta(days=39)
    return [
        DayOff("Wapenstilstand", dt.date(start_year, 11, 11), dt.date(start_year, 11, 11)),
        DayOff("Paasmaandag", easter + ONE_DAY, easter + ONE_DAY),
        DayOff("Feest van de Arbeid", dt.date(year, 5, 1), dt.date(year, 5, 1)),
        DayOff("O.L.H. Hemelvaart", ascension, ascension),
        DayOff("Vrijdag na O.L.H. Hemelvaart", ascension + ONE_DAY, ascension + ONE_DAY),
        DayOff("Pinkstermaandag", easter + dt.timedelta(days=50), easter + dt.timedelta(days=50)),
    ]


def study_day(start_year: int) -> DayOff:
    """The demo school's pedagogical study day: the Wednesday of the second week after the autumn holiday."""
    after_autumn = autumn_holiday(start_year).ends_on + ONE_DAY
    day = after_autumn + dt.timedelta(weeks=1, days=2)
    return DayOff("Pedagogische studiedag", day, day, CLOSURE)


def flemish_school_year(start_year: int, *, with_study_day: bool = True) -> SchoolYearPlan:
    """The whole school year starting in `start_year`: bounds, three trimesters and every day off."""
    holidays = [autumn_holiday(start_year), christmas_holiday(start_year), carnival_holiday(start_year),
                easter_holiday(start_year)]
    feasts = [f for f in feast_days(start_year) if not any(h.contains(f.starts_on) for h in holidays)]
    days_off = holidays + feasts + ([study_day(start_year)] if with_study_day else [])
    days_off.sort(key=lambda entry: entry.starts_on)
    starts_on, ends_on = school_year_start(start_year), school_year_end(start_year)
    christmas, easter = holidays[1], holidays[3]
    terms = (
        Term("Trimester 1", starts_on, christmas.starts_on - ONE_DAY),
        Term("Trimester 2", christmas.ends_on + ONE_DAY, easter.starts_on - ONE_DAY),
        Term("Trimester 3", easter.ends_on + ONE_DAY, ends_on),
    )
    return SchoolYearPlan(name=f"{start_year}-{start_year + 1}", starts_on=starts_on, ends_on=ends_on,
                          terms=terms, days_off=tuple(days_off))


def school_year_start_for(day: dt.date) -> int:
    """The start year of the school year that contains `day`, or of the coming one in the summer."""
    if day >= school_year_start(day.year):
        return day.year
    return day.year - 1 if day <= school_year_end(day.year - 1) else day.year
