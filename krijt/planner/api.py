"""The planner as JSON: a week of tasks and tests, planning, changing, moving and cancelling them, and a
student's done marks, through the planner's own reads and services (the same rules and errors as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from krijt.accounts.models import User
from krijt.accounts.selectors import child_of_parent, children_in_school
from krijt.core import clock
from krijt.core.api import Caller, ClassRef, CourseRef, Day, PersonRef, TeacherRef, caller, ok
from krijt.core.errors import Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.planner import selectors as planner
from krijt.planner import services as planner_services
from krijt.planner.models import PlannerItem
from krijt.planner.permissions import PLAN_ROLES
from krijt.planner.rules import week_start
from krijt.schools.models import Course, LessonPeriod
from krijt.schools.selectors import classes_for_teacher, current_school_year, lesson_periods

# ---------------------------------------------------------------- shapes


class PlannerItemOut(Schema):
    id: int
    kind: Literal["task", "test"]
    title: str
    description: str
    due_date: dt.date
    period: int | None = Field(None, description="The lesson period it is due in, if any.")
    minutes: int
    state: Literal["planned", "cancelled"]
    course: CourseRef
    class_: ClassRef = Field(..., alias="class")
    teacher: TeacherRef | None
    done: bool | None = Field(None, description="Whether the asking student marked it done; null for others.")


class PlannerWeekOut(Schema):
    week_start: dt.date
    student: PersonRef | None = Field(None, description="Whose planner this is, for a student or a parent.")
    items: list[PlannerItemOut]


class DoneOut(Schema):
    item_id: int
    done: bool


class ItemChangeIn(Schema):
    kind: Literal["task", "test"]
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=20_000)
    due_date: Day
    period: int | None = Field(None, ge=1, le=20, description="The number of the lesson period it is due in.")
    minutes: int = Field(0, ge=0, le=600, description="Estimated minutes of work.")
    override_reason: str = Field(
        "", max_length=1000,
        description="Plan anyway: needed when the workload rules warn (409 workload_warning), and for an "
                    "administrator overriding a block (403 workload_blocked with may_override).",
    )


class ItemIn(ItemChangeIn):
    course_id: int = Field(..., description="The course (and with it the class) the task or test is for.")


# ---------------------------------------------------------------- operations


router: Router = Router(by_alias=True, tags=["planner"])

WEEK_ROLES = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER})
DONE_ROLES = frozenset({Role.STUDENT})


def _item(item: PlannerItem, done: set[int] | None) -> dict[str, Any]:
    teacher = item.teacher
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "due_date": item.due_date,
        "period": item.lesson_period.number if item.lesson_period else None,
        "minutes": item.minutes,
        "state": item.state,
        "course": {"id": item.course.pk, "name": item.course.name, "code": item.course.code},
        "class": {"id": item.class_group.pk, "name": item.class_group.name},
        "teacher": None if teacher is None else {"id": teacher.pk, "full_name": teacher.full_name or teacher.username},
        "done": None if done is None else item.pk in done,
    }


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


def _student_items(c: Caller, student: User, monday: dt.date) -> list[PlannerItem]:
    """What the student's planner page shows: their class's items of the week, once visible."""
    year = current_school_year(school=c.school)
    group = planner.student_class(school=c.school, student=student, school_year=year)
    if group is None:
        return []
    return planner.items_for_classes(school=c.school, class_ids=[group.pk], start=monday,
                                     end=monday + dt.timedelta(days=6), visible_only=True)


@router.get("/me/planner", response=ok(PlannerWeekOut, 400, 403), summary="My planner for a week")
def my_planner(request: HttpRequest, week: Day | None = None, student_id: int | None = None) -> dict[str, Any]:
    """Tasks and tests due in the week (Monday to Sunday) containing `week` (default: this week).

    A student sees their class's items once visible, with their done marks; a parent a child's
    (`student_id`, default the first child); a teacher the items of the classes they teach or mentor.
    """
    c = caller(request, WEEK_ROLES)
    monday = week_start(week or clock.local_today(c.school.time_zone))
    end = monday + dt.timedelta(days=6)
    if student_id is not None or (Role.PARENT in c.roles and not c.roles & {Role.STUDENT, Role.TEACHER}):
        if Role.PARENT not in c.roles:
            raise Forbidden()
        if student_id is None:
            children = list(children_in_school(school=c.school, parent=c.user))
            if not children:
                raise NotFound()
            child = children[0]
        else:
            child = child_of_parent(school=c.school, parent=c.user, student_id=student_id)
        items = _student_items(c, child, monday)
        return {"week_start": monday, "student": _person(child), "items": [_item(i, None) for i in items]}
    if Role.STUDENT in c.roles:
        items = _student_items(c, c.user, monday)
        done = planner.done_ids(school=c.school, student=c.user, item_ids=[i.pk for i in items])
        return {"week_start": monday, "student": _person(c.user), "items": [_item(i, done) for i in items]}
    year = current_school_year(school=c.school)
    classes = list(classes_for_teacher(school=c.school, teacher=c.user, school_year=year)) if year else []
    items = planner.items_for_classes(school=c.school, class_ids=[g.pk for g in classes], start=monday, end=end)
    return {"week_start": monday, "student": None, "items": [_item(i, None) for i in items]}


def _set_done(request: HttpRequest, item_id: int, done: bool) -> dict[str, Any]:
    c = caller(request, DONE_ROLES)
    item = planner.item_for_user(school=c.school, user=c.user, roles=c.roles, item_id=item_id)
    planner_services.done_mark_set(school=c.school, student=c.user, item=item, done=done)
    return {"item_id": item.pk, "done": done}


@router.post("/planner/items/{item_id}/done", response=ok(DoneOut, 403), summary="Mark an item done")
def item_done(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """A student marks a task or test of their class as done (again: no change)."""
    return _set_done(request, item_id, True)


@router.delete("/planner/items/{item_id}/done", response=ok(DoneOut, 403), summary="Unmark an item done")
def item_undone(request: HttpRequest, item_id: int) -> dict[str, Any]:
    return _set_done(request, item_id, False)


# ---------------------------------------------------------------- planning


def _period(c: Caller, number: int | None) -> LessonPeriod | None:
    if number is None:
        return None
    found = lesson_periods(school=c.school).filter(number=number).first()
    if found is None:
        raise ValidationFailed(fields={"period": [_("This school has no lesson period %(n)s.") % {"n": number}]})
    return found


def _fields(c: Caller, body: ItemChangeIn) -> dict[str, Any]:
    return {"kind": body.kind, "title": body.title, "description": body.description, "due_date": body.due_date,
            "lesson_period": _period(c, body.period), "minutes": body.minutes,
            "override_reason": body.override_reason}


def _editable(c: Caller, item_id: int) -> PlannerItem:
    return planner.item_for_user(school=c.school, user=c.user, roles=c.roles, item_id=item_id)


@router.get("/planner/items/{item_id}", response=ok(PlannerItemOut, 403), summary="A task or test")
def item_detail(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """One item as its page shows it to the asking person (a student only once it is visible)."""
    c = caller(request)
    item = planner.item_for_user(school=c.school, user=c.user, roles=c.roles, item_id=item_id)
    done = None
    if Role.STUDENT in c.roles and not c.roles & {Role.TEACHER, Role.ADMIN, Role.STAFF}:
        done = planner.done_ids(school=c.school, student=c.user, item_ids=[item.pk])
    return _item(item, done)


@router.post("/planner/items", response=ok(PlannerItemOut, 403, 409, status=201), summary="Plan a task or test")
def item_plan(request: HttpRequest, body: ItemIn) -> Status[dict[str, Any]]:
    """Plans a task or test for a course's class under the school's workload rules, as the planner page does.

    A rule that warns answers 409 `workload_warning` with its findings: send again with an
    `override_reason` to plan anyway. A rule that blocks answers 403 `workload_blocked`; only an
    administrator may override it, where the school allows that. Students are told when it becomes visible.
    Attachments are added on the item's page.
    """
    c = caller(request, PLAN_ROLES)
    course = Course.objects.filter(school=c.school, pk=body.course_id).select_related("class_group").first()
    if course is None:
        raise NotFound()
    item = planner_services.item_plan(school=c.school, actor=c.user, roles=c.roles, course=course,
                                      **_fields(c, body))
    return Status(201, _item(_editable(c, item.pk), None))


@router.put("/planner/items/{item_id}", response=ok(PlannerItemOut, 403, 409), summary="Change or move an item")
def item_update(request: HttpRequest, item_id: int, body: ItemChangeIn) -> dict[str, Any]:
    """Changes a task or test, or moves it to another day or lesson period, under the same rules as planning.

    Its author, the course's teacher or an administrator; students are told when what they see changes.
    """
    c = caller(request, PLAN_ROLES)
    item = _editable(c, item_id)
    planner_services.item_update(school=c.school, actor=c.user, roles=c.roles, item=item, **_fields(c, body))
    return _item(_editable(c, item.pk), None)


@router.post("/planner/items/{item_id}/cancel", response=ok(PlannerItemOut, 403), summary="Cancel an item")
def item_cancel(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """Cancels a task or test (again: no change); students who saw it are told."""
    c = caller(request, PLAN_ROLES)
    item = planner_services.item_cancel(school=c.school, actor=c.user, roles=c.roles, item=_editable(c, item_id))
    return _item(item, None)
