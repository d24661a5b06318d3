"""Results as cached parts for the hot pages (krijt.core.parts): a student's latest released results,
and a teacher's evaluations with scores not yet published.

Each score keeps the moments it reaches the student and the parents, so the page shows it from then on
without any part expiring. Entering, publishing or withdrawing a score bumps its student's scope and
the course teacher's; an adult student's choice about their parents bumps their own scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from krijt.accounts.models import User
from krijt.core import parts
from krijt.results.models import Evaluation, ResultsSharing, Score
from krijt.results.text import number_text
from krijt.schools.models import School
from krijt.schools.parts import structure_scope

LATEST = 12


def student_scope(school_id: int, student_id: int) -> str:
    return parts.scope(school_id, "results-student", student_id)


def gradebook_scope(school_id: int, teacher_id: int) -> str:
    return parts.scope(school_id, "results-teacher", teacher_id)


def _score(score: Score) -> dict[str, Any]:
    evaluation = score.evaluation
    value = "" if score.value is None else number_text(score.value)
    talk = score.talk_teacher if score.sensitive else None
    return {"id": score.pk, "course": evaluation.course.name, "evaluation": evaluation.name,
            "value": value, "maximum": number_text(evaluation.maximum), "code": score.code,
            "sensitive": score.sensitive, "talk_teacher": (talk.full_name or talk.username) if talk else "",
            "student_visible_at": score.student_visible_at,
            "parent_visible_at": score.parent_visible_at}


def student_latest(school: School, student: Any) -> parts.Part:
    """The student's latest released results (newest first), whether an adult student keeps them from
    their parents, and their birth date (their parents' view depends on being an adult on the day)."""

    def build() -> dict[str, Any]:
        scores = (
            Score.objects.filter(school=school, student_id=student.pk, student_visible_at__isnull=False)
            .select_related("evaluation", "evaluation__course", "talk_teacher")
            .order_by("-student_visible_at", "-pk")[:LATEST]
        )
        private = ResultsSharing.objects.filter(school=school, student_id=student.pk, parents_may_see=False).exists()
        return {"scores": [_score(s) for s in scores], "private": private, "birth_date": student.birth_date}

    # The structure scope too: a renamed teacher (who to talk to) bumps it.
    return parts.Part(parts.key(school.pk, "results-student", student.pk),
                      (student_scope(school.pk, student.pk), structure_scope(school.pk)), build)


def new_for_student(latest: dict[str, Any], *, now: dt.datetime, days: int) -> list[dict[str, Any]]:
    """Of a student's latest results, those that reached them in the last `days` days (none before its
    student moment)."""
    since = now - dt.timedelta(days=days)
    return [s for s in latest["scores"] if since <= s["student_visible_at"] <= now]


def for_parents(latest: dict[str, Any], *, now: dt.datetime, today: dt.date, shown: int = 5) -> dict[str, Any]:
    """What the parents may see of a student's latest results, by the rules of selectors.parents_may_see:
    nothing while an adult student keeps them private; otherwise each result from its parents' moment
    (never before the student's), and when the next one reaches them."""
    private = bool(latest["private"]) and User(birth_date=latest["birth_date"]).is_adult_on(today)
    if private:
        return {"private": True, "scores": [], "next_at": None}
    seen = [s for s in latest["scores"] if s["parent_visible_at"] is not None and s["parent_visible_at"] <= now
            and s["student_visible_at"] <= now]
    coming = [s["parent_visible_at"] for s in latest["scores"]
              if s["parent_visible_at"] is not None and s["parent_visible_at"] > now]
    return {"private": False, "scores": seen[:shown], "next_at": min(coming, default=None)}


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
