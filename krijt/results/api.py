"""Results as JSON: a student's results (only what the reader may see now), and for the gradebook's staff an
evaluation's scores, entering a score and publishing, through the same reads and services as the pages."""

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
from krijt.results.models import Evaluation, Score
from krijt.results.permissions import GRADEBOOK_ROLES, PARENT_ROLES, STUDENT_ROLES, can_edit_course
from krijt.results.text import entry_text
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


class EvaluationRef(Schema):
    id: int
    name: str
    date: dt.date
    maximum: float
    weight: float
    course: CourseRef
    period: PeriodRef
    published_at: dt.datetime | None


class ScoreRowOut(Schema):
    student: PersonRef
    entry: str = Field(..., description="As the gradebook cell shows it: 7,5 or A (absent) or V (exempt); empty: none.")
    value: float | None
    code: str
    comment: str
    sensitive: bool
    marked_sensitive: bool
    published_at: dt.datetime | None
    student_visible_at: dt.datetime | None
    parent_visible_at: dt.datetime | None


class EvaluationScoresOut(Schema):
    evaluation: EvaluationRef
    editable: bool = Field(..., description="Whether the asking person may enter and publish scores.")
    rows: list[ScoreRowOut]


class ScoreIn(Schema):
    entry: str | None = Field(None, max_length=20, description=(
        "The cell as typed on the page: a number (decimal comma or point), A for absent, V for exempt, or "
        "empty to clear; left out: unchanged."))
    comment: str | None = Field(None, max_length=2000, description="Left out: unchanged.")
    marked_sensitive: bool | None = Field(None, description="Left out: unchanged.")


class PublishedOut(Schema):
    evaluation: EvaluationRef
    released: int = Field(..., description="How many results this publication released.")


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


# ---------------------------------------------------------------- the gradebook


def _evaluation(evaluation: Evaluation) -> dict[str, Any]:
    course, period = evaluation.course, evaluation.period
    return {"id": evaluation.pk, "name": evaluation.name, "date": evaluation.date,
            "maximum": float(evaluation.maximum), "weight": float(evaluation.weight),
            "course": {"id": course.pk, "name": course.name, "code": course.code},
            "period": {"id": period.pk, "name": period.name}, "published_at": evaluation.published_at}


def _row(student: User, score: Score | None) -> dict[str, Any]:
    return {"student": _person(student), "entry": entry_text(score),
            "value": None if score is None else _number(score.value), "code": "" if score is None else score.code,
            "comment": "" if score is None else score.comment, "sensitive": bool(score and score.sensitive),
            "marked_sensitive": bool(score and score.marked_sensitive),
            "published_at": None if score is None else score.published_at,
            "student_visible_at": None if score is None else score.student_visible_at,
            "parent_visible_at": None if score is None else score.parent_visible_at}


@router.get("/results/evaluations/{evaluation_id}", response=ok(EvaluationScoresOut, 403), tags=["gradebook"],
            summary="An evaluation's scores")
def evaluation_scores(request: HttpRequest, evaluation_id: int) -> dict[str, Any]:
    """Every student of the class with their score, for whoever may read the course's gradebook (its
    teacher, the class mentor, staff and administrators)."""
    c = caller(request, GRADEBOOK_ROLES)
    evaluation = results.evaluation_for_user(school=c.school, user=c.user, roles=c.roles, evaluation_id=evaluation_id)
    grid = results.grid(school=c.school, course=evaluation.course, period=evaluation.period)
    return {"evaluation": _evaluation(evaluation),
            "editable": can_edit_course(user=c.user, roles=c.roles, course=evaluation.course),
            "rows": [_row(s, grid.cells.get((s.pk, evaluation.pk))) for s in grid.students]}


@router.put("/results/evaluations/{evaluation_id}/scores/{student_id}", response=ok(ScoreRowOut, 403),
            tags=["gradebook"], summary="Enter a score")
def score_enter(request: HttpRequest, evaluation_id: int, student_id: int, body: ScoreIn) -> dict[str, Any]:
    """Saves one cell (and/or its comment and sensitive mark) as the gradebook does: a change to a published
    score is kept in its history and released again; a sensitive score needs a comment before publication."""
    c = caller(request, GRADEBOOK_ROLES)
    evaluation = results.evaluation_for_user(school=c.school, user=c.user, roles=c.roles,
                                             evaluation_id=evaluation_id, edit=True)
    score = results_services.score_set(school=c.school, actor=c.user, roles=c.roles, evaluation=evaluation,
                                       student_id=student_id, entry=body.entry, comment=body.comment,
                                       marked_sensitive=body.marked_sensitive)
    return _row(score.student, score)


@router.post("/results/evaluations/{evaluation_id}/publish", response=ok(PublishedOut, 403), tags=["gradebook"],
             summary="Publish an evaluation")
def evaluation_publish(request: HttpRequest, evaluation_id: int) -> dict[str, Any]:
    """Publishes every filled score; each reaches the student and the parents at the school's release
    moments. Refused (400, field comment) while a sensitive score has no comment."""
    c = caller(request, GRADEBOOK_ROLES)
    evaluation = results.evaluation_for_user(school=c.school, user=c.user, roles=c.roles,
                                             evaluation_id=evaluation_id, edit=True)
    released = results_services.evaluation_publish(school=c.school, actor=c.user, roles=c.roles,
                                                   evaluation=evaluation)
    return {"evaluation": _evaluation(evaluation), "released": len(released)}
