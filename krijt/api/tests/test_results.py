"""Results through the API: only what the reader may see now, the adult student's choice, and the view log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from krijt.accounts.models import User
from krijt.api.tests.conftest import Api, error_of
from krijt.results.models import Evaluation, ResultsSharing, ResultView, Score
from krijt.schools.models import Course
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 6, 12, 0, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(days=1)
LATER = NOW + dt.timedelta(days=1)

QueryCount = Callable[..., Any]


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _course(scenario: Scenario, index: int = 0) -> Course:
    return Course.objects.filter(school=scenario.school, class_group=scenario.classes[index]).order_by("pk").first()  # type: ignore[return-value]


def _score(scenario: Scenario, student: User, *, value: str = "8", student_at: dt.datetime | None = EARLIER,
           parent_at: dt.datetime | None = EARLIER, course: Course | None = None, period: int = 0) -> Score:
    course = course or _course(scenario)
    evaluation = Evaluation.objects.create(
        school=course.school, school_year_id=course.school_year_id, course=course,
        period=scenario.periods[period], name=f"Toets {Evaluation.objects.count() + 1}",
        date=dt.date(2026, 10, 1), maximum=Decimal("10"), weight=Decimal("1"),
    )
    return Score.objects.create(school=course.school, evaluation=evaluation, student=student, value=Decimal(value),
                                student_visible_at=student_at, parent_visible_at=parent_at)


def _evaluations(body: dict[str, Any]) -> list[int]:
    return [s["evaluation_id"] for c in body["courses"] for s in c["scores"]]


def test_a_student_sees_their_visible_results(api_as: Callable[..., Api], scenario: Scenario) -> None:
    shown = _score(scenario, scenario.student, value="8")
    _score(scenario, scenario.student, student_at=LATER)
    _score(scenario, scenario.student, student_at=None)
    _score(scenario, scenario.students[1])
    response = api_as("student").get("/me/results")
    assert response.status_code == 200
    body = response.json()
    assert body["student"]["id"] == scenario.student.pk
    assert body["hidden"] is False
    assert _evaluations(body) == [shown.evaluation_id]
    course = body["courses"][0]
    assert course["average"] == 80.0
    assert course["scores"][0]["value"] == 8.0
    assert course["scores"][0]["percentage"] == 80.0
    assert not ResultView.objects.exists()


def test_results_of_one_period(api_as: Callable[..., Api], scenario: Scenario, other_school: Scenario) -> None:
    first = _score(scenario, scenario.student, period=0)
    _score(scenario, scenario.student, period=1)
    api = api_as("student")
    body = api.get("/me/results", period_id=scenario.periods[0].pk).json()
    assert body["period"]["id"] == scenario.periods[0].pk
    assert _evaluations(body) == [first.evaluation_id]
    assert api.get("/me/results", period_id=other_school.periods[0].pk).status_code == 404


def test_a_parent_sees_what_parents_may_see_and_is_logged(api_as: Callable[..., Api], scenario: Scenario) -> None:
    shown = _score(scenario, scenario.student)
    _score(scenario, scenario.student, parent_at=LATER)
    api = api_as("parent")
    body = api.get("/me/results", student_id=scenario.student.pk).json()
    assert _evaluations(body) == [shown.evaluation_id]
    assert _evaluations(api.get("/me/results").json()) == [shown.evaluation_id]
    views = ResultView.objects.filter(student=scenario.student, viewer=scenario.parent, role="parent")
    assert views.count() == 2


def test_an_adult_student_may_hide_results_from_parents(api_as: Callable[..., Api], scenario: Scenario) -> None:
    _score(scenario, scenario.student)
    User.objects.filter(pk=scenario.student.pk).update(birth_date=dt.date(2000, 1, 1))
    ResultsSharing.objects.create(school=scenario.school, student=scenario.student, parents_may_see=False)
    body = api_as("parent").get("/me/results", student_id=scenario.student.pk).json()
    assert body["hidden"] is True
    assert body["courses"] == []
    assert ResultView.objects.filter(viewer=scenario.parent).count() == 1


def test_results_that_are_not_mine_are_refused(api_as: Callable[..., Api], anonymous_api: Api,
                                               scenario: Scenario, other_school: Scenario) -> None:
    _score(scenario, scenario.students[1])
    assert anonymous_api.get("/me/results").status_code == 401
    for role in ("teacher", "staff", "admin"):
        response = api_as(role).get("/me/results")
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"
    assert api_as("student").get("/me/results", student_id=scenario.students[1].pk).status_code == 403
    parent = api_as("parent")
    for other in (scenario.students[1], other_school.student):
        response = parent.get("/me/results", student_id=other.pk)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert not ResultView.objects.exists()


def test_with_a_token(scenario: Scenario, client: Any, token_for: Callable[..., str]) -> None:
    _score(scenario, scenario.student)
    api = Api(client, f"/s/{scenario.school.slug}", token_for(scenario.student))
    assert len(api.get("/me/results").json()["courses"]) == 1


def test_results_cost_a_fixed_number_of_queries(
    api_as: Callable[..., Api], scenario: Scenario, django_assert_num_queries: QueryCount
) -> None:
    _score(scenario, scenario.student)
    student = api_as("student")
    student.get("/me/results")
    with django_assert_num_queries(1):  # scores
        assert len(student.get("/me/results").json()["courses"]) == 1
    for index in range(2):
        for _ in range(3):
            _score(scenario, scenario.student, course=Course.objects.filter(
                school=scenario.school, class_group=scenario.classes[0]).order_by("pk")[index])
    with django_assert_num_queries(1):
        assert len(_evaluations(student.get("/me/results").json())) == 7
    parent = api_as("parent")
    parent.get("/me/results", student_id=scenario.student.pk)
    # the child, the log (with its savepoint), scores
    with django_assert_num_queries(5):
        assert len(_evaluations(parent.get("/me/results", student_id=scenario.student.pk).json())) == 7
