"""Attendance as JSON: a lesson's register (read and save, idempotent), a student's register, parents'
reports, the secretariat's absent half days and their codes, through the same reads and services as the
pages. Saving a register is admitted even when Krijt sheds other load (krijt.ops.admission)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from krijt.attendance import selectors, services
from krijt.attendance.models import Basis, Code, NotExpected, ReportReason
from krijt.attendance.permissions import ATTENDANCE_ROLES, OFFICE_ROLES, REGISTER_ROLES, REPORT_ROLES
from krijt.core import clock
from krijt.core.api import Day, PersonRef, caller, ok
from krijt.core.errors import ValidationFailed

router: Router = Router(tags=["attendance"])

# ---------------------------------------------------------------- shapes


class MarkOut(Schema):
    status: str = Field(..., description="absent, late or not_expected.")
    late_minutes: int | None = None
    reason: str = Field("", description="Why a student is not expected: excursion, internship, exclusion, elsewhere.")


class EarlierOut(Schema):
    period: int
    status: str
    late_minutes: int | None = None


class RegisterRowOut(Schema):
    student: PersonRef
    status: str = Field(..., description="present, absent, late or not_expected (present when not taken yet).")
    mark: MarkOut | None
    reported: bool = Field(..., description="A parent's report covers this lesson.")
    report_reason: str | None = None
    earlier: list[EarlierOut] = Field(..., description="The student's marks in earlier lessons that day.")


class RegisterOut(Schema):
    course_id: int
    course: str
    class_id: int
    class_name: str
    day: dt.date
    period: int
    starts: str
    ends: str
    taken: bool
    taken_at: dt.datetime | None
    may_save: bool = Field(..., description="False before the lesson begins.")
    rows: list[RegisterRowOut]


class MarkIn(Schema):
    student_id: int
    status: Literal["present", "absent", "late", "not_expected"]
    late_minutes: int | None = Field(None, ge=1, le=services.MAX_LATE_MINUTES)
    reason: Literal["", "excursion", "internship", "exclusion", "elsewhere"] = ""


class RegisterIn(Schema):
    client_key: str = Field("", max_length=64,
                            description="A key the client makes per save: sending the same key again changes nothing.")
    marks: list[MarkIn] = Field(..., max_length=200, description="The exceptions; everyone else was present.")


class SavedOut(Schema):
    changed: bool = Field(..., description="False when this repeated what was already saved.")
    lesson: RegisterOut


class LessonOut(Schema):
    period: int
    starts: str
    course: str
    state: str = Field(..., description="present, late, absent, not_expected, reported or not_taken.")
    late_minutes: int | None = None
    reason: str = ""
    reported: bool


class HalfOut(Schema):
    half: Literal["am", "pm"]
    state: str = Field(..., description="none, pending, present, absent or not_expected.")
    late: bool
    reported: bool
    code: str | None = Field(None, description="The legal code, once the school gave one.")
    basis: str | None = None


class DayOut(Schema):
    day: dt.date
    halves: list[HalfOut]
    lessons: list[LessonOut]


class StudentRegisterOut(Schema):
    student: PersonRef
    start: dt.date
    end: dt.date
    days: list[DayOut]


class ReportIn(Schema):
    student_id: int
    starts_on: Day
    ends_on: Day | None = Field(None, description="Null: until further notice.")
    reason: Literal["illness", "medical", "family", "other"]
    note: str = Field("", max_length=services.MAX_NOTE_CHARS)


class ReportOut(Schema):
    id: int
    student_id: int
    starts_on: dt.date
    ends_on: dt.date | None
    reason: str
    note: str
    withdrawn: bool


class EndIn(Schema):
    back_on: Day


class AbsentHalfOut(Schema):
    student: PersonRef
    class_name: str
    day: dt.date
    half: Literal["am", "pm"]
    reported: bool
    code: str | None
    basis: str | None


class HalfIn(Schema):
    day: Day
    half: Literal["am", "pm"]


class CodeIn(Schema):
    halves: list[HalfIn] = Field(..., min_length=1, max_length=60)
    code: Literal["", "R", "Z", "H", "P", "M", "B"] = Field(..., description='"" removes the code (needs why).')
    basis: Literal["", "parents", "medical", "school"] = ""
    local_code_id: int | None = None
    proof_id: int | None = None
    why: str = Field("", max_length=services.MAX_WHY_CHARS)


class CodedOut(Schema):
    changed: int


class ReviewOut(Schema):
    id: int
    student: PersonRef
    class_name: str
    day: dt.date
    due_on: dt.date
    closed: bool
    outcome: str
    note: str


class CloseIn(Schema):
    note: str = Field(..., min_length=1, max_length=services.MAX_NOTE_CHARS)


class CodeOut(Schema):
    code: str
    label: str


class CodesOut(Schema):
    codes: list[CodeOut]
    bases: list[CodeOut]
    report_reasons: list[CodeOut]
    not_expected: list[CodeOut]


# ---------------------------------------------------------------- helpers


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


def _register(lesson: selectors.LessonRegister) -> dict[str, Any]:
    period = lesson.lesson_period
    return {
        "course_id": lesson.course.pk, "course": lesson.course.name, "class_id": lesson.class_group.pk,
        "class_name": lesson.class_group.name, "day": lesson.day, "period": period.number,
        "starts": period.starts_at.strftime("%H:%M"), "ends": period.ends_at.strftime("%H:%M"),
        "taken": lesson.taken, "taken_at": lesson.register.taken_at if lesson.register else None,
        "may_save": lesson.may_save,
        "rows": [{
            "student": _person(row.student), "status": row.status,
            "mark": None if row.mark is None else {"status": row.mark.status, "late_minutes": row.mark.late_minutes,
                                                   "reason": row.mark.reason},
            "reported": row.report is not None, "report_reason": row.report.reason if row.report else None,
            "earlier": [{"period": m.period, "status": m.status, "late_minutes": m.late_minutes} for m in row.earlier],
        } for row in lesson.rows],
    }


def _report(report: Any) -> dict[str, Any]:
    return {"id": report.pk, "student_id": report.student_id, "starts_on": report.starts_on,
            "ends_on": report.ends_on, "reason": report.reason, "note": report.note,
            "withdrawn": report.withdrawn_at is not None}


# ---------------------------------------------------------------- operations


@router.get("/attendance/lessons/{course_id}/{day}/{period}", response=ok(RegisterOut, 403),
            summary="A lesson's register")
def lesson_register(request: HttpRequest, course_id: int, day: Day, period: int) -> dict[str, Any]:
    """For the course's teacher, the class mentor, staff and administrators: every student of the class with
    their mark (or present), a parent's report covering the lesson and their marks in earlier lessons."""
    c = caller(request, REGISTER_ROLES)
    return _register(selectors.register_for_user(school=c.school, user=c.user, roles=c.roles, course_id=course_id,
                                                 day=day, period=period))


