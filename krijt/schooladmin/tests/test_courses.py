from __future__ import annotations

import pytest

from krijt.schools.models import ClassGroup, Course, TimetableSlot
from tests.scenario import Scenario

COURSE_LIST_QUERIES = 4  # years, classes, the count and one page of courses (with teacher, class, lessons)


@pytest.mark.django_db
def test_course_list_costs_a_fixed_number_of_queries(scenario: Scenario, login_as, count_get,
                                                     django_assert_num_queries) -> None:
    client = login_as("admin")
    url = scenario.url("/manage/courses/")
    baseline = count_get(client, url)
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(school=scenario.school, school_year=scenario.year, name=f"K{i}", grade=2) for i in range(20))
    Course.objects.bulk_create(
        Course(school=scenario.school, school_year=scenario.year, class_group=g, name=f"Vak{j}",
               teacher=scenario.teachers[j % 2], hours_per_week=2) for g in groups for j in range(5))
    with django_assert_num_queries(baseline):
        html = client.get(url).content.decode()
    assert "Vak4" in html
    with django_assert_num_queries(baseline):
        last = client.get(url, {"page": 3}).content.decode()
    assert "K19" in last
    with django_assert_num_queries(baseline):
        response = client.get(url, {"class": groups[3].pk})
    assert [c.class_group_id for c in response.context["courses"]] == [groups[3].pk] * 5
    assert baseline == COURSE_LIST_QUERIES


@pytest.mark.django_db
def test_course_list_is_searched_and_paged(scenario: Scenario, login_as) -> None:
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(school=scenario.school, school_year=scenario.year, name=f"K{i}", grade=2) for i in range(12))
    Course.objects.bulk_create(
        Course(school=scenario.school, school_year=scenario.year, class_group=g, name=name, code=code,
               teacher=scenario.teachers[0], hours_per_week=2)
        for g in groups for name, code in (("Latijn", "LAT"), ("Aardrijkskunde", "AAR"), ("Fysica", "FYS"),
                                           ("Chemie", "CHE"), ("Biologie", "BIO")))
    client = login_as("admin")
    first = client.get(scenario.url("/manage/courses/"))
    assert len(first.context["courses"]) == 50
    assert first.context["page"].paginator.num_pages == 2
    html = first.content.decode()
    assert "?page=2" in html
    found = client.get(scenario.url("/manage/courses/"), {"q": "latijn"})
    assert {c.name for c in found.context["courses"]} == {"Latijn"}
    assert len(found.context["courses"]) == 12
    by_code = client.get(scenario.url("/manage/courses/"), {"q": "fys", "class": groups[0].pk})
    assert [(c.name, c.class_group_id) for c in by_code.context["courses"]] == [("Fysica", groups[0].pk)]
    teacher = scenario.teachers[1]
    by_teacher = client.get(scenario.url("/manage/courses/"), {"q": teacher.first_name})
    assert by_teacher.context["courses"]
    assert all(c.teacher_id == teacher.pk for c in by_teacher.context["courses"])
    nothing = client.get(scenario.url("/manage/courses/"), {"q": "sanskriet"}).content.decode()
    assert "No course matches this search." in nothing


@pytest.mark.django_db
def test_course_list_per_class_shows_lessons_against_hours(scenario: Scenario, login_as) -> None:
    group = scenario.classes[0]
    response = login_as("staff").get(scenario.url("/manage/courses/"), {"class": group.pk})
    courses = response.context["courses"]
    assert {c.name: c.lessons for c in courses} == {"Wiskunde": 5, "Nederlands": 5}
    assert all(c.class_group == group for c in courses)


@pytest.mark.django_db
def test_create_course(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    group = scenario.classes[1]
    form_page = client.get(scenario.url(f"/manage/courses/new/?class={group.pk}"))
    assert form_page.context["form"].initial["class_group"] == group.pk
    response = client.post(scenario.url("/manage/courses/new/"), {
        "name": "Frans", "code": "FRA", "class_group": group.pk, "teacher": scenario.teachers[1].pk,
        "hours_per_week": 3})
    assert response.status_code == 302
    course = Course.objects.get(school=scenario.school, class_group=group, name="Frans")
    assert (course.code, course.teacher, course.hours_per_week, course.school_year) == (
        "FRA", scenario.teachers[1], 3, scenario.year)


@pytest.mark.django_db
def test_create_course_failures(scenario: Scenario, login_as) -> None:
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    group = scenario.classes[0]
    response = client.post(scenario.url("/manage/courses/new/"), {
        "name": "Wiskunde", "class_group": group.pk, "hours_per_week": 2})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This class already has a course with this name."]
    response = client.post(scenario.url("/manage/courses/new/"), {
        "name": "Latijn", "class_group": group.pk, "teacher": scenario.student.pk, "hours_per_week": 99})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "teacher" in errors
    assert "hours_per_week" in errors
    assert not Course.objects.filter(name="Latijn").exists()


@pytest.mark.django_db
def test_edit_course(scenario: Scenario, login_as) -> None:
    course = scenario.courses[0]
    client = login_as("admin")
    assert client.get(scenario.url(f"/manage/courses/{course.pk}/edit/")).status_code == 200
    response = client.post(scenario.url(f"/manage/courses/{course.pk}/edit/"), {
        "name": "Wiskunde B", "code": "WISB", "class_group": course.class_group_id, "teacher": "",
        "hours_per_week": 5})
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.name, course.teacher, course.hours_per_week) == ("Wiskunde B", None, 5)


@pytest.mark.django_db
def test_moving_a_course_to_a_class_where_its_lessons_clash_fails(scenario: Scenario, login_as) -> None:
    # 1A's Wiskunde is in lesson period 1 every day; 2A's Nederlands is in period 4, Wiskunde in period 2.
    course = scenario.courses[0]
    other = scenario.classes[1]
    TimetableSlot.objects.create(school=scenario.school, school_year=scenario.year, course=scenario.courses[3],
                                 weekday=1, lesson_period=scenario.lesson_periods[0])
    client = login_as("admin")
    client.cookies["krijt_language"] = "en"
    response = client.post(scenario.url(f"/manage/courses/{course.pk}/edit/"), {
        "name": "Algebra", "class_group": other.pk, "teacher": course.teacher_id, "hours_per_week": 4})
    assert response.status_code == 400
    assert "This class already has Nederlands at this time." in response.content.decode()
    course.refresh_from_db()
    assert course.class_group_id == scenario.classes[0].pk


@pytest.mark.django_db
def test_delete_course(scenario: Scenario, login_as) -> None:
    course = scenario.courses[0]
    response = login_as("admin").post(scenario.url(f"/manage/courses/{course.pk}/delete/"))
    assert response.status_code == 302
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not TimetableSlot.objects.filter(course_id=course.pk).exists()
