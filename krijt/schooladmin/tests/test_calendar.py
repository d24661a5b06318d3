from __future__ import annotations

import datetime as dt

import pytest

from krijt.schooladmin.selectors import non_school_days
from krijt.schools.models import CalendarEntry, Period, SchoolYear
from tests.scenario import Scenario

CALENDAR_QUERIES = 3  # years, periods, entries; the person, the roles and the school calendar are warm cache reads


@pytest.mark.django_db
def test_calendar_page_costs_a_fixed_number_of_queries(scenario: Scenario, login_as, count_get,
                                                       django_assert_num_queries) -> None:
    client = login_as("admin")
    url = scenario.url("/manage/calendar/")
    assert count_get(client, url) == CALENDAR_QUERIES
    for i in range(6):
        year = SchoolYear.objects.create(school=scenario.school, name=f"{2030 + i}", starts_on=dt.date(2030 + i, 9, 1),
                                         ends_on=dt.date(2031 + i, 6, 30))
        Period.objects.create(school=scenario.school, school_year=year, name="T1", starts_on=year.starts_on,
                              ends_on=dt.date(2030 + i, 12, 20))
        CalendarEntry.objects.create(school=scenario.school, school_year=year, name=f"Vakantie {i}",
                                     starts_on=dt.date(2030 + i, 11, 1), ends_on=dt.date(2030 + i, 11, 2))
    client.get(url)  # the new years and holidays dropped the cached calendar: warm it again, as count_get does
    with django_assert_num_queries(CALENDAR_QUERIES):
        html = client.get(url).content.decode()
    assert "Vakantie 5" in html
    assert "Kerstvakantie" in html


@pytest.mark.django_db
def test_upcoming_days_without_school(scenario: Scenario) -> None:
    CalendarEntry.objects.create(school=scenario.school, school_year=scenario.year, name="Herfstvakantie",
                                 starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 6))
    CalendarEntry.objects.create(school=scenario.school, school_year=scenario.year, kind="closure",
                                 name="Pedagogische studiedag", starts_on=dt.date(2026, 10, 14),
                                 ends_on=dt.date(2026, 10, 14))
    ranges = non_school_days(school=scenario.school, start=dt.date(2026, 10, 1), days=31)
    by_first = {r.first: (r.last, r.reason) for r in ranges}
    assert by_first[dt.date(2026, 10, 3)][0] == dt.date(2026, 10, 4)  # a weekend
    assert by_first[dt.date(2026, 10, 14)] == (dt.date(2026, 10, 14), "Pedagogische studiedag")
    assert dt.date(2026, 10, 1) not in by_first  # a Thursday: school
    ranges = non_school_days(school=scenario.school, start=dt.date(2026, 10, 31), days=10)
    assert [(r.first, r.last, r.reason) for r in ranges] == [
        (dt.date(2026, 10, 31), dt.date(2026, 11, 1), "No lessons on this weekday"),
        (dt.date(2026, 11, 2), dt.date(2026, 11, 6), "Herfstvakantie"),
        (dt.date(2026, 11, 7), dt.date(2026, 11, 8), "No lessons on this weekday"),
    ]
    summer = non_school_days(school=scenario.school, start=dt.date(2027, 6, 29), days=4)
    assert [(r.first, r.last, r.reason) for r in summer] == [
        (dt.date(2027, 7, 1), dt.date(2027, 7, 2), "Outside the school year")]


@pytest.mark.django_db
def test_calendar_page_lists_upcoming_closures(scenario: Scenario, login_as) -> None:
    CalendarEntry.objects.create(school=scenario.school, school_year=scenario.year, kind="closure",
                                 name="Facultatieve vrije dag", starts_on=dt.date(2026, 10, 9),
                                 ends_on=dt.date(2026, 10, 9))
    response = login_as("staff").get(scenario.url("/manage/calendar/"))
    assert "Facultatieve vrije dag" in response.content.decode()
    assert response.context["closed_days"][0].first == dt.date(2026, 10, 3)


