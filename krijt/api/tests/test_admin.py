"""Administration endpoints: administrators read and write, staff read, everyone else is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from krijt.accounts.models import Membership, ParentLink, User
from krijt.api.tests.conftest import Api, error_of
from krijt.core.roles import Role
from krijt.schools.models import ClassGroup, Course, SchoolYear, TimetableSlot
from tests.scenario import Scenario, make_user

pytestmark = pytest.mark.django_db

QueryCount = Callable[..., Any]
READERS = ["admin", "staff"]
NOT_READERS = ["teacher", "student", "parent"]


def test_every_admin_read_refuses_teachers_students_and_parents(api_as: Callable[..., Api],
                                                                scenario: Scenario) -> None:
    paths = ["/admin/classes", "/admin/people", f"/admin/people/{scenario.student.pk}", "/admin/courses",
             "/admin/timetable", "/admin/calendar"]
    for role in NOT_READERS:
        api = api_as(role)
        for path in paths:
            response = api.get(path)
            assert response.status_code == 403, (role, path)
            assert error_of(response)["code"] == "forbidden"


# ---------------------------------------------------------------- classes


def test_classes_of_the_current_year(api_as: Callable[..., Api], scenario: Scenario) -> None:
    for role in READERS:
        body = api_as(role).get("/admin/classes").json()
        assert [(c["name"], c["grade"], c["student_count"], c["mentor"]["id"]) for c in body] == [
            ("1A", 1, 3, scenario.teachers[0].pk), ("2A", 2, 3, scenario.teachers[1].pk)
        ]


def test_classes_of_a_given_year_and_of_another_schools_year(
    api_as: Callable[..., Api], scenario: Scenario, other_school: Scenario
) -> None:
    api = api_as("admin")
    assert len(api.get("/admin/classes", school_year_id=scenario.year.pk).json()) == 2
    response = api.get("/admin/classes", school_year_id=other_school.year.pk)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_classes_queries_do_not_grow_with_classes(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    api = api_as("staff")
    api.get("/admin/classes")
    with django_assert_num_queries(2):  # school year, classes with counts and mentors
        api.get("/admin/classes")
    for n in range(30):
        ClassGroup.objects.create(school=scenario.school, school_year=scenario.year, name=f"X{n}", grade=5,
                                  mentor=scenario.teacher)
    with django_assert_num_queries(2):
        assert len(api.get("/admin/classes").json()) == 32


def test_an_admin_creates_a_class(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("admin").post("/admin/classes", {"name": " 3B ", "grade": 3, "mentor_id": scenario.teacher.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "3B"
    assert body["student_count"] == 0
    assert body["mentor"]["id"] == scenario.teacher.pk
    group = ClassGroup.objects.get(pk=body["id"])
    assert (group.school_id, group.school_year_id) == (scenario.school.pk, scenario.year.pk)


def test_creating_a_class_is_for_administrators_only(api_as: Callable[..., Api]) -> None:
    for role in ["staff", "teacher", "student", "parent"]:
        response = api_as(role).post("/admin/classes", {"name": "3B", "grade": 3})
        assert response.status_code == 403, role
    assert not ClassGroup.objects.filter(name="3B").exists()


def test_creating_a_class_validates_its_fields(api_as: Callable[..., Api]) -> None:
    api = api_as("admin")
    response = api.post("/admin/classes", {"name": "  ", "grade": 13})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"name", "grade"}
    response = api.post("/admin/classes", {})
    assert set(error_of(response)["fields"]) == {"name", "grade"}


def test_a_class_name_is_unique_in_a_year(api_as: Callable[..., Api]) -> None:
    response = api_as("admin").post("/admin/classes", {"name": "1A", "grade": 1})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert "name" in error["fields"]


def test_a_class_mentor_must_be_a_teacher_of_this_school(
    api_as: Callable[..., Api], scenario: Scenario, other_school: Scenario
) -> None:
    api = api_as("admin")
    for mentor in [other_school.teacher.pk, scenario.student.pk, 999999]:
        response = api.post("/admin/classes", {"name": "3B", "grade": 3, "mentor_id": mentor})
        assert response.status_code == 400
        assert list(error_of(response)["fields"]) == ["mentor_id"]


def test_a_class_cannot_be_created_in_another_schools_year(
    api_as: Callable[..., Api], other_school: Scenario
) -> None:
    response = api_as("admin").post("/admin/classes", {"name": "3B", "grade": 3,
                                                       "school_year_id": other_school.year.pk})
    assert response.status_code == 404
    assert not ClassGroup.objects.filter(name="3B").exists()


# ---------------------------------------------------------------- people


def test_people_lists_members_and_parents_with_their_roles(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("staff").get("/admin/people").json()
    # admin, staff, 2 teachers, 6 students, 6 parents
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (16, 1, 50, 1)
    by_id = {p["id"]: p for p in body["results"]}
    assert by_id[scenario.admin.pk]["roles"] == ["admin"]
    assert by_id[scenario.parent.pk]["roles"] == ["parent"]
    assert by_id[scenario.student.pk]["roles"] == ["student"]


def test_people_never_include_another_school(api_as: Callable[..., Api], scenario: Scenario,
                                             other_school: Scenario) -> None:
    body = api_as("admin").get("/admin/people").json()
    assert body["count"] == 16
    assert not {p["id"] for p in body["results"]} & {other_school.admin.pk, other_school.student.pk}


def test_people_search_and_role_filter(api_as: Callable[..., Api], scenario: Scenario) -> None:
    api = api_as("admin")
    body = api.get("/admin/people", role="teacher").json()
    assert {p["id"] for p in body["results"]} == {t.pk for t in scenario.teachers}
    body = api.get("/admin/people", role="parent").json()
    assert body["count"] == 6
    body = api.get("/admin/people", search="stu1").json()
    assert [p["username"] for p in body["results"]] == ["alpha.student1"]
    body = api.get("/admin/people", search="tess2 teacher").json()
    assert [p["id"] for p in body["results"]] == [scenario.teachers[1].pk]
    assert api.get("/admin/people", search="nobody").json()["count"] == 0


def test_people_paging(api_as: Callable[..., Api], scenario: Scenario) -> None:
    for n in range(60):
        user = make_user(f"alpha.p{n:03d}", "Pat", f"Zz{n:03d}")
        Membership.objects.create(school=scenario.school, user=user, role=Role.STUDENT)
    api = api_as("admin")
    first = api.get("/admin/people").json()
    second = api.get("/admin/people", page=2).json()
    assert (first["count"], first["pages"], len(first["results"])) == (76, 2, 50)
    assert len(second["results"]) == 26
    assert not {p["id"] for p in first["results"]} & {p["id"] for p in second["results"]}
    beyond = api.get("/admin/people", page=3).json()
    assert (beyond["count"], beyond["results"]) == (76, [])


def test_people_rejects_bad_filters(api_as: Callable[..., Api]) -> None:
    response = api_as("admin").get("/admin/people", role="king", page=0, search="x" * 101)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"role", "page", "search"}


def test_people_queries_do_not_grow_with_people(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    api = api_as("admin")
    api.get("/admin/people")
    # count, page, memberships of the page, parent links of the page
    with django_assert_num_queries(4):
        api.get("/admin/people")
    for n in range(120):
        user = make_user(f"alpha.extra{n:03d}", "Extra", f"Person{n:03d}")
        Membership.objects.create(school=scenario.school, user=user, role=Role.STUDENT if n % 2 else Role.TEACHER)
        if n % 3 == 0:
            ParentLink.objects.create(school=scenario.school, parent=user, student=scenario.students[n % 6])
    with django_assert_num_queries(4):
        body = api.get("/admin/people").json()
    assert body["count"] == 136
    assert len(body["results"]) == 50
    with django_assert_num_queries(4):
        assert len(api.get("/admin/people", page=2, role="student", search="extra").json()["results"]) == 10


def test_a_students_details(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("staff").get(f"/admin/people/{scenario.student.pk}").json()
    assert body["roles"] == ["student"]
    assert body["class"] == {"id": scenario.classes[0].pk, "name": "1A"}
    assert [p["id"] for p in body["parents"]] == [scenario.parent.pk]
    assert body["birth_date"] == scenario.student.birth_date.isoformat()  # type: ignore[union-attr]
    assert body["children"] == []


def test_a_parents_details(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("admin").get(f"/admin/people/{scenario.parent.pk}").json()
    assert body["roles"] == ["parent"]
    assert [c["id"] for c in body["children"]] == [scenario.student.pk]
    assert body["class"] is None


def test_a_person_of_another_school_or_of_no_school_is_not_found(
    api_as: Callable[..., Api], other_school: Scenario
) -> None:
    stranger = make_user("stranger", "Str", "Anger")
    api = api_as("admin")
    for person in [other_school.student, other_school.parent, other_school.admin, stranger]:
        response = api.get(f"/admin/people/{person.pk}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert api.get("/admin/people/abc").status_code == 400


def test_person_details_cost_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    api = api_as("admin")
    path = f"/admin/people/{scenario.student.pk}"
    api.get(path)
    # person, their roles (2), school year, class, parents
    with django_assert_num_queries(6):
        api.get(path)
    second = make_user("alpha.parent99", "Second", "Parent")
    ParentLink.objects.create(school=scenario.school, parent=second, student=scenario.student)
    with django_assert_num_queries(6):
        assert len(api.get(path).json()["parents"]) == 2


def test_an_admin_adds_a_person(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("admin").post("/admin/people", {
        "username": "Alpha.NewTeacher", "first_name": " Nina ", "last_name": "New", "role": "teacher",
        "email": "nina@alpha.example", "birth_date": "1990-04-01",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["first_name"], body["roles"]) == ("alpha.newteacher", "Nina", ["teacher"])
    user = User.objects.get(username="alpha.newteacher")
    assert Membership.objects.filter(school=scenario.school, user=user, role=Role.TEACHER).exists()
    assert not user.has_usable_password()


def test_adding_a_person_is_for_administrators_only(api_as: Callable[..., Api]) -> None:
    data = {"username": "alpha.x", "first_name": "X", "last_name": "Y", "role": "student"}
    for role in ["staff", "teacher", "student", "parent"]:
        assert api_as(role).post("/admin/people", data).status_code == 403
    assert not User.objects.filter(username="alpha.x").exists()


def test_adding_a_person_validates_the_fields(api_as: Callable[..., Api]) -> None:
    api = api_as("admin")
    response = api.post("/admin/people", {"username": "x", "first_name": "", "last_name": "Y", "role": "parent",
                                          "email": "not-an-address", "birth_date": "yesterday"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"username", "first_name", "role", "email", "birth_date"}
    response = api.post("/admin/people", {"username": "Bad Name!", "first_name": "X", "last_name": "Y",
                                          "role": "student"})
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["username"]


def test_adding_a_person_with_a_taken_user_name_conflicts(api_as: Callable[..., Api], scenario: Scenario) -> None:
    response = api_as("admin").post("/admin/people", {"username": scenario.student.username, "first_name": "X",
                                                      "last_name": "Y", "role": "student"})
    assert response.status_code == 409
    assert "username" in error_of(response)["fields"]


# ---------------------------------------------------------------- courses, timetable, calendar


def test_courses_of_a_class_and_of_the_year(api_as: Callable[..., Api], scenario: Scenario) -> None:
    api = api_as("staff")
    group = scenario.classes[1]
    body = api.get("/admin/courses", class_id=group.pk).json()
    assert {(c["name"], c["class"]["id"]) for c in body} == {("Wiskunde", group.pk), ("Nederlands", group.pk)}
    assert body[0]["school_year_id"] == scenario.year.pk
    assert len(api.get("/admin/courses").json()) == 4


def test_courses_of_another_schools_class_are_not_found(api_as: Callable[..., Api],
                                                        other_school: Scenario) -> None:
    api = api_as("admin")
    assert api.get("/admin/courses", class_id=other_school.classes[0].pk).status_code == 404
    assert api.get("/admin/courses", school_year_id=other_school.year.pk).status_code == 404
    response = api.get("/admin/courses", class_id="x")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["class_id"]


def test_courses_queries_do_not_grow_with_courses(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    api = api_as("admin")
    group = scenario.classes[0]
    api.get("/admin/courses")
    with django_assert_num_queries(2):  # school year, courses
        api.get("/admin/courses")
    with django_assert_num_queries(2):  # class, courses
        api.get("/admin/courses", class_id=group.pk)
    for n in range(25):
        Course.objects.create(school=scenario.school, school_year=scenario.year, class_group=group, name=f"C{n}",
                              teacher=scenario.teachers[n % 2])
    with django_assert_num_queries(2):
        assert len(api.get("/admin/courses").json()) == 29
    with django_assert_num_queries(2):
        assert len(api.get("/admin/courses", class_id=group.pk).json()) == 27


def test_the_timetable_of_a_class(api_as: Callable[..., Api], scenario: Scenario) -> None:
    group = scenario.classes[0]
    body = api_as("admin").get("/admin/timetable", class_id=group.pk).json()
    assert body["school_year"]["id"] == scenario.year.pk
    assert [p["number"] for p in body["lesson_periods"]] == list(range(1, 8))
    assert len(body["slots"]) == 10
    monday = [s for s in body["slots"] if s["weekday"] == 1]
    assert [(s["period"], s["course"]["name"], s["starts_at"]) for s in monday] == [
        (1, "Wiskunde", "08:25:00"), (3, "Nederlands", "10:20:00")
    ]
    assert {s["class"]["id"] for s in body["slots"]} == {group.pk}


def test_the_timetable_of_the_whole_school(api_as: Callable[..., Api]) -> None:
    assert len(api_as("staff").get("/admin/timetable").json()["slots"]) == 20


def test_the_timetable_of_another_schools_class_is_not_found(api_as: Callable[..., Api],
                                                             other_school: Scenario) -> None:
    response = api_as("admin").get("/admin/timetable", class_id=other_school.classes[0].pk)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_timetable_queries_do_not_grow_with_lessons(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    api = api_as("admin")
    group = scenario.classes[0]
    api.get("/admin/timetable", class_id=group.pk)
    with django_assert_num_queries(3):  # class, lesson periods, lessons
        api.get("/admin/timetable", class_id=group.pk)
    course = Course.objects.create(school=scenario.school, school_year=scenario.year, class_group=group,
                                   name="Extra", teacher=scenario.teacher)
    for weekday in range(1, 6):
        for period in scenario.lesson_periods[4:]:
            TimetableSlot.objects.create(school=scenario.school, school_year=scenario.year, course=course,
                                         weekday=weekday, lesson_period=period)
    with django_assert_num_queries(3):
        assert len(api.get("/admin/timetable", class_id=group.pk).json()["slots"]) == 25


def test_the_calendar(api_as: Callable[..., Api], scenario: Scenario) -> None:
    body = api_as("staff").get("/admin/calendar").json()
    assert body["weekdays"] == [1, 2, 3, 4, 5]
    assert len(body["lesson_periods"]) == 7
    (year,) = body["school_years"]
    assert (year["id"], year["starts_on"], year["ends_on"]) == (scenario.year.pk, "2026-09-01", "2027-06-30")
    assert [p["name"] for p in year["periods"]] == ["Trimester 1", "Trimester 2", "Trimester 3"]
    assert year["closed"] == [{"id": year["closed"][0]["id"], "kind": "holiday", "name": "Kerstvakantie",
                               "starts_on": "2026-12-21", "ends_on": "2027-01-03"}]


def test_the_calendar_queries_do_not_grow_with_years(
    api_as: Callable[..., Api], scenario: Scenario, other_school: Scenario, django_assert_num_queries: QueryCount
) -> None:
    import datetime as dt

    from krijt.schools.models import CalendarEntry, Period

    api = api_as("admin")
    api.get("/admin/calendar")
    with django_assert_num_queries(4):  # years, periods, closures, lesson periods
        api.get("/admin/calendar")
    for n in range(1, 6):
        year = SchoolYear.objects.create(school=scenario.school, name=f"20{10 + n}", starts_on=dt.date(2010 + n, 9, 1),
                                         ends_on=dt.date(2011 + n, 6, 30))
        Period.objects.create(school=scenario.school, school_year=year, name="T1", starts_on=year.starts_on,
                              ends_on=year.ends_on)
        CalendarEntry.objects.create(school=scenario.school, school_year=year, name="Herfst",
                                     starts_on=dt.date(2010 + n, 11, 1), ends_on=dt.date(2010 + n, 11, 5))
    with django_assert_num_queries(4):
        body = api.get("/admin/calendar").json()
    assert len(body["school_years"]) == 6
    assert other_school.year.pk not in {y["id"] for y in body["school_years"]}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"class_id": None}, "class_group", "Choose a class for a student."),
    ({"birth_date": "2099-01-01"}, "birth_date", "A birth date cannot be in the future."),
])
def test_the_api_and_the_page_refuse_the_same_person_with_the_same_error(
        api_as: Callable[..., Api], scenario: Scenario, change: dict[str, Any], field: str, message: str) -> None:
    """One door for adding a person: the API face and the page face give the same answer to the same input."""
    data = {"username": "alpha.newstudent", "first_name": "Nora", "last_name": "New", "role": "student",
            "email": "", "birth_date": "2013-05-04", "class_id": scenario.classes[0].pk, **change}
    api = api_as("admin")
    response = api.post("/admin/people", data)
    assert response.status_code == 400
    assert error_of(response)["fields"][field] == [message]
    page = api.client.post(scenario.url("/manage/people/new/"), {
        "username": data["username"], "first_name": data["first_name"], "last_name": data["last_name"],
        "role": data["role"], "email": "", "birth_date": data["birth_date"] or "",
        "class_group": data["class_id"] or "", "child": ""})
    assert page.status_code == 400
    assert page.context["form"].errors[field] == [message]
    assert not User.objects.filter(username="alpha.newstudent").exists()
    # With the class and a past birth date both faces add the student, in the class.
    ok = api.post("/admin/people", {**data, "class_id": scenario.classes[0].pk, "birth_date": "2013-05-04"})
    assert ok.status_code == 201
    assert ok.json()["class"]["id"] == scenario.classes[0].pk
