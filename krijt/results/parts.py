"""Results as cached parts for the hot pages (krijt.core.parts): a student's latest released results,
and a teacher's evaluations with scores not yet published.

Each score keeps the moments it reaches the student and the parents, so the page shows it from then on
without any part expiring. Entering, publishing or withdrawing a score bumps its student's scope and
the course teacher's; an adult student's choice about their parents bumps their own scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from krijt.core import parts
from krijt.results.models import Evaluation, ResultsSharing, Score
from krijt.results.text import number_text
from krijt.schools.models import School

LATEST = 12


def student_scope(school_id: int, student_id: int) -> str:
    return parts.scope(school_id, "results-student", student_id)


def gradebook_scope(school_id: int, teacher_id: int) -> str:
    return parts.scope(school_id, "results-teacher", teacher_id)


def _score(score: Score) -> dict[str, Any]:
    evaluation = score.evaluation
    value = "" if score.value is None else number_text(score.value)
    return {"id": score.pk, "course": evaluation.course.name, "evaluation": evaluation.name,
            "value": value, "maximum": number_text(evaluation.maximum), "code": score.code,
            "sensitive": score.sensitive, "student_visible_at": score.student_visible_at,
            "parent_visible_at": score.parent_visible_at}


def student_latest(school: School, student: Any) -> parts.Part:
    """The student's latest released results (newest first), whether an adult student keeps them from
    their parents, and their birth date (their parents' view depends on being an adult on the day)."""

    def build() -> dict[str, Any]:
        scores = (
            Score.objects.filter(school=school, student_id=student.pk, student_visible_at__isnull=False)
            .select_related("evaluation", "evaluation__course")
            .order_by("-student_visible_at", "-pk")[:LATEST]
        )
        private = ResultsSharing.objects.filter(school=school, student_id=student.pk, parents_may_see=False).exists()
        return {"scores": [_score(s) for s in scores], "private": private, "birth_date": student.birth_date}

    return parts.Part(parts.key(school.pk, "results-student", student.pk), (student_scope(school.pk, student.pk),),
                      build)


def teacher_unpublished(school: School, teacher_id: int) -> parts.Part:
    """The teacher's evaluations with entered scores that are not published: [{"id", "name", "course",
    "class_name", "count"}], oldest first."""

    def build() -> list[dict[str, Any]]:
        rows = (
            Evaluation.objects.filter(school=school, course__teacher_id=teacher_id)
            .annotate(waiting=Count("scores", filter=Q(scores__school=school, scores__published_at__isnull=True)
                                    & (Q(scores__value__isnull=False) | ~Q(scores__code=""))))
            .filter(waiting__gt=0)
            .select_related("course", "course__class_group")
            .order_by("date", "pk")[:20]
        )
        return [{"id": e.pk, "name": e.name, "course": e.course.name, "class_name": e.course.class_group.name,
                 "count": e.waiting} for e in rows]  # type: ignore[attr-defined]

    return parts.Part(parts.key(school.pk, "results-teacher", teacher_id), (gradebook_scope(school.pk, teacher_id),),
                      build)
