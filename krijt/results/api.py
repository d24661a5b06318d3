"""A student's results as JSON, through the results selectors: only what the reader may see now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from krijt.accounts.models import User
from krijt.accounts.selectors import child_of_parent, first_child_of
from krijt.core.api import CourseRef, PersonRef, TeacherRef, caller, ok
from krijt.core.errors import Forbidden
from krijt.core.roles import Role
from krijt.results import selectors as results
from krijt.results import services as results_services
from krijt.results.models import Score
from krijt.results.permissions import PARENT_ROLES, STUDENT_ROLES
from krijt.schools.models import Period
from krijt.schools.selectors import period_in_school

# ---------------------------------------------------------------- shapes


class PeriodRef(Schema):
    id: int
    name: str


class ScoreOut(Schema):
    evaluation_id: int
    name: str
    date: dt.date
    category: str
    maximum: float
    weight: float
    value: float | None
    code: str = Field(..., description="Absent, exempt, ...; empty when there is a value.")
    percentage: float | None
    comment: str
    talk_teacher: TeacherRef | None = Field(None, description="Who to talk to about a hard result (students only).")


class CourseResultsOut(Schema):
    course: CourseRef
    average: float | None = Field(None, description="Weighted average in percent of the maximum.")
    scores: list[ScoreOut]


class ResultsOut(Schema):
    student: PersonRef
    period: PeriodRef | None
    hidden: bool = Field(..., description="An adult student chose not to show their results to their parents.")
    courses: list[CourseResultsOut]


router: Router = Router(tags=["results"])

READERS = STUDENT_ROLES | PARENT_ROLES


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _score(score: Score, audience: str) -> dict[str, Any]:
    evaluation = score.evaluation
    talk = score.talk_teacher if score.sensitive and audience == "student" else None
    return {"evaluation_id": evaluation.pk, "name": evaluation.name, "date": evaluation.date,
            "category": evaluation.category, "maximum": float(evaluation.maximum),
            "weight": float(evaluation.weight), "value": _number(score.value), "code": score.code,
            "percentage": _number(results.percentage(score)), "comment": score.comment,
            "talk_teacher": None if talk is None else {"id": talk.pk, "full_name": talk.full_name or talk.username}}


def _courses(scores: list[Score], audience: str) -> list[dict[str, Any]]:
    by_course: dict[int, list[Score]] = {}
    for score in scores:
        by_course.setdefault(score.evaluation.course_id, []).append(score)
    out = []
    for group in by_course.values():
        course = group[0].evaluation.course
        out.append({"course": {"id": course.pk, "name": course.name, "code": course.code},
                    "average": _number(results.weighted_average(group)),
                    "scores": [_score(s, audience) for s in group]})
    return out


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


@router.get("/me/results", response=ok(ResultsOut, 403), summary="My results")
def my_results(request: HttpRequest, period_id: int | None = None, student_id: int | None = None) -> dict[str, Any]:
    """A student's own results once visible to them; a parent's child's (`student_id`, default the first child)
    once visible to parents, unless the child is an adult who chose otherwise. A parent's look is logged."""
    c = caller(request, READERS)
    period: Period | None = None
    if period_id is not None:
        period = period_in_school(school=c.school, period_id=period_id)
    period_ref = None if period is None else {"id": period.pk, "name": period.name}
    own = Role.STUDENT in c.roles and (student_id is None or student_id == c.user.pk)
    if own:
        scores = results.scores_of_student(school=c.school, student=c.user, audience="student", period=period)
        return {"student": _person(c.user), "period": period_ref, "hidden": False,
                "courses": _courses(scores, "student")}
    if Role.PARENT not in c.roles:
        raise Forbidden()
    if student_id is None:
        child = first_child_of(school=c.school, parent=c.user)
    else:
        child = child_of_parent(school=c.school, parent=c.user, student_id=student_id)
    results_services.result_view_log(school=c.school, student=child, viewer=c.user, role=Role.PARENT)
    if not results.parents_may_see(school=c.school, student=child):
        return {"student": _person(child), "period": period_ref, "hidden": True, "courses": []}
    scores = results.scores_of_student(school=c.school, student=child, audience="parent", period=period)
    return {"student": _person(child), "period": period_ref, "hidden": False, "courses": _courses(scores, "parent")}
