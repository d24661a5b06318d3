"""Release timing with a controlled clock, sensitive results, adults, history and notifications."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from krijt.core.errors import Forbidden, ValidationFailed
from krijt.notifications.kinds import render
from krijt.notifications.models import Notification
from krijt.results import selectors, services
from krijt.results.models import Evaluation, Score, ScoreChange
from krijt.results.tests.conftest import local
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def _set(scenario, evaluation, student, entry, **kw):  # type: ignore[no-untyped-def]
    return services.score_set(
        school=scenario.school, actor=scenario.teacher, evaluation=evaluation, student_id=student.pk, entry=entry, **kw
    )


def test_parse_entry_accepts_comma_and_codes() -> None:
    m = Decimal("10")
    assert services.parse_entry("7,5", maximum=m).value == Decimal("7.5")
    assert services.parse_entry(" afw ", maximum=m).code == Score.Code.ABSENT
    assert services.parse_entry("V", maximum=m).code == Score.Code.EXEMPT
    assert services.parse_entry("", maximum=m).value is None
    for bad in ("12", "-1", "abc", "7,555", "nan"):
        with pytest.raises(ValidationFailed):
            services.parse_entry(bad, maximum=m)


def test_friday_evening_entry_goes_out_monday_in_the_window(scenario, evaluation) -> None:  # type: ignore[no-untyped-def]
    student = scenario.student
    with time_machine.travel(local(2026, 11, 13, 20), tick=False):  # Friday 20:00
        _set(scenario, evaluation, student, "7,5")
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
        score = Score.objects.get(evaluation=evaluation, student=student)
        assert score.student_visible_at == local(2026, 11, 16, 10)
        assert score.parent_visible_at == local(2026, 11, 17, 10)
        assert selectors.scores_of_student(school=scenario.school, student=student, audience="student") == []
    with time_machine.travel(local(2026, 11, 16, 10, 1), tick=False):
        seen = selectors.scores_of_student(school=scenario.school, student=student, audience="student")
        assert [s.value for s in seen] == [Decimal("7.5")]
        assert selectors.scores_of_student(school=scenario.school, student=student, audience="parent") == []
    with time_machine.travel(local(2026, 11, 17, 10, 1), tick=False):
        assert len(selectors.scores_of_student(school=scenario.school, student=student, audience="parent")) == 1
    items = Notification.objects.filter(key=f"result:{score.pk}:1")
    assert {(n.recipient_id, n.visible_at) for n in items} == {
        (student.pk, local(2026, 11, 16, 10)),
        (scenario.parents[0].pk, local(2026, 11, 17, 10)),
    }
    rendered = render("result", items[0].params, "en")
    assert "7" not in rendered.title + rendered.text
    assert "Wiskunde" in rendered.title


def test_holiday_week_waits_for_school(scenario, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 12, 23, 11), tick=False):  # Christmas holiday
        _set(scenario, evaluation, scenario.student, "8")
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    score = Score.objects.get(evaluation=evaluation, student=scenario.student)
    assert score.student_visible_at == local(2027, 1, 4, 10)


def test_sensitive_result_needs_a_comment_and_waits_for_school_hours(scenario, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 15, 30), tick=False):  # Tuesday, after sensitive hours
        _set(scenario, evaluation, scenario.student, "3")
        _set(scenario, evaluation, scenario.students[1], "8")
        with pytest.raises(ValidationFailed) as info:
            services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
        assert "comment" in info.value.fields
        assert Score.objects.filter(published_at__isnull=False).count() == 0
        _set(scenario, evaluation, scenario.student, "3", comment="Let's look at fractions together.")
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    weak = Score.objects.get(evaluation=evaluation, student=scenario.student)
    fine = Score.objects.get(evaluation=evaluation, student=scenario.students[1])
    assert weak.sensitive
    assert weak.talk_teacher_id == scenario.teacher.pk
    assert weak.student_visible_at == local(2026, 11, 18, 10)
    assert fine.student_visible_at == local(2026, 11, 17, 15, 30)


def test_marked_sensitive_after_publication_needs_comment(scenario, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
        with pytest.raises(ValidationFailed):
            _set(scenario, evaluation, scenario.student, "9", marked_sensitive=True)
        assert not Score.objects.exists()


def test_change_to_published_score_keeps_history_and_releases_again(scenario, evaluation) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        _set(scenario, evaluation, scenario.student, "6")
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    with time_machine.travel(local(2026, 11, 18, 9), tick=False):
        score = _set(scenario, evaluation, scenario.student, "6,5")
    change = ScoreChange.objects.get(score=score)
    assert (change.old_value, change.new_value, change.changed_by_id) == (
        Decimal("6"),
        Decimal("6.5"),
        scenario.teacher.pk,
    )
    assert score.version == 2
    assert score.student_visible_at == local(2026, 11, 18, 10)
    assert Notification.objects.filter(key=f"result:{score.pk}:1").count() == 0
    assert Notification.objects.filter(key=f"result:{score.pk}:2").count() == 2


def test_adult_student_hides_results_from_parents(scenario, evaluation) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    student = scenario.student
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        with pytest.raises(Forbidden):
            services.sharing_update(school=scenario.school, student=student, parents_may_see=False)
        student.birth_date = dt.date(2008, 1, 1)
        student.save()
        assert selectors.parents_may_see(school=scenario.school, student=student)
        services.sharing_update(school=scenario.school, student=student, parents_may_see=False)
        assert not selectors.parents_may_see(school=scenario.school, student=student)
        _set(scenario, evaluation, student, "9")
        services.evaluation_publish(school=scenario.school, actor=scenario.teacher, evaluation=evaluation)
    assert not Notification.objects.filter(recipient=scenario.parents[0]).exists()


def test_weighted_average(scenario) -> None:  # type: ignore[no-untyped-def]
    from krijt.results.tests.conftest import make_evaluation

    a = make_evaluation(scenario, name="A", maximum="10")
    b = make_evaluation(scenario, name="B", maximum="20")
    b.weight = Decimal("3")
    b.save()
    c = make_evaluation(scenario, name="C", maximum="10")
    _set(scenario, a, scenario.student, "5")
    _set(scenario, b, scenario.student, "20")
    _set(scenario, c, scenario.student, "A")
    scores = selectors.scores_of_student(school=scenario.school, student=scenario.student, audience="teacher")
    assert selectors.weighted_average(scores) == Decimal("87.5")
    averages = selectors.course_averages(school=scenario.school, student=scenario.student, audience="teacher")
    assert averages == {scenario.courses[0].pk: Decimal("87.5")}


def test_the_services_refuse_whoever_may_not_edit_the_course_even_when_called_directly(
        scenario: Scenario, evaluation: Evaluation) -> None:
    """The door holds its own rule: not the view, the service decides who enters results."""
    from krijt.accounts.models import Membership
    from krijt.core.roles import Role
    from tests.scenario import make_user

    stranger = make_user("alpha.otherteacher", "Olaf", "Other")  # a teacher here, of none of these courses
    Membership.objects.create(school=scenario.school, user=stranger, role=Role.TEACHER)
    attempts = [
        lambda actor: services.evaluation_create(school=scenario.school, actor=actor, course=evaluation.course,
                                                 period=scenario.periods[0], name="X", date=evaluation.date,
                                                 maximum=Decimal(10)),
        lambda actor: services.score_set(school=scenario.school, actor=actor, evaluation=evaluation,
                                         student_id=scenario.student.pk, entry="5"),
        lambda actor: services.evaluation_publish(school=scenario.school, actor=actor, evaluation=evaluation),
        lambda actor: services.evaluation_delete(school=scenario.school, actor=actor, evaluation=evaluation),
    ]
    for actor in (stranger, scenario.staff, scenario.student, scenario.parent):
        for attempt in attempts:
            with pytest.raises(Forbidden):
                attempt(actor)
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()
    # The course's teacher may.
    services.score_set(school=scenario.school, actor=scenario.teacher, evaluation=evaluation,
                       student_id=scenario.student.pk, entry="5")


def test_the_results_policy_is_changed_by_an_administrator_only_even_when_called_directly(
        scenario: Scenario) -> None:
    import datetime as dt

    values = {"window_start": dt.time(10), "window_end": dt.time(17), "sensitive_start": dt.time(10),
              "sensitive_end": dt.time(15), "avoid_last_lesson": True, "parent_delay_hours": 24,
              "sensitive_threshold": Decimal(50), "publish_on_save": False}
    for actor in (scenario.teacher, scenario.staff, scenario.student, scenario.parent):
        with pytest.raises(Forbidden):
            services.results_policy_update(school=scenario.school, actor=actor, **values)  # type: ignore[arg-type]
    services.results_policy_update(school=scenario.school, actor=scenario.admin, **values)  # type: ignore[arg-type]
