"""The follow-up record as JSON, through the same reads and services as the pages: a student's and a
parent's notes and their side; for staff the notes they may read, one note (logged), and writing one."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from krijt.care import permissions, selectors, services
from krijt.core.api import Day, PersonRef, caller, ok
from krijt.core.errors import NotFound
from krijt.core.roles import Role

router: Router = Router(tags=["follow-up"])


class InvolvedOut(Schema):
    student: PersonRef
    role: str = Field(..., description="concerned or witness")


class ReplyOut(Schema):
    author: PersonRef
    by_parent: bool
    text: str
    written_at: dt.datetime
    final: bool = Field(..., description="The school has read it: it can no longer be changed.")


class NoteOut(Schema):
    id: int
    kind: str
    written_at: dt.datetime
    author: PersonRef | None
    students: list[InvolvedOut]
    what_happened: str
    situation: str
    done_so_far: str
    next_step: str
    talk_with: PersonRef | None
    talk_at: dt.datetime | None
    visibility: int | None = Field(None, description="For staff: 1 mentor, 2 class council, 3 care team, 4 CLB.")
    phase: int | None = None
    review_on: dt.date | None = None
    restricted: str | None = Field(None, description="Only for the care team (and the CLB when shared).")
    version: int
    replies: list[ReplyOut]


class NoteIn(Schema):
    kind: Literal["observation", "incident", "positive", "care_measure", "agreement", "meeting"]
    concerned: list[int] = Field(..., min_length=1, max_length=services.MAX_STUDENTS)
    witnesses: list[int] = Field([], max_length=services.MAX_STUDENTS)
    what_happened: str = Field(..., max_length=services.MAX_TEXT)
    situation: str = Field("", max_length=services.MAX_TEXT)
    done_so_far: str = Field("", max_length=services.MAX_TEXT)
    next_step: str = Field("", max_length=services.MAX_TEXT)
    restricted: str = Field("", max_length=services.MAX_TEXT)
    visibility: int = Field(1, ge=1, le=4)
    phase: int | None = Field(None, ge=0, le=3)
    review_on: Day | None = None
    to_student: bool | None = Field(None, description="Null: the kind's default (behaviour notes: yes).")
    to_parents: bool = False
    talk_with_id: int | None = None
    talk_at: dt.datetime | None = None


class ReplyIn(Schema):
    student_id: int
    text: str = Field(..., min_length=1, max_length=services.MAX_TEXT)


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": user.full_name or user.username}


def _note(shown: selectors.Shown, *, staff: bool) -> dict[str, Any]:
    note = shown.note
    return {
        "id": note.pk, "kind": note.kind, "written_at": note.written_at, "author": _person(note.author),
        "students": [{"student": _person(link.student), "role": link.role} for link in shown.links],
        "what_happened": note.what_happened, "situation": note.situation, "done_so_far": note.done_so_far,
        "next_step": note.next_step, "talk_with": _person(note.talk_with), "talk_at": note.talk_at,
        "visibility": note.visibility if staff else None, "phase": note.phase if staff else None,
        "review_on": note.review_on if staff else None,
        "restricted": note.restricted if staff and shown.restricted else None, "version": note.version,
        "replies": [{"author": _person(r.author), "by_parent": r.by_parent, "text": r.text,
                     "written_at": r.written_at, "final": r.read_by_staff_at is not None} for r in shown.replies],
    }


@router.get("/me/notes", response=ok(list[NoteOut], 403), summary="Notes about me or my children")
def my_notes(request: HttpRequest, student_id: int | None = None) -> list[dict[str, Any]]:
    """A student: the notes about them meant for them, from their moment on. A parent: the notes about a
    child (`student_id`) meant for the parents, from theirs (none when an adult child keeps them private)."""
    c = caller(request, frozenset({Role.STUDENT, Role.PARENT}))
    if Role.STUDENT in c.roles:
        return [_note(s, staff=False) for s in selectors.notes_for_student(school=c.school, student=c.user)]
    if student_id is None:
        raise NotFound()
    return [_note(s, staff=False) for s in selectors.notes_for_parent(school=c.school, parent=c.user,
                                                                      student_id=student_id)]


@router.post("/notes/{note_id}/reply", response=ok(ReplyOut, 403, 409), summary="Add my side to a note")
def reply(request: HttpRequest, note_id: int, body: ReplyIn) -> dict[str, Any]:
    """The student's or a parent's side, once; sending again changes it until the school has read it."""
    c = caller(request, frozenset({Role.STUDENT, Role.PARENT}))
    written = services.reply_write(school=c.school, author=c.user, roles=c.roles, note_id=note_id,
                                   student_id=body.student_id, text=body.text)
    return {"author": _person(c.user), "by_parent": written.by_parent, "text": written.text,
            "written_at": written.written_at, "final": False}


@router.get("/students/{student_id}/notes", response=ok(list[NoteOut], 403), summary="A student's notes")
def student_notes(request: HttpRequest, student_id: int) -> list[dict[str, Any]]:
    """For staff: the notes about a student that their place on the visibility ladder lets them read."""
    c = caller(request, permissions.STAFF_ROLES)
    reader = selectors.reader_for(school=c.school, user=c.user, roles=c.roles)
    person = selectors.student_for_reader(school=c.school, reader=reader, student_id=student_id)
    return [_note(s, staff=True) for s in selectors.notes_for_staff(school=c.school, reader=reader, student=person)]


@router.get("/notes/{note_id}", response=ok(NoteOut, 403), summary="A note")
def note(request: HttpRequest, note_id: int) -> dict[str, Any]:
    """A note its reader may see; reading it is logged (staff reading makes the replies final), as on the page."""
    c = caller(request, permissions.READ_ROLES)
    shown = services.note_opened(school=c.school, viewer=c.user, roles=c.roles, note_id=note_id)
    return _note(shown, staff=bool(c.roles & permissions.STAFF_ROLES))


@router.post("/notes", response=ok(NoteOut, 403, status=201), summary="Write a note")
def write(request: HttpRequest, body: NoteIn) -> Status[dict[str, Any]]:
    """For teachers about the students of classes they teach or mentor, for the care team about any student:
    the same context rules, timing for the student and the parents, and visibility ladder as the page."""
    c = caller(request, permissions.WRITE_ROLES)
    people = [(pk, "concerned") for pk in body.concerned]
    people += [(pk, "witness") for pk in body.witnesses if pk not in body.concerned]
    made = services.note_create(school=c.school, author=c.user, roles=c.roles, data=services.NoteIn(
        kind=body.kind, students=people, what_happened=body.what_happened, situation=body.situation,
        done_so_far=body.done_so_far, next_step=body.next_step, restricted=body.restricted,
        visibility=body.visibility, phase=body.phase, review_on=body.review_on, to_student=body.to_student,
        to_parents=body.to_parents, talk_with_id=body.talk_with_id, talk_at=body.talk_at))
    reader = selectors.reader_for(school=c.school, user=c.user, roles=c.roles)
    return Status(201, _note(selectors.note_for_staff(school=c.school, reader=reader, note_id=made.pk), staff=True))
