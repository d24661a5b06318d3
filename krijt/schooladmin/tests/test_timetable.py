from __future__ import annotations

import datetime as dt

import pytest

from krijt.schools.models import ClassGroup, Course, LessonPeriod, TimetableSlot
from tests.scenario import Scenario

TIMETABLE_QUERIES = 3  # lesson periods, years, classes (the person and the roles are cache reads)


@pytest.mark.django_db
def test_timetable_page_costs_a_fixed_number_of_queries(scenario: Scenario, login_as, count_get,
                                                        django_assert_num_queries) -> None:
    client = login_as("admin")
    url = scenario.url("/manage/timetable/")
    assert count_get(client, url) == TIMETABLE_QUERIES
    ClassGroup.objects.bulk_create(
        ClassGroup(school=scenario.school, school_year=scenario.year, name=f"T{i}", grade=4) for i in range(25))
    LessonPeriod.objects.create(school=scenario.school, number=8, starts_at=dt.time(15, 35), ends_at=dt.time(16, 25))
    with django_assert_num_queries(TIMETABLE_QUERIES):
        html = client.get(url).content.decode()
    assert "T24" in html
    assert "16:25" in html


@pytest.mark.django_db
def test_add_lesson_period(scenario: Scenario, login_as) -> None:
    response = login_as("admin").post(scenario.url("/manage/timetable/"),
                                      {"number": 8, "starts_at": "15:35", "ends_at": "16:25"})
    assert response.status_code == 302
    period = LessonPeriod.objects.get(school=scenario.school, number=8)
    assert (period.starts_at, period.ends_at) == (dt.time(15, 35), dt.time(16, 25))


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"number": 1, "starts_at": "16:00", "ends_at": "16:50"}, "number", "already a lesson period with this number"),
    ({"number": 8, "starts_at": "15:00", "ends_at": "15:50"}, "starts_at", "overlap lesson period 7"),
    ({"number": 8, "starts_at": "17:00", "ends_at": "16:00"}, "ends_at", "The end must be after the start."),
    ({"number": "", "starts_at": "25:00", "ends_at": "16:00"}, "starts_at", "Enter a valid time."),
])
def test_add_lesson_period_failures(scenario: Scenario, login_as, data: dict[str, object], field: str,
                                    message: str) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url("/manage/timetable/"), data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert LessonPeriod.objects.filter(school=scenario.school).count() == 7


@pytest.mark.django_db
def test_edit_lesson_period(scenario: Scenario, login_as) -> None:
    period = scenario.lesson_periods[6]
    client = login_as("admin")
    url = scenario.url(f"/manage/timetable/periods/{period.pk}/edit/")
    assert client.get(url).status_code == 200
    assert client.post(url, {"number": 7, "starts_at": "14:40", "ends_at": "15:30"}).status_code == 302
    period.refresh_from_db()
    assert period.starts_at == dt.time(14, 40)
    client.cookies["krijt_language"] = "en"
    response = client.post(url, {"number": 7, "starts_at": "14:00", "ends_at": "15:30"})
    assert response.status_code == 400
    assert "overlap lesson period 6" in response.content.decode()


@pytest.mark.django_db
def test_delete_lesson_period_only_when_unused(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    used = scenario.lesson_periods[0]
    response = client.post(scenario.url(f"/manage/timetable/periods/{used.pk}/delete/"), follow=True)
    assert "Lessons are planned in this lesson period." in response.content.decode()
    assert LessonPeriod.objects.filter(pk=used.pk).exists()
    unused = scenario.lesson_periods[6]
    assert client.post(scenario.url(f"/manage/timetable/periods/{unused.pk}/delete/")).status_code == 302
    assert not LessonPeriod.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_class_timetable_grid(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    response = login_as("admin").get(scenario.url(f"/manage/classes/{group.pk}/timetable/"))
    grid = response.context["grid"]
    assert grid.weekdays == [1, 2, 3, 4, 5]
    first_row = grid.rows[0]
    assert first_row.lesson_period.number == 1
    assert [[s.course.name for s in cell] for cell in first_row.cells] == [["Wiskunde"]] * 5
    assert grid.rows[1].cells == [[]] * 5
    assert [[s.course.name for s in cell] for cell in grid.rows[2].cells] == [["Nederlands"]] * 5


@pytest.mark.django_db
def test_add_a_lesson_to_the_class_timetable(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    course = scenario.courses[1]  # Nederlands of 1A
    response = login_as("admin").post(scenario.url(f"/manage/classes/{group.pk}/timetable/"), {
        "course": course.pk, "weekday": 3, "lesson_period": scenario.lesson_periods[5].pk, "room": "C12"})
    assert response.status_code == 302
    assert TimetableSlot.objects.filter(school=scenario.school, course=course, weekday=3,
                                        lesson_period=scenario.lesson_periods[5], room="C12").exists()


@pytest.mark.django_db
def test_a_clashing_lesson_is_refused_with_a_clear_error(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    url = scenario.url(f"/manage/classes/{group.pk}/timetable/")
    # Same class, same weekday and period as Wiskunde.
    response = client.post(url, {"course": scenario.courses[1].pk, "weekday": 1,
                                 "lesson_period": scenario.lesson_periods[0].pk})
    assert response.status_code == 400
    assert "This class already has Wiskunde at this time." in response.content.decode()
    # The same teacher is teaching 2A in period 2 on Monday.
    response = client.post(url, {"course": scenario.courses[0].pk, "weekday": 1,
                                 "lesson_period": scenario.lesson_periods[1].pk})
    assert response.status_code == 400
    assert "The teacher already teaches Wiskunde to 2A at this time." in response.content.decode()
    # Room B201 is used by 2A on Monday in period 2.
    other_course = Course.objects.create(school=scenario.school, school_year=scenario.year, class_group=group,
                                         name="Muziek", hours_per_week=1)
    response = client.post(url, {"course": other_course.pk, "weekday": 1,
                                 "lesson_period": scenario.lesson_periods[1].pk, "room": "b201"})
    assert response.status_code == 400
    assert "This room is taken by Wiskunde of 2A at this time." in response.content.decode()
    assert TimetableSlot.objects.filter(school=scenario.school).count() == 20


@pytest.mark.django_db
def test_a_lesson_on_a_day_without_school_or_of_another_class_is_refused(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    client = login_as("admin")
    url = scenario.url(f"/manage/classes/{group.pk}/timetable/")
    response = client.post(url, {"course": scenario.courses[1].pk, "weekday": 6,
                                 "lesson_period": scenario.lesson_periods[6].pk})
    assert response.status_code == 400
    assert "weekday" in response.context["form"].errors
    response = client.post(url, {"course": scenario.courses[2].pk, "weekday": 2,  # a course of 2A
                                 "lesson_period": scenario.lesson_periods[6].pk})
    assert response.status_code == 400
    assert "course" in response.context["form"].errors


@pytest.mark.django_db
def test_remove_a_lesson(scenario: Scenario, login_as) -> None:
    slot = TimetableSlot.objects.filter(school=scenario.school, course=scenario.courses[0]).first()
    assert slot is not None
    response = login_as("admin").post(scenario.url(f"/manage/timetable/slots/{slot.pk}/delete/"))
    assert response.status_code == 302
    assert response["Location"] == scenario.url(f"/manage/classes/{scenario.classes[0].pk}/timetable/")
    assert not TimetableSlot.objects.filter(pk=slot.pk).exists()
