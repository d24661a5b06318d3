"""Exercises as cached parts (krijt.core.parts): the practice page and the submit path read an assignment and
its exercise's items from the cache, kept right by the services that change them.

- `assignment_facts`: who an assignment is for and its mastery rule (scope: the assignment).
- `exercise_content`: the current revision of every item of an exercise, rendered (scope: the exercise).
"""

from __future__ import annotations

from typing import Any

from krijt.core import parts
from krijt.exercises import render
from krijt.exercises.models import Assignment, AssignmentStudent, Item


def exercise_scope(school_id: int, exercise_id: int) -> str:
    return parts.scope(school_id, "exercise", exercise_id)


def assignment_scope(school_id: int, assignment_id: int) -> str:
    return parts.scope(school_id, "exercise-assignment", assignment_id)


def assignment_facts(school_id: int, assignment_id: int) -> parts.Part:
    def build() -> dict[str, Any] | None:
        row = (Assignment.objects.filter(school_id=school_id, pk=assignment_id)
               .values("pk", "exercise_id", "course_id", "course__name", "course__school_year_id", "class_group_id",
                       "whole_class", "group_name", "due_date", "rule_m", "rule_n", "rule_history", "cancelled_at",
                       "exercise__title", "exercise__instructions", "exercise__skill", "teacher_id",
                       "course__teacher_id").first())
        if row is None:
            return None
        row["student_ids"] = [] if row["whole_class"] else list(
            AssignmentStudent.objects.filter(school_id=school_id, assignment_id=assignment_id)
            .values_list("student_id", flat=True))
        return row

    return parts.Part(parts.key(school_id, "exercise-assignment", assignment_id),
                      (assignment_scope(school_id, assignment_id), ), build)


def exercise_content(school_id: int, exercise_id: int) -> parts.Part:
    def build() -> list[dict[str, Any]]:
        found = []
        for item in (Item.objects.filter(school_id=school_id, exercise_id=exercise_id, removed=False,
                                         current__isnull=False).select_related("current").order_by("position", "pk")):
            rev = item.current
            assert rev is not None
            found.append({
                "item": item.pk, "rev": rev.pk, "kind": rev.kind, "body": rev.body,
                "prompt": render.rich(rev.prompt), "hints": [render.rich(h) for h in rev.hints],
                "feedback_correct": render.rich(rev.feedback_correct),
                "feedback_wrong": render.rich(rev.feedback_wrong),
            })
        return found

    return parts.Part(parts.key(school_id, "exercise-content", exercise_id), (exercise_scope(school_id, exercise_id),),
                      build)
