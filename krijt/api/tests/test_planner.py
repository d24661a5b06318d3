"""The planner through the API: a week of items as the planner pages show it, and a student's done marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from krijt.api.tests.conftest import Api, error_of
from krijt.planner.models import DoneMark, PlannerItem
from krijt.planner.tests.factories import make_item
from krijt.schools.models import Course
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
WEEK = dt.date(2026, 10, 5)

QueryCount = Callable[..., Any]


@pytest.fixture(autouse=True)
def _school_hours() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _course(scenario: Scenario, index: int = 0) -> Course:
    return Course.objects.filter(school=scenario.school, class_group=scenario.classes[index]).order_by("pk").first()  # type: ignore[return-value]


def _ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_a_student_sees_their_class_items_once_visible_with_done_marks(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    course = _course(scenario)
    shown = make_item(course, day=WEEK, title="Toets breuken")
    done = make_item(course, kind="task", day=WEEK + dt.timedelta(days=2))
    hidden = make_item(course, day=WEEK, visible_from=NOW + dt.timedelta(days=1))
    make_item(course, day=WEEK + dt.timedelta(days=7))  # next week
    make_item(_course(scenario, 1), day=WEEK)  # another class
    DoneMark.objects.create(school=scenario.school, item=done, student=scenario.student)
    response = api_as("student").get("/me/planner", week="2026-10-07")
    assert response.status_code == 200
    body = response.json()
    assert body["week_start"] == "2026-10-05"
    assert body["student"]["id"] == scenario.student.pk
    assert _ids(body) == [shown.pk, done.pk]
    assert hidden.pk not in _ids(body)
    first = body["items"][0]
    assert first["title"] == "Toets breuken"
    assert first["kind"] == "test"
    assert first["class"] == {"id": scenario.classes[0].pk, "name": "1A"}
    assert first["course"]["id"] == course.pk
    assert [item["done"] for item in body["items"]] == [False, True]


def test_a_parent_sees_their_childs_visible_items_without_done_marks(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    course = _course(scenario)
    shown = make_item(course, day=WEEK)
    make_item(course, day=WEEK, visible_from=NOW + dt.timedelta(hours=1))
    api = api_as("parent")
    body = api.get("/me/planner", week=WEEK.isoformat(), student_id=scenario.student.pk).json()
    assert body["student"]["id"] == scenario.student.pk
    assert _ids(body) == [shown.pk]
    assert body["items"][0]["done"] is None
    assert _ids(api.get("/me/planner", week=WEEK.isoformat()).json()) == [shown.pk]


def test_a_parent_cannot_read_another_students_planner(api_as: Callable[..., Api], scenario: Scenario) -> None:
    other = scenario.students[1]
    response = api_as("parent").get("/me/planner", week=WEEK.isoformat(), student_id=other.pk)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_teacher_sees_their_classes_items_before_they_are_visible(
    api_as: Callable[..., Api], scenario: Scenario
) -> None:
    course = _course(scenario)
    hidden = make_item(course, day=WEEK, visible_from=NOW + dt.timedelta(days=1))
    body = api_as("teacher", user=course.teacher).get("/me/planner", week=WEEK.isoformat()).json()
    assert hidden.pk in _ids(body)
    assert body["student"] is None


def test_the_planner_refuses_the_wrong_callers(
    api_as: Callable[..., Api], anonymous_api: Api, scenario: Scenario
) -> None:
    assert anonymous_api.get("/me/planner").status_code == 401
    assert error_of(anonymous_api.get("/me/planner"))["code"] == "not_authenticated"
    response = api_as("staff").get("/me/planner")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    response = api_as("student").get("/me/planner", student_id=scenario.students[1].pk)
    assert response.status_code == 403


def test_a_bad_week_is_a_field_error(api_as: Callable[..., Api]) -> None:
    response = api_as("student").get("/me/planner", week="next")
    assert response.status_code == 400
    assert "week" in error_of(response)["fields"]


def test_the_planner_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    course = _course(scenario)
    make_item(course, day=WEEK)
    student = api_as("student")
    student.get("/me/planner", week=WEEK.isoformat())
    # school year, class, items, done marks
    with django_assert_num_queries(4):
        assert len(student.get("/me/planner", week=WEEK.isoformat()).json()["items"]) == 1
    for n in range(5):
        make_item(course, day=WEEK + dt.timedelta(days=n % 5))
    with django_assert_num_queries(4):
        assert len(student.get("/me/planner", week=WEEK.isoformat()).json()["items"]) == 6
    parent = api_as("parent")
    parent.get("/me/planner", week=WEEK.isoformat(), student_id=scenario.student.pk)
    # the child, school year, class, items
    with django_assert_num_queries(4):
        assert parent.get("/me/planner", week=WEEK.isoformat(), student_id=scenario.student.pk).status_code == 200
    teacher = api_as("teacher", user=course.teacher)
    teacher.get("/me/planner", week=WEEK.isoformat())
    # school year, classes, items
    with django_assert_num_queries(3):
        assert teacher.get("/me/planner", week=WEEK.isoformat()).status_code == 200


def test_a_student_marks_an_item_done_and_undone(api_as: Callable[..., Api], scenario: Scenario) -> None:
    item = make_item(_course(scenario), day=WEEK)
    api = api_as("student")
    response = api.post(f"/planner/items/{item.pk}/done", {})
    assert response.status_code == 200
    assert response.json() == {"item_id": item.pk, "done": True}
    assert DoneMark.objects.filter(item=item, student=scenario.student).exists()
    assert api.post(f"/planner/items/{item.pk}/done", {}).status_code == 200
    assert DoneMark.objects.filter(item=item, student=scenario.student).count() == 1
    response = api.delete(f"/planner/items/{item.pk}/done")
    assert response.json() == {"item_id": item.pk, "done": False}
    assert not DoneMark.objects.filter(item=item).exists()


def test_done_marks_work_with_a_token(scenario: Scenario, client: Any, token_for: Callable[..., str]) -> None:
    item = make_item(_course(scenario), day=WEEK)
    api = Api(client, scenario.url("").rstrip("/"), token_for(scenario.student))
    assert api.post(f"/planner/items/{item.pk}/done", {}).status_code == 200
    assert api.get("/me/planner", week=WEEK.isoformat()).json()["items"][0]["done"] is True


def test_done_marks_are_refused_where_they_do_not_belong(
    api_as: Callable[..., Api], anonymous_api: Api, scenario: Scenario, other_school: Scenario
) -> None:
    item = make_item(_course(scenario), day=WEEK)
    assert anonymous_api.post(f"/planner/items/{item.pk}/done", {}).status_code == 401
    assert api_as("teacher").post(f"/planner/items/{item.pk}/done", {}).status_code == 403
    others = make_item(_course(scenario, 1), day=WEEK)
    hidden = make_item(_course(scenario), day=WEEK, visible_from=NOW + dt.timedelta(days=1))
    foreign = make_item(Course.objects.filter(school=other_school.school).first(), day=WEEK)
    student = api_as("student")
    for target in (others, hidden, foreign):
        response = student.post(f"/planner/items/{target.pk}/done", {})
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert student.post("/planner/items/999999/done", {}).status_code == 404
    assert not DoneMark.objects.exists()
    assert PlannerItem.objects.count() == 4


def test_marking_done_costs_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_max_num_queries: QueryCount
) -> None:
    item = make_item(_course(scenario), day=WEEK)
    api = api_as("student")
    api.post(f"/planner/items/{item.pk}/done", {})
    with django_assert_max_num_queries(12):
        assert api.post(f"/planner/items/{item.pk}/done", {}).status_code == 200
