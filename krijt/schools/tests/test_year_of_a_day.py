"""The one rule for the school year of a day: containing it, else the coming one, else the latest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from krijt.schools.calendar import year_containing, year_for_day


@dataclass(frozen=True)
class Year:
    starts_on: dt.date
    ends_on: dt.date


THIS = Year(dt.date(2026, 9, 1), dt.date(2027, 6, 30))
NEXT = Year(dt.date(2027, 9, 1), dt.date(2028, 6, 30))


def test_the_year_containing_the_day() -> None:
    assert year_for_day([NEXT, THIS], dt.date(2026, 11, 30)) == THIS
    assert year_containing([NEXT, THIS], dt.date(2027, 6, 30)) == THIS


def test_in_summer_the_coming_year() -> None:
    assert year_for_day([NEXT, THIS], dt.date(2027, 7, 15)) == NEXT
    assert year_containing([NEXT, THIS], dt.date(2027, 7, 15)) is None


def test_after_the_last_year_the_latest_and_without_years_none() -> None:
    assert year_for_day([THIS], dt.date(2028, 1, 1)) == THIS
    assert year_for_day([], dt.date(2028, 1, 1)) is None
