"""Report cards as JSON: a class's overview for whoever manages its cards, and one card as the asking person
may see it (staff before release too), through the same reads as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from krijt.accounts.models import User
from krijt.core.api import ClassRef, PersonRef, caller, ok
from krijt.reportcards import selectors
from krijt.reportcards.permissions import CARD_ROLES, MANAGE_ROLES
from krijt.results.api import PeriodRef

State = Literal["draft", "ready", "released", "waiting"]

# ---------------------------------------------------------------- shapes


class OverviewRowOut(Schema):
    student: PersonRef
    state: State = Field(..., description="waiting: a B or C certificate released, waiting for the conversation.")
    comments: int = Field(..., description="Course comments written on the card.")
    unpublished: int = Field(..., description="Entered results not published, left off the card (before release).")
    released_at: dt.datetime | None


class OverviewOut(Schema):
    period: PeriodRef
    class_: ClassRef = Field(..., alias="class")
    year_end: bool
    course_count: int
    counts: dict[str, int]
    rows: list[OverviewRowOut]


class ScoreItemOut(Schema):
    name: str
    score: str = Field(..., description="A number, absent, exempt, or empty when not entered.")
    shown: str = Field(..., description="The score as the card shows it, in the reader's language.")
    maximum: float
    weight: float


class CardLineOut(Schema):
    course_id: int | None
    course: str
    teacher: str
    percentage: float | None
    comment: str
    scores: list[ScoreItemOut]


class CardOut(Schema):
    student: PersonRef
    period: PeriodRef
    class_: ClassRef = Field(..., alias="class")
    audience: Literal["staff", "student", "parent"]
    state: State
    year_end: bool
    average: float | None
    mentor_comment: str
    decision: str = Field(..., description="At the end of the year: A, B or C; empty before.")
    decision_note: str
    released_at: dt.datetime | None = Field(None, description="Staff only.")
    lines: list[CardLineOut]
    unpublished: list[str] = Field(..., description="Staff, before release: entered results left off the card.")


# ---------------------------------------------------------------- operations


router: Router = Router(by_alias=True, tags=["report cards"])


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@router.get("/reportcards/periods/{period_id}/classes/{class_id}", response=ok(OverviewOut, 403),
            summary="A class's report cards")
def class_overview(request: HttpRequest, period_id: int, class_id: int) -> dict[str, Any]:
    """Every student of the class with their card's state for the period, for the class mentor and
    administrators, as the class overview page shows it."""
    c = caller(request, MANAGE_ROLES)
    group, period, overview = selectors.class_overview_for_user(
        school=c.school, user=c.user, roles=c.roles, period_id=period_id, class_id=class_id
    )
    return {
        "period": {"id": period.pk, "name": period.name}, "class": {"id": group.pk, "name": group.name},
        "year_end": overview["year_end"], "course_count": overview["course_count"], "counts": overview["counts"],
        "rows": [{"student": _person(r.student), "state": r.state, "comments": r.comments,
                  "unpublished": r.unpublished, "released_at": r.card.released_at if r.card else None}
                 for r in overview["rows"]],
    }


@router.get("/reportcards/periods/{period_id}/students/{student_id}", response=ok(CardOut, 403),
            summary="A report card")
def card(request: HttpRequest, period_id: int, student_id: int) -> dict[str, Any]:
    """One student's card for a period: for the class's staff at any time (before release: the gradebook's
    published results), for the student and the parents only from the moment it reaches them."""
    c = caller(request, CARD_ROLES)
    period = selectors.period_by_id(school=c.school, period_id=period_id)
    view = selectors.card_for_user(school=c.school, user=c.user, roles=c.roles, period=period, student_id=student_id)
    found = view.card
    return {
        "student": _person(view.student), "period": {"id": period.pk, "name": period.name},
        "class": {"id": view.class_group.pk, "name": view.class_group.name}, "audience": view.audience,
        "state": view.state, "year_end": view.year_end, "average": _number(view.average),
        "mentor_comment": found.mentor_comment if found else "",
        "decision": found.decision if found else "", "decision_note": found.decision_note if found else "",
        "released_at": found.released_at if found and view.audience == "staff" else None,
        "lines": [{"course_id": line.course_id, "course": line.course_name, "teacher": line.teacher_name,
                   "percentage": _number(line.percentage), "comment": line.comment,
                   "scores": [{"name": s.name, "score": s.score, "shown": s.shown, "maximum": float(s.maximum),
                               "weight": float(s.weight)} for s in line.scores]}
                  for line in view.lines],
        "unpublished": view.unpublished,
    }
