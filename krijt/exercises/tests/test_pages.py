"""The pages of exercises, as teachers and pupils use them: writing an exercise and its items (errors at their
fields), assigning to chosen pupils saved as a group, a pupil's list and practice page (the items and their keys
in the page, nothing of another pupil's work), the dashboard, and who may open what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from krijt.exercises import services
from krijt.exercises.models import Assignment, Exercise, Item, PracticeGroup
from krijt.exercises.tests.helpers import assign, exercise, sitting, submit
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def clock_at() -> Any:
    with time_machine.travel(dt.datetime(2026, 10, 6, 10, 0, tzinfo=TZ), tick=False) as traveller:
        yield traveller


def test_a_teacher_writes_an_exercise_and_its_items(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    teacher = login_as("teacher")
    made = teacher.post(s.url("/exercises/new/"), {"title": "Tables of 4", "subject": "Wiskunde", "skill": "Tables",
                                                   "rule_m": 3, "rule_n": 4}, follow=True)
    assert made.status_code == 200
    ex = Exercise.objects.get(title="Tables of 4")
    assert (ex.owner_id, ex.rule_m, ex.rule_n) == (s.teacher.pk, 3, 4)
    wrong = teacher.post(s.url(f"/exercises/{ex.pk}/"), {"kind": "single", "prompt": "4 × 4?", "source": "16\n12"})
    assert wrong.status_code == 400
    assert "Mark exactly one option as correct" in wrong.content.decode()
    teacher.post(s.url(f"/exercises/{ex.pk}/"), {"kind": "single", "prompt": "4 × 4?", "source": "*16\n12",
                                                 "hints": "Double 8.\nCount by four."})
    teacher.post(s.url(f"/exercises/{ex.pk}/"), {"kind": "numeric", "prompt": "Half of \\(4 \\times 3\\)?",
                                                 "source": "6"})
    page = teacher.get(s.url(f"/exercises/{ex.pk}/")).content.decode()
    assert "<math" in page
    assert "*16" in page
    first, second = Item.objects.filter(exercise=ex).order_by("position")
    assert first.current.hints == ["Double 8.", "Count by four."]
    teacher.post(s.url(f"/exercises/items/{second.pk}/"), {"action": "up"})
    assert list(Item.objects.filter(exercise=ex).order_by("position").values_list("pk", flat=True)) == [
        second.pk, first.pk]
    changed = teacher.post(s.url(f"/exercises/items/{first.pk}/"), {"kind": "single", "prompt": "4 × 4 = ?",
                                                                    "source": "*16\n12\n8"}, follow=True)
    assert "keep the version they saw" in changed.content.decode()
    teacher.post(s.url(f"/exercises/items/{first.pk}/"), {"action": "remove"})
    assert Item.objects.filter(exercise=ex, removed=False).count() == 1
    # Another teacher sees it in the bank, cannot change it.
    other = login_as("teacher", user=s.teachers[1])
    assert "Tables of 4" in other.get(s.url("/exercises/bank/?q=tables")).content.decode()
    assert other.get(s.url(f"/exercises/items/{second.pk}/")).status_code == 403
    assert other.post(s.url(f"/exercises/{ex.pk}/edit/"), {"title": "x", "subject": "x", "skill": "x", "rule_m": 1,
                                                           "rule_n": 1}).status_code == 403


def test_assigning_to_chosen_pupils_saves_a_group(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    ex = exercise(s)
    teacher = login_as("teacher")
    choose = teacher.get(s.url(f"/exercises/{ex.pk}/assign/")).content.decode()
    assert f"?course={s.courses[0].pk}" in choose
    assert f"?course={s.courses[1].pk}" not in choose  # taught by someone else
    pupils = s.students_by_class[s.classes[0].pk]
    done = teacher.post(s.url(f"/exercises/{ex.pk}/assign/"), {
        "course": s.courses[0].pk, "students": [pupils[0].pk, pupils[1].pk], "group_name": "Extra practice",
        "rule_m": 2, "rule_n": 3, "minutes": 10, "override_reason": ""}, follow=True)
    assert done.status_code == 200
    a = Assignment.objects.get()
    assert (a.whole_class, a.group_name, a.rule_m, a.rule_n) == (False, "Extra practice", 2, 3)
    group = PracticeGroup.objects.get()
    assert set(group.students.values_list("pk", flat=True)) == {pupils[0].pk, pupils[1].pk}
    again = teacher.get(s.url(f"/exercises/{ex.pk}/assign/?course={s.courses[0].pk}")).content.decode()
    assert "Extra practice" in again  # the group can be chosen next time


def test_a_pupil_practises_from_the_list(scenario: Scenario, login_as: Any, clock_at: Any) -> None:
    s = scenario
    a = assign(s, exercise(s), due_date=dt.date(2026, 10, 9))
    pupil = s.students_by_class[s.classes[0].pk][0]
    client = login_as("student", user=pupil)
    listed = client.get(s.url("/exercises/")).content.decode()
    assert f"/exercises/practise/{a.pk}/" in listed
    page = client.get(s.url(f"/exercises/practise/{a.pk}/")).content.decode()
    assert "Goal: 4 correct of your last 5 answers." in page
    assert 'id="ex-keys"' in page
    keys = json.loads(page.split('id="ex-keys"')[1].split(">", 1)[1].split("</script>")[0])
    assert [k["kind"] for k in keys] == ["single", "numeric", "text", "truefalse", "order"]
    assert f'data-user="{pupil.pk}"' in page
    # Mastered: the list says so, the page offers to practise again.
    submit(s, pupil, sitting(a, right=4))
    clock_at.shift(services.SETTLE + dt.timedelta(seconds=1))
    services.summarize()
    listed = client.get(s.url("/exercises/")).content.decode()
    assert "mastered" in listed
    assert "You mastered this exercise" in client.get(s.url(f"/exercises/practise/{a.pk}/")).content.decode()
    # Another class's pupil, a parent and a pupil of another school do not reach it.
    outsider = s.students_by_class[s.classes[1].pk][0]
    assert login_as("student", user=outsider).get(s.url(f"/exercises/practise/{a.pk}/")).status_code == 404
    assert login_as("parent").get(s.url("/exercises/")).status_code == 403
    # The planner's task links to the practice.
    item_page = login_as("student", user=pupil).get(s.url(f"/planner/item/{a.planner_item_id}/")).content.decode()
    assert f"/exercises/practise/{a.pk}/" in item_page


def test_the_dashboard_shows_who_mastered_and_what_is_hard(scenario: Scenario, login_as: Any, clock_at: Any) -> None:
    s = scenario
    a = assign(s, exercise(s))
    first, second, _third = s.students_by_class[s.classes[0].pk]
    submit(s, first, sitting(a, right=4))
    submit(s, second, sitting(a, right=1, wrong=3))
    clock_at.shift(services.SETTLE + dt.timedelta(seconds=1))
    services.summarize()
    page = login_as("teacher").get(s.url(f"/exercises/courses/{s.courses[0].pk}/")).content.decode()
    assert "mastered" in page
    assert "25% correct" in page
    assert "Items most often wrong" in page
    assert "3 × 4 = ?" in page
    assert login_as("admin").get(s.url(f"/exercises/courses/{s.courses[0].pk}/")).status_code == 200
    # The class's other teacher (Dutch in 1A, mentor of 2A) does not follow this course's practice.
    assert login_as("teacher", user=s.teachers[1]).get(
        s.url(f"/exercises/courses/{s.courses[0].pk}/")).status_code == 403
    assert login_as("student").get(s.url(f"/exercises/courses/{s.courses[0].pk}/")).status_code == 403


def test_a_teacher_changes_the_rule_and_cancels(scenario: Scenario, login_as: Any) -> None:
    s = scenario
    a = assign(s, exercise(s))
    teacher = login_as("teacher")
    teacher.post(s.url(f"/exercises/assignments/{a.pk}/"), {"rule_m": 5, "rule_n": 6})
    a.refresh_from_db()
    assert a.rule_history == [[4, 5], [5, 6]]
    teacher.post(s.url(f"/exercises/assignments/{a.pk}/"), {"action": "cancel"})
    a.refresh_from_db()
    assert a.cancelled_at is not None
    pupil = s.students_by_class[s.classes[0].pk][0]
    assert login_as("student", user=pupil).get(s.url(f"/exercises/practise/{a.pk}/")).status_code == 404


def test_the_practice_page_costs_the_same_for_a_long_exercise_and_reads_its_items_from_the_cache(
        scenario: Scenario, login_as: Any) -> None:
    from tests.scenario import assert_fixed_queries, count_queries

    s = scenario
    short = assign(s, exercise(s, title="Short"))
    long_exercise = exercise(s, title="Long")
    for n in range(15):
        services.item_add(school=s.school, actor=s.teacher, roles=frozenset({"teacher"}), exercise=long_exercise,
                          data=services.ItemIn(kind="numeric", prompt=f"{n} + 1?", source=str(n + 1)))
    long = assign(s, long_exercise)
    pupil = login_as("student", user=s.students_by_class[s.classes[0].pk][0])
    for a in (short, long):  # the first visit builds the cached parts
        assert pupil.get(s.url(f"/exercises/practise/{a.pk}/")).status_code == 200
    warm = assert_fixed_queries(lambda: pupil.get(s.url(f"/exercises/practise/{short.pk}/")),
                                lambda: pupil.get(s.url(f"/exercises/practise/{long.pk}/")))
    # A change to the exercise is seen at once: its items are built again, then cached again.
    services.item_add(school=s.school, actor=s.teacher, roles=frozenset({"teacher"}), exercise=long_exercise,
                      data=services.ItemIn(kind="numeric", prompt="Twenty?", source="20"))
    assert "Twenty?" in pupil.get(s.url(f"/exercises/practise/{long.pk}/")).content.decode()
    assert count_queries(lambda: pupil.get(s.url(f"/exercises/practise/{long.pk}/"))) == warm
