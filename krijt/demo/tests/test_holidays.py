"""The Flemish school calendar rules, checked against the published 2026-2027 year and a second year."""

from __future__ import annotations

import datetime as dt

import pytest

from krijt.demo.holidays import (
    CLOSURE,
    HOLIDAY,
    easter_sunday,
    flemish_school_year,
    school_year_start_for,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)),
     (2028, D(2028, 4, 16)), (2038, D(2038, 4, 25)), (2285, D(2285, 3, 22)), (2000, D(2000, 4, 23))],
)
def test_easter_by_the_computus(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


def test_easter_is_always_a_sunday_between_22_march_and_25_april() -> None:
    for year in range(1900, 2200):
        easter = easter_sunday(year)
        assert easter.isoweekday() == 7
        assert D(year, 3, 22) <= easter <= D(year, 4, 25)


def test_school_year_2026_2027() -> None:
    plan = flemish_school_year(2026)
    assert plan.name == "2026-2027"
    assert (plan.starts_on, plan.ends_on) == (D(2026, 8, 31), D(2027, 7, 2))
    assert plan.starts_on.isoweekday() == 1
    assert plan.ends_on.isoweekday() == 5
    days_off = {d.name: (d.starts_on, d.ends_on, d.kind) for d in plan.days_off}
    assert days_off == {
        "Herfstvakantie": (D(2026, 10, 26), D(2026, 11, 8), HOLIDAY),
        "Wapenstilstand": (D(2026, 11, 11), D(2026, 11, 11), HOLIDAY),
        "Pedagogische studiedag": (D(2026, 11, 18), D(2026, 11, 18), CLOSURE),
        "Kerstvakantie": (D(2026, 12, 21), D(2027, 1, 3), HOLIDAY),
        "Krokusvakantie": (D(2027, 2, 8), D(2027, 2, 21), HOLIDAY),
        # Easter falls in March (28 March 2027): the Easter holiday starts on Easter Monday.
        "Paasvakantie": (D(2027, 3, 29), D(2027, 4, 11), HOLIDAY),
        "Feest van de Arbeid": (D(2027, 5, 1), D(2027, 5, 1), HOLIDAY),
        "O.L.H. Hemelvaart": (D(2027, 5, 6), D(2027, 5, 6), HOLIDAY),
        "Vrijdag na O.L.H. Hemelvaart": (D(2027, 5, 7), D(2027, 5, 7), HOLIDAY),
        "Pinkstermaandag": (D(2027, 5, 17), D(2027, 5, 17), HOLIDAY),
    }
    assert [(t.name, t.starts_on, t.ends_on) for t in plan.terms] == [
        ("Trimester 1", D(2026, 8, 31), D(2026, 12, 20)),
        ("Trimester 2", D(2027, 1, 4), D(2027, 3, 28)),
        ("Trimester 3", D(2027, 4, 12), D(2027, 7, 2)),
    ]


def test_school_days_of_2026_2027() -> None:
    plan = flemish_school_year(2026)
    assert plan.is_school_day(D(2026, 8, 31))
    assert not plan.is_school_day(D(2026, 8, 28))  # before the year
    assert not plan.is_school_day(D(2026, 10, 30))  # herfstvakantie
    assert plan.is_school_day(D(2026, 11, 9))
    assert not plan.is_school_day(D(2026, 11, 11))
    assert not plan.is_school_day(D(2026, 11, 18))  # study day
    assert not plan.is_school_day(D(2026, 12, 5))  # a Saturday
    assert plan.is_school_day(D(2027, 1, 4))
    assert not plan.is_school_day(D(2027, 5, 7))
    assert plan.is_school_day(D(2027, 7, 2))
    assert not plan.is_school_day(D(2027, 7, 5))


def test_school_year_2027_2028_with_easter_in_april_and_christmas_on_a_saturday() -> None:
    plan = flemish_school_year(2027)
    assert (plan.starts_on, plan.ends_on) == (D(2027, 8, 30), D(2028, 7, 7))
    days_off = {d.name: (d.starts_on, d.ends_on) for d in plan.days_off}
    # 1 November 2027 is a Monday: the autumn holiday takes in 11 November, so no separate entry.
    assert days_off["Herfstvakantie"] == (D(2027, 11, 1), D(2027, 11, 14))
    assert "Wapenstilstand" not in days_off
    # Christmas on a Saturday: the holiday starts the Monday after.
    assert days_off["Kerstvakantie"] == (D(2027, 12, 27), D(2028, 1, 9))
    # Easter 16 April 2028: the holiday starts on the first Monday of April; Easter Monday falls after it.
    assert days_off["Paasvakantie"] == (D(2028, 4, 3), D(2028, 4, 16))
    assert days_off["Paasmaandag"] == (D(2028, 4, 17), D(2028, 4, 17))
    assert days_off["Krokusvakantie"] == (D(2028, 2, 28), D(2028, 3, 12))
    assert days_off["O.L.H. Hemelvaart"] == (D(2028, 5, 25), D(2028, 5, 25))
    assert days_off["Vrijdag na O.L.H. Hemelvaart"] == (D(2028, 5, 26), D(2028, 5, 26))
    assert days_off["Pinkstermaandag"] == (D(2028, 6, 5), D(2028, 6, 5))
    assert days_off["Feest van de Arbeid"] == (D(2028, 5, 1), D(2028, 5, 1))


def test_holidays_are_two_weeks_from_a_monday_in_any_year() -> None:
    for start_year in range(2026, 2060):
        plan = flemish_school_year(start_year)
        assert plan.starts_on.isoweekday() == 1
        assert plan.starts_on.month == 8
        assert plan.ends_on.isoweekday() == 5
        assert plan.ends_on.month == 7
        assert plan.ends_on.day <= 7
        holidays = [d for d in plan.days_off if d.name.endswith("vakantie")]
        assert len(holidays) == 4
        for holiday in holidays:
            assert holiday.starts_on.isoweekday() == 1
            assert (holiday.ends_on - holiday.starts_on).days == 13
        assert all(plan.starts_on < d.starts_on and d.ends_on < plan.ends_on for d in plan.days_off)
        terms = plan.terms
        assert terms[0].starts_on == plan.starts_on
        assert terms[-1].ends_on == plan.ends_on


@pytest.mark.parametrize(
    ("day", "start_year"),
    [(D(2026, 11, 22), 2026), (D(2027, 7, 2), 2026), (D(2027, 7, 3), 2027), (D(2026, 8, 30), 2026),
     (D(2027, 1, 15), 2026)],
)
def test_which_school_year_a_day_belongs_to(day: dt.date, start_year: int) -> None:
    assert school_year_start_for(day) == start_year