@pytest.mark.django_db
def test_add_school_year(scenario: Scenario, login_as) -> None:
    response = login_as("admin").post(scenario.url("/manage/calendar/years/new/"), {
        "name": "2027-2028", "starts_on": "2027-09-01", "ends_on": "2028-06-30"})
    assert response.status_code == 302
    assert SchoolYear.objects.filter(school=scenario.school, name="2027-2028").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "2026-2027", "starts_on": "2030-09-01", "ends_on": "2031-06-30"}, "name", "already a school year"),
    ({"name": "Overlap", "starts_on": "2027-06-01", "ends_on": "2028-06-30"}, "starts_on", "overlap another"),
    ({"name": "Backwards", "starts_on": "2028-09-01", "ends_on": "2028-06-30"}, "ends_on", "end must be after"),
    ({"name": "", "starts_on": "", "ends_on": ""}, "name", "required"),
])
def test_add_school_year_failures(scenario: Scenario, login_as, data: dict[str, str], field: str,
                                  message: str) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url("/manage/calendar/years/new/"), data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    assert SchoolYear.objects.filter(school=scenario.school).count() == 1


@pytest.mark.django_db
def test_delete_school_year_only_without_classes(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url(f"/manage/calendar/years/{scenario.year.pk}/delete/"), follow=True)
    assert "Delete its classes first." in response.content.decode()
    assert SchoolYear.objects.filter(pk=scenario.year.pk).exists()
    empty = SchoolYear.objects.create(school=scenario.school, name="2027-2028", starts_on=dt.date(2027, 9, 1),
                                      ends_on=dt.date(2028, 6, 30))
    assert client.post(scenario.url(f"/manage/calendar/years/{empty.pk}/delete/")).status_code == 302
    assert not SchoolYear.objects.filter(pk=empty.pk).exists()


@pytest.mark.django_db
def test_add_and_delete_period(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    Period.objects.filter(school=scenario.school, name="Trimester 3").delete()
    url = scenario.url("/manage/calendar/periods/new/")
    assert client.get(url + f"?year={scenario.year.pk}").status_code == 200
    response = client.post(url, {"school_year": scenario.year.pk, "name": "Trimester 3",
                                 "starts_on": "2027-04-01", "ends_on": "2027-06-30"})
    assert response.status_code == 302
    period = Period.objects.get(school=scenario.school, name="Trimester 3")
    response = client.post(url, {"school_year": scenario.year.pk, "name": "Extra",
                                 "starts_on": "2027-06-01", "ends_on": "2027-07-15"})
    assert response.status_code == 400
    assert "inside the school year" in response.content.decode()
    response = client.post(url, {"school_year": scenario.year.pk, "name": "Extra",
                                 "starts_on": "2027-03-01", "ends_on": "2027-04-15"})
    assert response.status_code == 400
    assert "overlap another period" in response.content.decode()
    assert client.post(scenario.url(f"/manage/calendar/periods/{period.pk}/delete/")).status_code == 302
    assert not Period.objects.filter(pk=period.pk).exists()


@pytest.mark.django_db
def test_add_and_delete_holiday(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    url = scenario.url("/manage/calendar/entries/new/")
    response = client.post(url, {"school_year": scenario.year.pk, "kind": "holiday", "name": "Krokusvakantie",
                                 "starts_on": "2027-02-08", "ends_on": "2027-02-12"})
    assert response.status_code == 302
    entry = CalendarEntry.objects.get(school=scenario.school, name="Krokusvakantie")
    assert entry.kind == CalendarEntry.Kind.HOLIDAY
    assert client.post(scenario.url(f"/manage/calendar/entries/{entry.pk}/delete/")).status_code == 302
    assert not CalendarEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_add_holiday_failures(scenario: Scenario, other_school: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    url = scenario.url("/manage/calendar/entries/new/")
    response = client.post(url, {"school_year": scenario.year.pk, "kind": "holiday", "name": "Backwards",
                                 "starts_on": "2027-02-12", "ends_on": "2027-02-08"})
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"] == ["The end must be after the start."]
    response = client.post(url, {"school_year": other_school.year.pk, "kind": "strike", "name": "X",
                                 "starts_on": "2027-02-08", "ends_on": "2027-02-08"})
    assert response.status_code == 400
    assert {"school_year", "kind"} <= set(response.context["form"].errors)
    assert CalendarEntry.objects.filter(school=scenario.school).count() == 1