@router.put("/attendance/lessons/{course_id}/{day}/{period}", response=ok(SavedOut, 403),
            summary="Take a lesson's register")
def take_register(request: HttpRequest, course_id: int, day: Day, period: int, body: RegisterIn) -> dict[str, Any]:
    """Saves the exceptions of a lesson's register (everyone else was present), replacing an earlier save.
    Idempotent: the same marks again, or the same client_key, change nothing (`changed` is false)."""
    c = caller(request, REGISTER_ROLES)
    taken = services.register_take(
        school=c.school, actor=c.user, roles=c.roles, course_id=course_id, day=day, period=period,
        marks=[services.MarkIn(m.student_id, m.status, m.late_minutes, m.reason) for m in body.marks],
        client_key=body.client_key,
    )
    lesson = selectors.register_for_user(school=c.school, user=c.user, roles=c.roles, course_id=course_id, day=day,
                                         period=period)
    return {"changed": taken.changed, "lesson": _register(lesson)}


@router.get("/attendance/students/{student_id}", response=ok(StudentRegisterOut, 403),
            summary="A student's register")
def student_register(request: HttpRequest, student_id: int, start: Day | None = None,
                     end: Day | None = None) -> dict[str, Any]:
    """A student's school days from `start` to `end` (default: the last 30 days, at most 400): each half day's
    state and legal code, and each lesson's state. For the student, their parents (unless an adult student
    said no), their teachers, staff and administrators."""
    c = caller(request, ATTENDANCE_ROLES)
    person = selectors.student_for_user(school=c.school, user=c.user, roles=c.roles, student_id=student_id)
    today = clock.local_today(c.school.time_zone)
    end = end or today
    start = start or end - dt.timedelta(days=30)
    if start > end:
        raise ValidationFailed(fields={"start": ["The start cannot be after the end."]})
    end = min(end, start + dt.timedelta(days=selectors.MAX_SPAN_DAYS))
    lines = selectors.days_of_students(school=c.school, student_ids=[person.pk], start=start, end=end)
    return {"student": _person(person), "start": start, "end": end, "days": [{
        "day": line.day,
        "halves": [{"half": h.half, "state": h.state.value, "late": h.late, "reported": h.reported,
                    "code": line.codes[h.half].code if h.half in line.codes else None,
                    "basis": (line.codes[h.half].basis or None) if h.half in line.codes else None}
                   for h in line.halves],
        "lessons": [{"period": ln.period, "starts": ln.starts.strftime("%H:%M"), "course": ln.course,
                     "state": ln.state.value, "late_minutes": ln.late_minutes, "reason": ln.reason,
                     "reported": ln.reported} for ln in line.lessons],
    } for line in lines.get(person.pk, [])]}


