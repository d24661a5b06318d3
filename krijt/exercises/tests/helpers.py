"""What the exercise tests share: an exercise of the first grade, assigned, and a sitting as a device sends it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from krijt.core import clock
from krijt.core.roles import Role
from krijt.exercises import items, services
from krijt.exercises.models import Assignment, Exercise, Item
from tests.scenario import Scenario

TEACHER = frozenset({Role.TEACHER.value})
STUDENT = frozenset({Role.STUDENT.value})
ADMIN = frozenset({Role.ADMIN.value})

SOURCES = [
    (items.Kind.SINGLE, "3 × 4 = ?", "10\n*12\n14"),
    (items.Kind.NUMERIC, "Half of 7?", "3,5"),
    (items.Kind.TEXT, "The capital of Belgium?", "Brussel\nBrussels"),
    (items.Kind.TRUEFALSE, "7 is even.", "false"),
    (items.Kind.ORDER, "Smallest first", "1\n2\n3"),
]


def exercise(s: Scenario, *, title: str = "Tables of 3", rule: tuple[int, int] = (4, 5)) -> Exercise:
    made = services.exercise_create(school=s.school, actor=s.teacher, roles=TEACHER, data=services.ExerciseIn(
        subject="Wiskunde", skill="Tables", title=title, grade=1, rule_m=rule[0], rule_n=rule[1]))
    for kind, prompt, source in SOURCES:
        services.item_add(school=s.school, actor=s.teacher, roles=TEACHER, exercise=made,
                          data=services.ItemIn(kind=kind, prompt=prompt, source=source, hints=["Count on."]))
    return made


def assign(s: Scenario, ex: Exercise, **extra: Any) -> Assignment:
    return services.assignment_create(school=s.school, actor=s.teacher, roles=TEACHER, data=services.AssignIn(
        course_id=s.courses[0].pk, exercise_id=ex.pk, **extra))


def revisions(ex: Exercise) -> list[tuple[int, str, dict[str, Any]]]:
    return [(i.current.pk, i.current.kind, i.current.body) for i in
            Item.objects.filter(exercise=ex, removed=False).select_related("current").order_by("position")]


def sitting(a: Assignment, *, right: int, wrong: int = 0, key: uuid.UUID | None = None,
            rule: tuple[int, int] | None = None, finished: dt.datetime | None = None,
            claim: bool | None = None) -> services.AttemptIn:
    """`wrong` wrong answers then `right` right ones; `claim` forces the device's verdict on every answer."""
    revs = revisions(a.exercise)
    answers = []
    for i in range(wrong + right):
        rev, kind, body = revs[i % len(revs)]
        ok = i >= wrong
        response = items.correct_response(kind, body) if ok else _wrong(kind, body)
        answers.append({"item": rev, "r": response, "ok": ok if claim is None else claim, "hints": 0, "ms": 4000})
    finished = finished or clock.now()
    m, n = rule or (a.rule_m, a.rule_n)
    return services.AttemptIn(key=key or uuid.uuid4(), assignment_id=a.pk,
                              started_at=finished - dt.timedelta(minutes=5), finished_at=finished, rule_m=m,
                              rule_n=n, answers=answers, mastered=right >= m)


def _wrong(kind: str, body: dict[str, Any]) -> Any:
    return {"single": 0, "numeric": "9", "text": "Gent", "truefalse": True, "order": [2, 1, 0]}[kind]


def submit(s: Scenario, pupil: Any, data: services.AttemptIn) -> tuple[Any, bool]:
    return services.attempt_submit(school=s.school, student=pupil, roles=STUDENT, data=data)
