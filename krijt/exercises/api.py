"""Exercises as JSON, through the same doors as the pages: a pupil's practice, an assignment's items (to practise
on the device, also offline), filing a finished sitting (idempotent by the device's key, admitted even when
Krijt sheds other load), and for teachers the bank, an assignment and a course's dashboard."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from krijt.core.api import PersonRef, _errors, caller, ok
from krijt.core.downloads import made_file_response
from krijt.exercises import permissions, selectors, services

router: Router = Router(tags=["exercises"])


class PracticeOut(Schema):
    assignment_id: int
    title: str
    course: str
    skill: str
    due_date: dt.date | None
    mastered: bool
    percent_correct: int | None = Field(..., description="Of the pupil's answers so far; null before any.")


class ItemOut(Schema):
    revision: int = Field(..., description="What an answer names as its item.")
    kind: str = Field(..., description="single, multiple, truefalse, text, numeric, inline, gapmatch, order or match.")
    prompt_html: str = Field(..., description="Safe HTML; maths as MathML.")
    body: dict[str, Any] = Field(..., description="The item's content and answer key (krijt/exercises/items.py).")
    hints_html: list[str]
    order: list[int] | None = Field(None, description="The order to show lines (order) or right-hand sides (match).")


class SittingOut(Schema):
    assignment_id: int
    title: str
    rule_m: int
    rule_n: int
    limit: int = Field(..., description="The most answers one sitting asks.")
    items: list[ItemOut]


class AnswerIn(Schema):
    item: int = Field(..., description="The item revision's id.")
    r: Any = Field(None, description="The response (see krijt/exercises/items.py).")
    ok: bool = Field(..., description="The device's verdict; Krijt scores the answer again.")
    hints: int = Field(0, ge=0)
    ms: int = Field(0, ge=0, description="Time spent on the item.")


class AttemptIn(Schema):
    key: uuid.UUID = Field(..., description="Made by the device once per sitting: sending it again files nothing.")
    assignment: int
    started_at: dt.datetime
    finished_at: dt.datetime = Field(..., description="On the server's clock as the device best knows it.")
    rule: list[int] = Field(..., min_length=2, max_length=2, description="[m, n] the sitting started with.")
    answers: list[AnswerIn] = Field(..., min_length=1, max_length=services.MAX_ANSWERS)
    mastered: bool


class AttemptOut(Schema):
    key: uuid.UUID
    created: bool = Field(..., description="False when this key was filed before.")


class CellOut(Schema):
    assignment_id: int
    state: str = Field(..., description="mastered, practising or not_started.")
    percent_correct: int | None
    minutes: int


class DashboardRowOut(Schema):
    pupil: PersonRef
    cells: list[CellOut]


class ColumnOut(Schema):
    assignment_id: int
    exercise: str
    skill: str
    group: str
    mastered: int
    practising: int


class DashboardOut(Schema):
    course_id: int
    skill: str
    columns: list[ColumnOut]
    rows: list[DashboardRowOut]


@router.get("/exercises/practice", response=ok(list[PracticeOut], 403), summary="My practice")
def my_practice(request: HttpRequest) -> list[dict[str, Any]]:
    c = caller(request, permissions.PRACTISE_ROLES)
    return [{"assignment_id": r.assignment.pk, "title": r.assignment.exercise.title, "course": r.assignment.course.name,
             "skill": r.assignment.exercise.skill, "due_date": r.assignment.due_date, "mastered": r.mastered,
             "percent_correct": r.percent}
            for r in selectors.my_practice(school=c.school, user=c.user, roles=c.roles)]


@router.get("/exercises/practice/{assignment_id}", response=ok(SittingOut, 403),
            summary="An assignment's items, to practise on the device")
def sitting(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    c = caller(request, permissions.PRACTISE_ROLES)
    view = selectors.practice(school=c.school, user=c.user, roles=c.roles, assignment_id=assignment_id)
    return {"assignment_id": view.assignment_id, "title": view.title, "rule_m": view.rule.m, "rule_n": view.rule.n,
            "limit": view.limit,
            "items": [{"revision": i["rev"], "kind": i["kind"], "prompt_html": i["prompt"], "body": i["body"],
                       "hints_html": i["hints"], "order": i.get("order")} for i in view.items]}


@router.post("/exercises/attempts", response={200: AttemptOut, **ok(AttemptOut, 403, 409, status=201)},
             url_name="exercise_attempt",
             summary="File a finished sitting")
def attempt(request: HttpRequest, body: AttemptIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.PRACTISE_ROLES)
    made, created = services.attempt_submit(school=c.school, student=c.user, roles=c.roles, data=services.AttemptIn(
        key=body.key, assignment_id=body.assignment, started_at=body.started_at, finished_at=body.finished_at,
        rule_m=body.rule[0], rule_n=body.rule[1], answers=[a.dict() for a in body.answers], mastered=body.mastered))
    return Status(201 if created else 200, {"key": made.key, "created": created})


@router.get("/exercises/courses/{course_id}", response=ok(DashboardOut, 403),
            summary="A course's practice: who mastered what")
def dashboard(request: HttpRequest, course_id: int, skill: str = "") -> dict[str, Any]:
    c = caller(request, permissions.DASHBOARD_ROLES)
    board = selectors.dashboard(school=c.school, user=c.user, roles=c.roles, course_id=course_id, skill=skill[:100])
    return {
        "course_id": board.course.pk, "skill": board.skill,
        "columns": [{"assignment_id": col.assignment.pk, "exercise": col.assignment.exercise.title,
                     "skill": col.assignment.exercise.skill, "group": col.assignment.group_name,
                     "mastered": col.mastered, "practising": col.practising} for col in board.columns],
        "rows": [{"pupil": pupil, "cells": [
            {"assignment_id": col.assignment.pk, "state": cell.state, "percent_correct": cell.percent,
             "minutes": cell.minutes}
            for col, cell in zip(board.columns, cells, strict=True) if cell is not None]}
            for pupil, cells in board.rows],
    }


# ---------------------------------------------------------------- writing and assigning (teachers)


class ExerciseIn(Schema):
    subject: str = Field(..., max_length=100)
    skill: str = Field(..., max_length=100)
    title: str = Field(..., max_length=150)
    instructions: str = Field("", max_length=services.MAX_PROMPT)
    grade: int | None = Field(None, ge=1, le=12)
    rule_m: int = Field(4, ge=1, le=20)
    rule_n: int = Field(5, ge=1, le=20)


class ItemIn(Schema):
    kind: str
    prompt: str = Field(..., max_length=services.MAX_PROMPT)
    source: str = Field(..., max_length=8000,
                        description="The answer as a teacher writes it (krijt/exercises/items.py).")
    feedback_correct: str = Field("", max_length=services.MAX_HINT)
    feedback_wrong: str = Field("", max_length=services.MAX_HINT)
    hints: list[str] = Field([], max_length=services.MAX_HINTS)


class ItemEditOut(Schema):
    id: int
    revision: int
    kind: str
    prompt: str
    source: str
    body: dict[str, Any]
    hints: list[str]


class ExerciseOut(Schema):
    id: int
    subject: str
    skill: str
    title: str
    instructions: str
    grade: int | None
    rule_m: int
    rule_n: int
    archived: bool
    may_edit: bool
    items: list[ItemEditOut]


class ExerciseRowOut(Schema):
    id: int
    subject: str
    skill: str
    title: str
    items: int


class AssignIn(Schema):
    course_id: int
    exercise_id: int
    student_ids: list[int] = Field([], max_length=60, description="Empty: the whole class.")
    group_id: int | None = None
    due_date: dt.date | None = Field(None, description="A task in the class's planner, under the workload rules.")
    minutes: int = Field(15, ge=0, le=600)
    rule_m: int | None = Field(None, ge=1, le=20)
    rule_n: int | None = Field(None, ge=1, le=20)
    override_reason: str = Field("", max_length=500)


class RuleIn(Schema):
    rule_m: int = Field(..., ge=1, le=20)
    rule_n: int = Field(..., ge=1, le=20)


class AssignmentOut(Schema):
    id: int
    exercise_id: int
    course_id: int
    whole_class: bool
    group: str
    due_date: dt.date | None
    planner_item_id: int | None
    rule_m: int
    rule_n: int
    cancelled: bool


def _exercise_out(request: HttpRequest, exercise_id: int) -> dict[str, Any]:
    from krijt.exercises import items as item_types

    c = caller(request, permissions.AUTHOR_ROLES)
    view = selectors.exercise_detail(school=c.school, user=c.user, roles=c.roles, exercise_id=exercise_id)
    ex = view.exercise
    return {"id": ex.pk, "subject": ex.subject, "skill": ex.skill, "title": ex.title, "instructions": ex.instructions,
            "grade": ex.grade, "rule_m": ex.rule_m, "rule_n": ex.rule_n, "archived": ex.archived,
            "may_edit": view.may_edit,
            "items": [{"id": i.pk, "revision": i.current.pk, "kind": i.current.kind, "prompt": i.current.prompt,
                       "source": item_types.source_of(i.current.kind, i.current.body), "body": i.current.body,
                       "hints": i.current.hints} for i in view.items if i.current is not None]}


def _assignment_out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "exercise_id": a.exercise_id, "course_id": a.course_id, "whole_class": a.whole_class,
            "group": a.group_name, "due_date": a.due_date, "planner_item_id": a.planner_item_id, "rule_m": a.rule_m,
            "rule_n": a.rule_n, "cancelled": a.cancelled_at is not None}


def _exercise_in(body: ExerciseIn) -> services.ExerciseIn:
    return services.ExerciseIn(subject=body.subject, skill=body.skill, title=body.title,
                               instructions=body.instructions, grade=body.grade, rule_m=body.rule_m,
                               rule_n=body.rule_n)


def _item_in(body: ItemIn) -> services.ItemIn:
    return services.ItemIn(kind=body.kind, prompt=body.prompt, source=body.source,
                           feedback_correct=body.feedback_correct, feedback_wrong=body.feedback_wrong,
                           hints=list(body.hints))


@router.get("/exercises", response=ok(list[ExerciseRowOut], 403), summary="The school's exercises")
def bank(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    c = caller(request, permissions.AUTHOR_ROLES)
    return [{"id": e.pk, "subject": e.subject, "skill": e.skill, "title": e.title, "items": e.item_count}  # type: ignore[attr-defined]
            for e in selectors.bank(school=c.school, user=c.user, roles=c.roles, q=q[:100])[:200]]


@router.post("/exercises", response=ok(ExerciseOut, 403, status=201), summary="Write an exercise")
def exercise_create(request: HttpRequest, body: ExerciseIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.AUTHOR_ROLES)
    made = services.exercise_create(school=c.school, actor=c.user, roles=c.roles, data=_exercise_in(body))
    return Status(201, _exercise_out(request, made.pk))


class SkippedOut(Schema):
    item: str
    reason: str


class ImportOut(Schema):
    added: int
    skipped: list[SkippedOut] = Field(..., description="What Krijt cannot score as it is, left out.")


@router.post("/exercises/{int:exercise_id}/import", response=ok(ImportOut, 403, 413), url_name="exercise_import",
             summary="Import QTI items (a 3.0 or 2.x package or item)")
def qti_import(request: HttpRequest, exercise_id: int, package: File[UploadedFile]) -> dict[str, Any]:
    c = caller(request, permissions.AUTHOR_ROLES)
    found = selectors.exercise_detail(school=c.school, user=c.user, roles=c.roles, exercise_id=exercise_id)
    result = services.exercise_import(school=c.school, actor=c.user, roles=c.roles, exercise=found.exercise,
                                      upload=package)
    return {"added": result.added, "skipped": [{"item": name, "reason": why} for name, why in result.skipped]}


@router.get("/exercises/{int:exercise_id}/export", response=_errors(403), url_name="exercise_export",
            summary="An exercise as a QTI 3.0 package (application/zip)",
            openapi_extra={"responses": {200: {"description": "The QTI 3.0 package.",
                                               "content": {"application/zip": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}}}})
def qti_export(request: HttpRequest, exercise_id: int) -> HttpResponse:
    c = caller(request, permissions.AUTHOR_ROLES)
    name, data = services.exercise_export(school=c.school, user=c.user, roles=c.roles, exercise_id=exercise_id)
    return made_file_response(data, filename=name, content_type="application/zip")


@router.get("/exercises/{int:exercise_id}", response=ok(ExerciseOut, 403), summary="An exercise with its items")
def exercise(request: HttpRequest, exercise_id: int) -> dict[str, Any]:
    return _exercise_out(request, exercise_id)


@router.put("/exercises/{int:exercise_id}", response=ok(ExerciseOut, 403), summary="Change an exercise")
def exercise_update(request: HttpRequest, exercise_id: int, body: ExerciseIn) -> dict[str, Any]:
    c = caller(request, permissions.AUTHOR_ROLES)
    found = selectors.exercise_detail(school=c.school, user=c.user, roles=c.roles, exercise_id=exercise_id)
    services.exercise_update(school=c.school, actor=c.user, roles=c.roles, exercise=found.exercise,
                             data=_exercise_in(body))
    return _exercise_out(request, exercise_id)


@router.post("/exercises/{int:exercise_id}/items", response=ok(ExerciseOut, 403, 409, status=201),
             summary="Add an item")
def item_add(request: HttpRequest, exercise_id: int, body: ItemIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.AUTHOR_ROLES)
    found = selectors.exercise_detail(school=c.school, user=c.user, roles=c.roles, exercise_id=exercise_id)
    services.item_add(school=c.school, actor=c.user, roles=c.roles, exercise=found.exercise, data=_item_in(body))
    return Status(201, _exercise_out(request, exercise_id))


@router.put("/exercises/items/{item_id}", response=ok(ExerciseOut, 403), summary="Change an item (a new revision)")
def item_change(request: HttpRequest, item_id: int, body: ItemIn) -> dict[str, Any]:
    c = caller(request, permissions.AUTHOR_ROLES)
    found = selectors.item_for_edit(school=c.school, user=c.user, roles=c.roles, item_id=item_id)
    services.item_change(school=c.school, actor=c.user, roles=c.roles, item=found, data=_item_in(body))
    return _exercise_out(request, found.exercise_id)


@router.delete("/exercises/items/{item_id}", response=ok(ExerciseOut, 403), summary="Remove an item")
def item_remove(request: HttpRequest, item_id: int) -> dict[str, Any]:
    c = caller(request, permissions.AUTHOR_ROLES)
    found = selectors.item_for_edit(school=c.school, user=c.user, roles=c.roles, item_id=item_id)
    services.item_remove(school=c.school, actor=c.user, roles=c.roles, item=found)
    return _exercise_out(request, found.exercise_id)


@router.post("/exercises/assignments", response=ok(AssignmentOut, 403, 409, status=201), summary="Assign an exercise")
def assignment_create(request: HttpRequest, body: AssignIn) -> Status[dict[str, Any]]:
    c = caller(request, permissions.AUTHOR_ROLES)
    made = services.assignment_create(school=c.school, actor=c.user, roles=c.roles, data=services.AssignIn(
        course_id=body.course_id, exercise_id=body.exercise_id, student_ids=list(body.student_ids),
        group_id=body.group_id, due_date=body.due_date, minutes=body.minutes, rule_m=body.rule_m, rule_n=body.rule_n,
        override_reason=body.override_reason))
    return Status(201, _assignment_out(made))


@router.get("/exercises/assignments/{assignment_id}", response=ok(AssignmentOut, 403), summary="An assignment")
def assignment(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    c = caller(request, permissions.DASHBOARD_ROLES)
    return _assignment_out(selectors.assignment_for_teacher(school=c.school, user=c.user, roles=c.roles,
                                                            assignment_id=assignment_id))


@router.put("/exercises/assignments/{assignment_id}", response=ok(AssignmentOut, 403),
            summary="Change an assignment's mastery rule (for sittings started from now)")
def assignment_rule(request: HttpRequest, assignment_id: int, body: RuleIn) -> dict[str, Any]:
    c = caller(request, permissions.DASHBOARD_ROLES)
    found = selectors.assignment_for_teacher(school=c.school, user=c.user, roles=c.roles, assignment_id=assignment_id)
    services.assignment_rule_change(school=c.school, actor=c.user, roles=c.roles, assignment=found,
                                    rule_m=body.rule_m, rule_n=body.rule_n)
    return _assignment_out(found)


class ResultsOut(Schema):
    evaluation_id: int = Field(..., description="The results' evaluation (unpublished) holding the practice scores.")


@router.post("/exercises/assignments/{assignment_id}/results", response=ok(ResultsOut, 403, 409),
             summary="Put an assignment's practice in the results (the teacher's choice)")
def assignment_results(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    c = caller(request, permissions.DASHBOARD_ROLES)
    found = selectors.assignment_for_teacher(school=c.school, user=c.user, roles=c.roles, assignment_id=assignment_id)
    return {"evaluation_id": services.assignment_to_results(school=c.school, actor=c.user, roles=c.roles,
                                                            assignment=found)}


@router.post("/exercises/assignments/{assignment_id}/cancel", response=ok(AssignmentOut, 403),
             summary="Cancel an assignment")
def assignment_cancel(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    c = caller(request, permissions.DASHBOARD_ROLES)
    found = selectors.assignment_for_teacher(school=c.school, user=c.user, roles=c.roles, assignment_id=assignment_id)
    services.assignment_cancel(school=c.school, actor=c.user, roles=c.roles, assignment=found)
    return _assignment_out(found)