@router.post("/attendance/reports", response=ok(ReportOut, 403, 409, status=201), summary="Report an absence")
def report_create(request: HttpRequest, body: ReportIn) -> Status[dict[str, Any]]:
    """A parent reports their child absent (an adult student themselves; staff a report by phone), from today
    or a later day, until a day or until further notice. It covers every lesson in the span."""
    c = caller(request, REPORT_ROLES)
    report = services.absence_report_create(
        school=c.school, actor=c.user, roles=c.roles, student_id=body.student_id, starts_on=body.starts_on,
        ends_on=body.ends_on, reason=body.reason, note=body.note,
    )
    return Status(201, _report(report))


@router.post("/attendance/reports/{report_id}/end", response=ok(ReportOut, 403), summary="End a report")
def report_end(request: HttpRequest, report_id: int, body: EndIn) -> dict[str, Any]:
    """The student is back on `back_on`: the report ends the day before (withdrawn if that is its first day)."""
    c = caller(request, REPORT_ROLES)
    return _report(services.absence_report_end(school=c.school, actor=c.user, roles=c.roles, report_id=report_id,
                                               back_on=body.back_on))


@router.get("/attendance/absences", response=ok(list[AbsentHalfOut], 403), summary="Absent half days of a day")
def absences(request: HttpRequest, day: Day | None = None) -> list[dict[str, Any]]:
    """For staff and administrators: every absent half day in the school on `day` (default today), with its
    code once given."""
    c = caller(request, OFFICE_ROLES)
    found = selectors.absences_on(school=c.school, day=day or clock.local_today(c.school.time_zone))
    return [{"student": _person(f.student), "class_name": f.class_name, "day": f.day, "half": f.half.half,
             "reported": f.half.reported, "code": f.code.code if f.code else None,
             "basis": (f.code.basis or None) if f.code else None} for f in found]


@router.put("/attendance/students/{student_id}/codes", response=ok(CodedOut, 403), summary="Code absent half days")
def code_halves(request: HttpRequest, student_id: int, body: CodeIn) -> dict[str, Any]:
    """For staff and administrators: gives (or removes) the legal code of a student's absent half days. A
    change needs a why; illness on the parents' statement beyond the legal limit is refused."""
    c = caller(request, OFFICE_ROLES)
    result = services.half_days_code(
        school=c.school, actor=c.user, roles=c.roles, student_id=student_id,
        halves=[(h.day, h.half) for h in body.halves], code=body.code, basis=body.basis,
        local_code_id=body.local_code_id, proof_id=body.proof_id, why=body.why,
    )
    return {"changed": result.changed}


@router.get("/attendance/codes", response=ok(CodesOut), summary="Codes and reasons")
def codes(request: HttpRequest) -> dict[str, Any]:
    """The legal codes, what an illness rests on, parents' reasons and why a student may be not expected, in
    the asker's language."""
    caller(request, ATTENDANCE_ROLES)

    def pairs(choices: Any) -> list[dict[str, str]]:
        return [{"code": value, "label": str(label)} for value, label in choices]

    return {"codes": pairs(Code.choices), "bases": pairs(Basis.choices),
            "report_reasons": pairs(ReportReason.choices), "not_expected": pairs(NotExpected.choices)}



def _review(review: Any) -> dict[str, Any]:
    return {"id": review.pk, "student": _person(review.student), "class_name": review.class_group.name,
            "day": review.day, "due_on": review.due_on, "closed": review.closed_at is not None,
            "outcome": review.outcome, "note": review.note}


@router.get("/attendance/reviews", response=ok(list[ReviewOut], 403), summary="Absences to look into")
def reviews(request: HttpRequest) -> list[dict[str, Any]]:
    """Unexplained absences still open, the oldest due first: every class for staff and administrators, the
    classes they mentor for a teacher."""
    c = caller(request, REGISTER_ROLES)
    return [_review(r) for r in selectors.open_reviews(school=c.school, user=c.user, roles=c.roles)]


@router.post("/attendance/reviews/{review_id}/close", response=ok(ReviewOut, 403, 409), summary="Close a review")
def review_close(request: HttpRequest, review_id: int, body: CloseIn) -> dict[str, Any]:
    """The mentor or the secretariat looked into an absence: what they found closes it (no code is given)."""
    c = caller(request, REGISTER_ROLES)
    review = services.review_close(school=c.school, actor=c.user, roles=c.roles, review_id=review_id,
                                   note=body.note)
    return _review(selectors.review_for_user(school=c.school, user=c.user, roles=c.roles, review_id=review.pk))
