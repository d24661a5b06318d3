"""/me, my timetable, my classes and a class: what each person sees of their own school life."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from krijt.accounts.models import Membership, ParentLink
from krijt.api.tests.conftest import Api, error_of
from krijt.core.roles import Role
from krijt.schools.models import Course, Enrollment, TimetableSlot
from tests.scenario import Scenario, build_school, make_user

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 5)
MONDAY_MORNING = dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC)  # 09:00 in Brussels
SUNDAY_LATE = dt.datetime(2026, 10, 4, 22, 30, tzinfo=dt.UTC)  # already Monday 00:30 in Brussels
CHRISTMAS_TUESDAY = dt.date(2026, 12, 22)

QueryCount = Callable[..., Any]


# ---------------------------------------------------------------- /me


def test_me_for_a_student(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("student").get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == scenario.student.pk
    assert body["user"]["full_name"] == scenario.student.full_name
    assert body["roles"] == ["student"]
    assert body["school"] == {"slug": "alpha", "name": scenario.school.name, "time_zone": "Europe/Brussels"}
    assert body["children"] == []


def test_me_for_a_parent_lists_their_children(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("parent").get("/me").json()
    assert body["roles"] == ["parent"]
    assert [(c["id"], c["class_name"], c["school_slug"]) for c in body["children"]] == [
        (scenario.student.pk, "1A", "alpha")
    ]


def test_me_for_someone_without_a_role_here_is_forbidden(api_as: Callable[..., Api], scenario: Scenario) -> None:
    stranger = make_user("stranger", "Str", "Anger")
    response = api_as("student", user=stranger).get("/me")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_me_costs_the_same_number_of_queries_for_every_member(
    api_as: Callable[..., Api], django_assert_num_queries: QueryCount
) -> None:
    for role in ["student", "teacher", "staff", "admin"]:
        api = api_as(role)
        api.get("/me")
        with django_assert_num_queries(0):  # the session, the person's row and the roles are cache reads
            assert api.get("/me").status_code == 200


def test_me_for_a_parent_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], django_assert_num_queries: QueryCount
) -> None:
    api = api_as("parent")
    api.get("/me")
    # the parent's links; per child the school year and the class (see children_of)
    with django_assert_num_queries(3):
        assert api.get("/me").status_code == 200


# ---------------------------------------------------------------- timetable


def test_a_students_lessons_on_a_school_day(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("student").get("/me/timetable", date=MONDAY.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-10-05"
    assert body["school_day"] is True
    assert body["closure"] is None
    lessons = body["lessons"]
    assert [(lesson["period"], lesson["course"]["name"]) for lesson in lessons] == [(1, "Wiskunde"), (3, "Nederlands")]
    first = lessons[0]
    assert first["starts_at"] == "2026-10-05T08:25:00+02:00"
    assert first["ends_at"] == "2026-10-05T09:15:00+02:00"
    assert first["class"] == {"id": scenario.classes[0].pk, "name": "1A"}
    assert first["teacher"]["id"] == scenario.teacher.pk
    assert first["room"] == "B101"


def test_a_teachers_lessons_span_their_classes(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("teacher").get("/me/timetable", date=MONDAY.isoformat()).json()
    assert [(lesson["period"], lesson["class"]["name"]) for lesson in body["lessons"]] == [(1, "1A"), (2, "2A")]


def test_the_default_day_is_today_in_the_school_time_zone(api_as: Callable[..., Api]) -> None:
    api = api_as("student")
    with time_machine.travel(SUNDAY_LATE, tick=False):
        body = api.get("/me/timetable").json()
    assert body["date"] == "2026-10-05"
    assert body["school_day"] is True
    with time_machine.travel(MONDAY_MORNING, tick=False):
        assert api.get("/me/timetable").json()["date"] == "2026-10-05"


def test_a_holiday_is_not_a_school_day_and_has_no_lessons(api_as: Callable[..., Api]) -> None:
    body = api_as("student").get("/me/timetable", date=CHRISTMAS_TUESDAY.isoformat()).json()
    assert body == {"date": "2026-12-22", "school_day": False, "closure": "Kerstvakantie", "lessons": []}


def test_a_saturday_has_no_lessons(api_as: Callable[..., Api]) -> None:
    body = api_as("teacher").get("/me/timetable", date="2026-10-10").json()
    assert body["school_day"] is False
    assert body["lessons"] == []


def test_the_week_runs_monday_to_sunday(api_as: Callable[..., Api]) -> None:
    body = api_as("student").get("/me/timetable/week", date="2026-10-08").json()
    assert body["week_start"] == "2026-10-05"
    assert [d["date"] for d in body["days"]] == [f"2026-10-{n:02d}" for n in range(5, 12)]
    assert [d["school_day"] for d in body["days"]] == [True] * 5 + [False] * 2
    assert [len(d["lessons"]) for d in body["days"]] == [2, 2, 2, 2, 2, 0, 0]


def test_a_week_across_the_start_of_the_christmas_holiday(api_as: Callable[..., Api]) -> None:
    body = api_as("student").get("/me/timetable/week", date="2026-12-21").json()
    assert [d["school_day"] for d in body["days"]] == [False] * 7
    assert {d["closure"] for d in body["days"][:5]} == {"Kerstvakantie"}


def test_timetable_is_for_students_and_teachers_only(api_as: Callable[..., Api]) -> None:
    for role in ["parent", "staff", "admin"]:
        for path in ["/me/timetable", "/me/timetable/week"]:
            response = api_as(role).get(path, date=MONDAY.isoformat())
            assert response.status_code == 403, (role, path)
            assert error_of(response)["code"] == "forbidden"


def test_timetable_rejects_a_bad_date(api_as: Callable[..., Api]) -> None:
    for path in ["/me/timetable", "/me/timetable/week"]:
        response = api_as("student").get(path, date="next monday")
        assert response.status_code == 400
        assert list(error_of(response)["fields"]) == ["date"]


def _more_lessons(scenario: Scenario) -> None:
    """Five more courses with a lesson every day for class 1A: more rows, same queries."""
    group = scenario.classes[0]
    for n in range(5):
        course = Course.objects.create(school=scenario.school, school_year=scenario.year, class_group=group,
                                       name=f"Extra {n}", teacher=scenario.teacher)
        for weekday in range(1, 6):
            TimetableSlot.objects.create(school=scenario.school, school_year=scenario.year, course=course,
                                         weekday=weekday, lesson_period=scenario.lesson_periods[4 + n % 3],
                                         room=f"X{n}")


@pytest.mark.parametrize(("role", "queries"), [("student", 3), ("teacher", 2)])
def test_timetable_queries_do_not_grow_with_lessons(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount, role: str, queries: int
) -> None:
    # school year, [student: enrollment], lessons; the person, the roles and the calendar are warm cache reads
    api = api_as(role)
    api.get("/me/timetable/week", date=MONDAY.isoformat())
    for path in ["/me/timetable", "/me/timetable/week"]:
        with django_assert_num_queries(queries):
            assert api.get(path, date=MONDAY.isoformat()).status_code == 200
    _more_lessons(scenario)
    for path in ["/me/timetable", "/me/timetable/week"]:
        with django_assert_num_queries(queries):
            response = api.get(path, date=MONDAY.isoformat())
    assert len(response.json()["days"][0]["lessons"]) == 7


# ---------------------------------------------------------------- my classes


def test_a_teacher_sees_the_classes_they_teach_or_mentor(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("teacher").get("/me/classes").json()
    assert [(c["name"], c["relation"]) for c in body] == [("1A", "mentor"), ("2A", "teacher")]
    assert body[0]["school_year"] == {"id": scenario.year.pk, "name": scenario.year.name}


def test_a_student_sees_their_class(api_as: Callable[..., Api], scenario: Scenario) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False):
        body = api_as("student").get("/me/classes").json()
    assert [(c["id"], c["relation"], c["mentor"]["id"]) for c in body] == [
        (scenario.classes[0].pk, "student", scenario.teacher.pk)
    ]


def test_my_classes_is_for_students_and_teachers(api_as: Callable[..., Api]) -> None:
    for role in ["parent", "staff", "admin"]:
        response = api_as(role).get("/me/classes")
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_my_classes_queries_do_not_grow_with_classes(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    from krijt.schools.models import ClassGroup

    api = api_as("teacher")
    api.get("/me/classes")
    with django_assert_num_queries(2):  # school year, classes
        api.get("/me/classes")
    for n in range(8):
        group = ClassGroup.objects.create(school=scenario.school, school_year=scenario.year, name=f"X{n}", grade=3,
                                          mentor=scenario.teachers[1])
        Course.objects.create(school=scenario.school, school_year=scenario.year, class_group=group, name="Wiskunde",
                              teacher=scenario.teacher)
    with django_assert_num_queries(2):
        assert len(api.get("/me/classes").json()) == 10


# ---------------------------------------------------------------- a class


def test_a_teacher_sees_a_class_they_teach_with_its_students(api_as: Callable[..., Api],
                                                             scenario: Scenario) -> None:
    group = scenario.classes[1]
    body = api_as("teacher").get(f"/classes/{group.pk}").json()
    assert body["name"] == "2A"
    assert [s["id"] for s in body["students"]] == [s.pk for s in scenario.students_by_class[group.pk]]


def test_a_student_sees_their_own_class_without_the_student_list(api_as: Callable[..., Api],
                                                                 scenario: Scenario) -> None:
    api = api_as("student")
    body = api.get(f"/classes/{scenario.classes[0].pk}").json()
    assert body["id"] == scenario.classes[0].pk
    assert body["students"] is None
    response = api.get(f"/classes/{scenario.classes[1].pk}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_teacher_does_not_see_a_class_they_do_not_teach(api_as: Callable[..., Api], scenario: Scenario) -> None:
    outsider = make_user("alpha.teacher9", "Tom", "Other")
    Membership.objects.create(school=scenario.school, user=outsider, role=Role.TEACHER)
    assert api_as("teacher", user=outsider).get(f"/classes/{scenario.classes[0].pk}").status_code == 404


def test_staff_see_any_class(api_as: Callable[..., Api], scenario: Scenario) -> None:
    for role in ["staff", "admin"]:
        body = api_as(role).get(f"/classes/{scenario.classes[1].pk}").json()
        assert len(body["students"]) == 3


def test_a_parent_may_not_ask_for_classes(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("parent").get(f"/classes/{scenario.classes[0].pk}")
    assert response.status_code == 403


def test_a_class_of_another_school_is_not_found(api_as: Callable[..., Api], other_school: Scenario) -> None:
    for role in ["admin", "teacher", "student"]:
        response = api_as(role).get(f"/classes/{other_school.classes[0].pk}")
        assert response.status_code == 404, role
        assert error_of(response)["code"] == "not_found"


def test_a_bad_class_id_is_a_400(api_as: Callable[..., Api]) -> None:
    response = api_as("admin").get("/classes/first")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["class_id"]


def test_a_class_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    group = scenario.classes[0]
    api = api_as("teacher")
    api.get(f"/classes/{group.pk}")
    with django_assert_num_queries(2):  # class, students
        api.get(f"/classes/{group.pk}")
    for n in range(40):
        student = make_user(f"alpha.extra{n}", f"Ex{n}", "Tra")
        Membership.objects.create(school=scenario.school, user=student, role=Role.STUDENT)
        Enrollment.objects.create(school=scenario.school, school_year=scenario.year, class_group=group,
                                  student=student)
    with django_assert_num_queries(2):
        assert len(api.get(f"/classes/{group.pk}").json()["students"]) == 43


def test_a_parent_with_children_in_two_schools(api_as: Callable[..., Api], scenario: Scenario) -> None:
    gamma = build_school("gamma", classes=1, students_per_class=1, teachers=1)
    ParentLink.objects.create(school=gamma.school, parent=scenario.parent, student=gamma.student)
    body = api_as("parent").get("/me").json()
    assert sorted(c["school_slug"] for c in body["children"]) == ["alpha", "gamma"]
