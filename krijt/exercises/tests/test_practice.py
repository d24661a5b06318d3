"""Exercises end to end through the doors: writing and changing items (revisions), assigning to a class, a group
or chosen pupils (a due date is a planner task under the workload rules), filing a finished sitting (one row
per key, whoever sends it twice), the worker's summaries (scored again on the server, mastery once, parents only
in the digest), the weekly partitions and their retention."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.exercises import partitions, rules, services
from krijt.exercises.models import Attempt, ItemRevision, ItemTally, PracticeGroup, Progress
from krijt.exercises.tests.helpers import ADMIN, STUDENT, TEACHER, assign, exercise, sitting, submit
from krijt.notifications.models import Delivery, Notification
from krijt.planner.models import PlannerItem
from krijt.planner.services import WorkloadWarning
from tests.scenario import Scenario, count_queries

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Brussels")
AT = dt.datetime(2026, 10, 6, 10, 0, tzinfo=TZ)  # a Tuesday morning


@pytest.fixture(autouse=True)
def clock_at() -> Any:
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


def pupils(s: Scenario) -> list[Any]:
    return s.students_by_class[s.classes[0].pk]


def settle(traveller: Any) -> int:
    traveller.shift(services.SETTLE + dt.timedelta(seconds=1))
    return services.summarize()


# ---------------------------------------------------------------- writing


def test_an_item_changed_gets_a_new_revision_and_old_answers_keep_theirs(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    item = ex.items.order_by("position")[0]
    first = item.current_id
    services.item_change(school=s.school, actor=s.teacher, roles=TEACHER, item=item, data=services.ItemIn(
        kind="single", prompt="3 × 4 = ?", source="10\n*12\n14", hints=["Count on."]))
    item.refresh_from_db()
    assert item.current_id == first  # nothing changed: no revision
    services.item_change(school=s.school, actor=s.teacher, roles=TEACHER, item=item, data=services.ItemIn(
        kind="single", prompt="4 × 3 = ?", source="10\n*12\n14"))
    item.refresh_from_db()
    assert item.current_id != first
    assert ItemRevision.objects.filter(item=item).count() == 2
    assert ItemRevision.objects.get(pk=first).prompt == "3 × 4 = ?"


def test_only_the_author_or_an_administrator_changes_an_exercise(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    other = s.teachers[1]
    with pytest.raises(Forbidden):
        services.item_add(school=s.school, actor=other, roles=TEACHER, exercise=ex,
                          data=services.ItemIn(kind="truefalse", prompt="1 + 1 = 2", source="true"))
    services.item_add(school=s.school, actor=s.admin, roles=ADMIN, exercise=ex,
                      data=services.ItemIn(kind="truefalse", prompt="1 + 1 = 2", source="true"))
    with pytest.raises(Forbidden):
        services.exercise_create(school=s.school, actor=s.student, roles=STUDENT, data=services.ExerciseIn(
            subject="x", skill="y", title="z"))


def test_bad_items_say_what_to_change(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    with pytest.raises(ValidationFailed) as caught:
        services.item_add(school=s.school, actor=s.teacher, roles=TEACHER, exercise=ex,
                          data=services.ItemIn(kind="single", prompt="", source="a\nb", hints=["1", "2", "3", "4"]))
    assert set(caught.value.fields) == {"prompt", "source", "hints"}
    with pytest.raises(ValidationFailed) as caught:
        services.exercise_create(school=s.school, actor=s.teacher, roles=TEACHER, data=services.ExerciseIn(
            subject="Wiskunde", skill="", title="x", rule_m=6, rule_n=5))
    assert set(caught.value.fields) == {"skill", "rule_m"}


# ---------------------------------------------------------------- assigning


def test_a_class_assignment_tells_the_pupils_through_the_engine(scenario: Scenario) -> None:
    s = scenario
    a = assign(s, exercise(s))
    assert a.whole_class
    told = set(Notification.objects.filter(kind="exercise_assigned").values_list("recipient_id", flat=True))
    assert told == {p.pk for p in pupils(s)}


def test_an_assignment_at_night_reaches_pupils_in_the_morning(scenario: Scenario, clock_at: Any) -> None:
    s = scenario
    clock_at.move_to(dt.datetime(2026, 10, 6, 21, 30, tzinfo=TZ))
    assign(s, exercise(s))
    seen = {n.visible_at.astimezone(TZ) for n in Notification.objects.filter(kind="exercise_assigned")}
    assert seen
    assert all(moment.hour >= 7 and moment.date() == dt.date(2026, 10, 7) for moment in seen)
    pushed = Delivery.objects.filter(notification__kind="exercise_assigned")
    assert all(d.due_at.astimezone(TZ).hour >= 7 for d in pushed)


def test_chosen_pupils_and_a_group(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    first, second, third = pupils(s)
    chosen = assign(s, ex, student_ids=[first.pk])
    assert not chosen.whole_class
    group = services.group_save(school=s.school, actor=s.teacher, roles=TEACHER, course=s.courses[0],
                                name="Extra tables", student_ids=[second.pk, third.pk])
    grouped = assign(s, ex, group_id=group.pk)
    assert grouped.group_name == "Extra tables"
    assert set(grouped.audience.values_list("student_id", flat=True)) == {second.pk, third.pk}
    other_class = s.students_by_class[s.classes[1].pk][0]
    with pytest.raises(ValidationFailed):
        assign(s, ex, student_ids=[other_class.pk])
    with pytest.raises(ValidationFailed):
        services.group_save(school=s.school, actor=s.teacher, roles=TEACHER, course=s.courses[0],
                            name="Extra tables", student_ids=[first.pk])
    assert PracticeGroup.objects.count() == 1
    # Who sees it: the chosen, not the others.
    from krijt.exercises import selectors

    assert [r.assignment.pk for r in selectors.my_practice(school=s.school, user=first, roles=STUDENT)] == [chosen.pk]
    with pytest.raises(NotFound):
        selectors.practice(school=s.school, user=first, roles=STUDENT, assignment_id=grouped.pk)
    assert selectors.practice(school=s.school, user=second, roles=STUDENT, assignment_id=grouped.pk).items


def test_only_the_courses_teacher_assigns(scenario: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    with pytest.raises(Forbidden):
        services.assignment_create(school=s.school, actor=s.teachers[1], roles=TEACHER, data=services.AssignIn(
            course_id=s.courses[0].pk, exercise_id=ex.pk))
    empty = services.exercise_create(school=s.school, actor=s.teacher, roles=TEACHER, data=services.ExerciseIn(
        subject="Wiskunde", skill="Tables", title="Empty"))
    with pytest.raises(Conflict):
        assign(s, empty)


def test_a_due_date_is_a_planner_task_under_the_workload_rules(scenario: Scenario, clock_at: Any) -> None:
    s = scenario
    ex = exercise(s)
    a = assign(s, ex, due_date=dt.date(2026, 10, 9), minutes=20)
    item = PlannerItem.objects.get(pk=a.planner_item_id or 0)
    assert (item.kind, item.due_date, item.minutes) == ("task", dt.date(2026, 10, 9), 20)
    assert item.title == "Practice: Tables of 3"
    # After hours, for the next day: the planner's rule warns, and nothing is made until a reason is given.
    clock_at.move_to(dt.datetime(2026, 10, 6, 20, 30, tzinfo=TZ))
    before = PlannerItem.objects.count()
    with pytest.raises(WorkloadWarning):
        assign(s, ex, due_date=dt.date(2026, 10, 7))
    assert PlannerItem.objects.count() == before
    assert not type(a).objects.filter(due_date=dt.date(2026, 10, 7)).exists()
    made = assign(s, ex, due_date=dt.date(2026, 10, 7), override_reason="Agreed with the class")
    assert made.planner_item_id is not None
    # Cancelling the assignment cancels its task.
    services.assignment_cancel(school=s.school, actor=s.teacher, roles=TEACHER, assignment=made)
    assert PlannerItem.objects.get(pk=made.planner_item_id).state == PlannerItem.State.CANCELLED


# ---------------------------------------------------------------- filing a sitting


def test_the_same_sitting_twice_is_one_row(scenario: Scenario) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = pupils(s)[0]
    data = sitting(a, right=4)
    first, created = submit(s, pupil, data)
    again, created_again = submit(s, pupil, data)
    assert (created, created_again) == (True, False)
    assert first.key == again.key
    assert Attempt.objects.count() == 1
    with pytest.raises(Conflict):  # another pupil cannot take over a key
        submit(s, pupils(s)[1], data)
    assert Attempt.objects.count() == 1


def test_a_sitting_costs_two_queries_whatever_the_class(scenario: Scenario) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = pupils(s)[0]
    data = sitting(a, right=4)
    submit(s, pupil, sitting(a, right=1))
    assert count_queries(lambda: submit(s, pupil, data)) <= 4  # incl. savepoint and release


def test_who_may_file_a_sitting(scenario: Scenario, other_school: Scenario) -> None:
    s = scenario
    ex = exercise(s)
    a = assign(s, ex, student_ids=[pupils(s)[0].pk])
    with pytest.raises(NotFound):  # not chosen
        submit(s, pupils(s)[1], sitting(a, right=1))
    with pytest.raises(NotFound):  # another school's assignment id
        services.attempt_submit(school=other_school.school, student=other_school.student, roles=STUDENT,
                                data=sitting(a, right=1))
    with pytest.raises(Forbidden):
        services.attempt_submit(school=s.school, student=s.teacher, roles=TEACHER, data=sitting(a, right=1))


def test_a_sitting_keeps_the_rule_it_started_with(scenario: Scenario) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = pupils(s)[0]
    services.assignment_rule_change(school=s.school, actor=s.teacher, roles=TEACHER, assignment=a, rule_m=8, rule_n=10)
    a.refresh_from_db()
    assert a.rule_history == [[4, 5], [8, 10]]
    submit(s, pupil, sitting(a, right=4, rule=(4, 5)))
    with pytest.raises(ValidationFailed):  # a rule the assignment never had
        submit(s, pupil, sitting(a, right=1, rule=(1, 1)))


def test_clocks_and_retention(scenario: Scenario) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = pupils(s)[0]
    with pytest.raises(ValidationFailed):
        submit(s, pupil, sitting(a, right=1, finished=AT + dt.timedelta(hours=1)))
    too_old = AT - dt.timedelta(weeks=partitions.retention_weeks() + 1)
    with pytest.raises(services.TooOld):
        submit(s, pupil, sitting(a, right=1, finished=too_old))
    # A device that was offline for weeks: its week gets a partition when it arrives.
    late = AT - dt.timedelta(weeks=20)
    _made, created = submit(s, pupil, sitting(a, right=1, finished=late))
    assert created
    assert rules.week_of(late) in partitions.weeks()


def test_the_table_is_partitioned_by_week_and_old_weeks_are_dropped(scenario: Scenario) -> None:
    s = scenario
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                       "WHERE c.relname = 'exercises_attempt'")
        assert cursor.fetchone() == ("r",)
    made = partitions.maintain()
    this_week = rules.week_of(AT)
    wanted = [this_week + dt.timedelta(weeks=i) for i in range(partitions.WEEKS_AHEAD + 1)]
    assert set(wanted) <= set(partitions.weeks())
    assert partitions.maintain()["created"] == []  # idempotent
    assert made["dropped"] == []
    a = assign(s, exercise(s))
    old = AT - dt.timedelta(weeks=10)
    submit(s, pupils(s)[0], sitting(a, right=1, finished=old))
    submit(s, pupils(s)[0], sitting(a, right=1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partitions, "retention_weeks", lambda: 4)
        dropped = partitions.drop_expired(today=AT.date())
    assert partitions.name_of(rules.week_of(old)) in dropped
    assert Attempt.objects.count() == 1
    assert rules.week_of(old) not in partitions.weeks()


# ---------------------------------------------------------------- the worker


def test_the_worker_scores_again_and_tells_parents_once_in_the_digest(scenario: Scenario, clock_at: Any) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil, honest, other = pupils(s)
    submit(s, pupil, sitting(a, right=2, wrong=2))
    # A forged sitting: every answer wrong, every answer claimed right, "mastered".
    submit(s, other, sitting(a, right=0, wrong=5, claim=True))
    assert services.summarize() == 0  # not settled yet: a minute behind
    assert settle(clock_at) == 2
    mine = Progress.objects.get(student=pupil, assignment=a)
    assert (mine.attempts, mine.answered, mine.correct, mine.mastered_at) == (1, 4, 2, None)
    forged = Progress.objects.get(student=other, assignment=a)
    assert (forged.correct, forged.mastered_at, forged.disagreements) == (0, None, 5)
    submit(s, pupil, sitting(a, right=4))
    submit(s, honest, sitting(a, right=5))
    settle(clock_at)
    mine.refresh_from_db()
    assert mine.mastered_at is not None
    assert (mine.attempts, mine.answered, mine.correct) == (2, 8, 6)
    told = Notification.objects.filter(kind="exercise_mastered")
    assert {(n.recipient_id, n.about_student_id, n.audience) for n in told} == {
        (p.pk, p.pk and kid.pk, "parent") for kid in (pupil, honest) for p in s.parents
        if p.username == kid.username.replace("student", "parent")}
    assert all(d.digest for d in Delivery.objects.filter(notification__kind="exercise_mastered", channel="email"))
    assert not Delivery.objects.filter(notification__kind="exercise_mastered", channel="push").exists()
    # Later sittings change the counts, never tell twice, never undo mastery.
    submit(s, pupil, sitting(a, right=0, wrong=3))
    settle(clock_at)
    mine.refresh_from_db()
    assert mine.mastered_at is not None
    assert mine.attempts == 3
    assert Notification.objects.filter(kind="exercise_mastered").count() == told.count()
    hardest = ItemTally.objects.filter(assignment=a).order_by("-wrong").first()
    assert hardest is not None
    assert hardest.wrong >= 1


def test_one_summarizer_at_a_time_and_none_behind(scenario: Scenario, clock_at: Any) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = pupils(s)[0]
    for minute in range(5):
        clock_at.move_to(AT + dt.timedelta(minutes=minute * 3))
        submit(s, pupil, sitting(a, right=1))
    clock_at.move_to(AT + dt.timedelta(hours=1))
    services.summarize()
    assert Progress.objects.get(student=pupil).attempts == 5
    assert services.summarize() == 0
    # An idle round is a few queries, not a walk in small steps towards a moving "now".
    clock_at.shift(dt.timedelta(seconds=5))
    assert count_queries(services.summarize) <= 6


def test_an_api_sitting_and_the_dashboard(scenario: Scenario, login_as: Any, clock_at: Any) -> None:
    s = scenario
    a = assign(s, exercise(s))
    data = sitting(a, right=4)
    body = {"key": str(data.key), "assignment": a.pk, "started_at": data.started_at.isoformat(),
            "finished_at": data.finished_at.isoformat(), "rule": [4, 5], "answers": data.answers, "mastered": True}
    pupil = login_as("student", user=pupils(s)[0])
    api = s.url("/api/v1")
    first = pupil.post(f"{api}/exercises/attempts", body, content_type="application/json")
    again = pupil.post(f"{api}/exercises/attempts", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert again.json() == {"key": str(data.key), "created": False}
    page = pupil.post(s.url("/exercises/attempts/"), body, content_type="application/json")
    assert page.status_code == 200
    assert page.json()["created"] is False
    bad = pupil.post(f"{api}/exercises/attempts", {**body, "key": "nope"}, content_type="application/json")
    assert bad.status_code == 400
    listed = pupil.get(f"{api}/exercises/practice").json()
    assert [r["assignment_id"] for r in listed] == [a.pk]
    items = pupil.get(f"{api}/exercises/practice/{a.pk}").json()["items"]
    assert len(items) == 5
    settle(clock_at)
    board = login_as("teacher").get(f"{api}/exercises/courses/{s.courses[0].pk}").json()
    states = {row["pupil"]["id"]: row["cells"][0]["state"] for row in board["rows"]}
    assert states[pupils(s)[0].pk] == "mastered"
    assert states[pupils(s)[1].pk] == "not_started"
    assert login_as("parent").get(f"{api}/exercises/practice").status_code == 403
    teacher = login_as("teacher")
    made = teacher.post(f"{api}/exercises/assignments", {"course_id": s.courses[0].pk, "exercise_id": a.exercise_id,
                                                         "student_ids": [pupils(s)[2].pk]},
                        content_type="application/json")
    assert made.status_code == 201, made.content
    assert (made.json()["whole_class"], made.json()["exercise_id"]) == (False, a.exercise_id)
    assert teacher.get(f"{api}/exercises/{a.exercise_id}").json()["title"] == "Tables of 3"
    assert login_as("teacher", user=s.teachers[1]).get(
        f"{api}/exercises/courses/{s.courses[0].pk}").status_code == 403


def test_attempts_go_with_the_pupil(scenario: Scenario) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = pupils(s)[0]
    submit(s, pupil, sitting(a, right=1))
    pupil.delete()
    assert Attempt.objects.count() == 0


def test_an_unknown_key_shape_is_refused_on_the_page(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    a = assign(s, exercise(s))
    pupil = login_as("student", user=pupils(s)[0])
    for body in ("null", "{}", '{"key": "x", "assignment": 1}', "not json"):
        answer = pupil.post(s.url("/exercises/attempts/"), body, content_type="application/json")
        assert answer.status_code == 400, body
    huge = {"key": str(uuid.uuid4()), "assignment": a.pk, "answers": ["x" * 100_000]}
    assert pupil.post(s.url("/exercises/attempts/"), huge, content_type="application/json").status_code == 413


# ---------------------------------------------------------------- where practice meets results


def test_practice_reaches_the_results_only_when_the_teacher_chooses(scenario: Scenario, clock_at: Any) -> None:
    from krijt.results.models import Evaluation, Score

    s = scenario
    a = assign(s, exercise(s))
    first, second, third = pupils(s)
    submit(s, first, sitting(a, right=4))
    submit(s, second, sitting(a, right=1, wrong=3))
    settle(clock_at)
    assert not Evaluation.objects.exists()  # practice alone never reaches the results
    with pytest.raises(Forbidden):
        services.assignment_to_results(school=s.school, actor=s.teachers[1], roles=TEACHER, assignment=a)
    evaluation_id = services.assignment_to_results(school=s.school, actor=s.teacher, roles=TEACHER, assignment=a)
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    assert (evaluation.name, evaluation.maximum, evaluation.category, evaluation.published_at) == (
        "Practice: Tables of 3", 10, "task", None)
    scores = {sc.student_id: sc.value for sc in Score.objects.filter(evaluation=evaluation)}
    assert scores == {first.pk: 10, second.pk: Decimal("2.5")}  # nobody scored who did not practise
    assert all(sc.student_visible_at is None for sc in Score.objects.filter(evaluation=evaluation))
    submit(s, third, sitting(a, right=4))
    settle(clock_at)
    assert services.assignment_to_results(school=s.school, actor=s.teacher, roles=TEACHER, assignment=a) == (
        evaluation_id)
    assert Score.objects.get(evaluation=evaluation, student=third).value == 10
    assert Evaluation.objects.count() == 1


def test_an_adult_pupil_who_keeps_results_private_keeps_mastery_private(scenario: Scenario, clock_at: Any) -> None:
    from krijt.results.services import sharing_update

    s = scenario
    a = assign(s, exercise(s))
    adult, minor, _third = pupils(s)
    adult.birth_date = dt.date(2007, 1, 1)
    adult.save(update_fields=["birth_date"])
    sharing_update(school=s.school, student=adult, parents_may_see=False)
    submit(s, adult, sitting(a, right=4))
    submit(s, minor, sitting(a, right=4))
    settle(clock_at)
    told = set(Notification.objects.filter(kind="exercise_mastered").values_list("about_student_id", flat=True))
    assert told == {minor.pk}


def test_news_of_a_cancelled_assignment_is_taken_back(scenario: Scenario, clock_at: Any) -> None:
    s = scenario
    clock_at.move_to(dt.datetime(2026, 10, 6, 21, 30, tzinfo=TZ))  # held back until the morning
    a = assign(s, exercise(s))
    assert Notification.objects.filter(kind="exercise_assigned").count() == len(pupils(s))
    services.assignment_cancel(school=s.school, actor=s.teacher, roles=TEACHER, assignment=a)
    assert not Notification.objects.filter(kind="exercise_assigned").exists()
    assert not Delivery.objects.filter(notification__kind="exercise_assigned").exists()


def test_an_assignment_follows_its_task_in_the_planner(scenario: Scenario) -> None:
    from krijt.exercises import selectors
    from krijt.planner import services as planner_services

    s = scenario
    a = assign(s, exercise(s), due_date=dt.date(2026, 10, 9))
    pupil = pupils(s)[0]
    assert selectors.practice(school=s.school, user=pupil, roles=STUDENT, assignment_id=a.pk).due_date == (
        dt.date(2026, 10, 9))
    item = PlannerItem.objects.get(pk=a.planner_item_id or 0)
    planner_services.item_update(school=s.school, actor=s.teacher, roles=TEACHER, item=item, kind="task",
                                 title=item.title, due_date=dt.date(2026, 10, 12), minutes=item.minutes)
    a.refresh_from_db()
    assert a.due_date == dt.date(2026, 10, 12)
    assert selectors.practice(school=s.school, user=pupil, roles=STUDENT, assignment_id=a.pk).due_date == (
        dt.date(2026, 10, 12))
    planner_services.item_cancel(school=s.school, actor=s.teacher, roles=TEACHER, item=item)
    a.refresh_from_db()
    assert a.cancelled_at is not None
    with pytest.raises(NotFound):
        selectors.practice(school=s.school, user=pupil, roles=STUDENT, assignment_id=a.pk)
