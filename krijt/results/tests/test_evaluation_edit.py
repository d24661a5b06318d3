"""A teacher corrects or removes an evaluation; what students already see does not shift under them."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from krijt.core.roles import Role
from krijt.results import services
from krijt.results.models import Evaluation, Score
from krijt.results.tests.conftest import make_evaluation
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

FORM = {"name": "Toets breuken", "date": "2026-11-12", "maximum": "20", "weight": "2", "category": "test"}


def form(scenario: Scenario, **changes: Any) -> dict[str, Any]:
    return {**FORM, "period": scenario.periods[0].pk, **changes}


def test_the_teacher_corrects_an_evaluation(scenario: Scenario, login_as: Any) -> None:
    evaluation = make_evaluation(scenario)
    client = login_as(Role.TEACHER)
    page = client.get(scenario.url(f"/results/evaluations/{evaluation.pk}/edit/"))
    assert page.status_code == 200
    assert 'value="Toets 1"' in page.content.decode()
    response = client.post(scenario.url(f"/results/evaluations/{evaluation.pk}/edit/"), form(scenario))
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.name, evaluation.maximum, evaluation.weight) == ("Toets breuken", 20, 2)


def test_the_maximum_cannot_drop_below_a_score_already_given(scenario: Scenario, login_as: Any) -> None:
    evaluation = make_evaluation(scenario, maximum="20")
    services.score_set(
        school=scenario.school,
        actor=scenario.teacher,
        evaluation=evaluation,
        student_id=scenario.student.pk,
        entry="16,5",
    )
    response = login_as(Role.TEACHER).post(
        scenario.url(f"/results/evaluations/{evaluation.pk}/edit/"), form(scenario, maximum="10")
    )
    assert response.status_code == 200
    assert "already has 16.5" in response.content.decode() or "already has 16,5" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.maximum == 20


def test_a_published_evaluation_keeps_its_maximum_and_cannot_be_deleted(scenario: Scenario, login_as: Any) -> None:
    evaluation = make_evaluation(scenario)
    services.score_set(
        school=scenario.school, actor=scenario.teacher, evaluation=evaluation, student_id=scenario.student.pk, entry="8"
    )
    with time_machine.travel("2026-11-23 11:00 +0100", tick=False):
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    client = login_as(Role.TEACHER)
    refused = client.post(scenario.url(f"/results/evaluations/{evaluation.pk}/edit/"), form(scenario, maximum="20"))
    assert refused.status_code == 200
    assert "stay as they are" in refused.content.decode()
    renamed = client.post(
        scenario.url(f"/results/evaluations/{evaluation.pk}/edit/"),
        form(scenario, maximum="10", weight="1", name="Toets 1 (breuken)"),
    )
    assert renamed.status_code == 302
    deleted = client.post(scenario.url(f"/results/evaluations/{evaluation.pk}/delete/"))
    assert deleted.status_code == 409
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()


def test_an_unpublished_evaluation_is_deleted_with_its_scores(scenario: Scenario, login_as: Any) -> None:
    evaluation = make_evaluation(scenario)
    services.score_set(
        school=scenario.school, actor=scenario.teacher, evaluation=evaluation, student_id=scenario.student.pk, entry="7"
    )
    response = login_as(Role.TEACHER).post(scenario.url(f"/results/evaluations/{evaluation.pk}/delete/"))
    assert response.status_code == 302
    assert not Evaluation.objects.filter(pk=evaluation.pk).exists()
    assert not Score.objects.filter(evaluation_id=evaluation.pk).exists()


def test_students_and_other_teachers_cannot_change_an_evaluation(scenario: Scenario, login_as: Any) -> None:
    evaluation = make_evaluation(scenario)
    assert login_as(Role.STUDENT).get(scenario.url(f"/results/evaluations/{evaluation.pk}/edit/")).status_code in (
        403,
        404,
    )
    assert login_as(Role.STUDENT).post(scenario.url(f"/results/evaluations/{evaluation.pk}/delete/")).status_code in (
        403,
        404,
    )
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()
