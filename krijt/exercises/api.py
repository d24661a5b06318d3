"""Exercises as JSON, through the same doors as the pages: a pupil's practice, an assignment's items (to practise
on the device, also offline), filing a finished sitting (idempotent by the device's key, admitted even when
Krijt sheds other load), and for teachers the bank, an assignment and a course's dashboard."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from krijt.core.api import PersonRef, caller, ok
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
