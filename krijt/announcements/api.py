"""Announcements as JSON, through the same doors as the pages: a reader's list, one announcement (opening it
marks it read), an answer; for authors posting one and the answers per class."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema, Status

from krijt.announcements import audiences, permissions, selectors, services
from krijt.core.api import Day, caller, ok

router: Router = Router(tags=["announcements"])


class AnnouncementRow(Schema):
    id: int
    title: str = Field(..., description="In the reader's language where the author gave a translation.")
    excerpt: str
    author: str
    publish_at: dt.datetime
    expires_at: dt.datetime | None
    pinned: bool
    urgent: bool
    read: bool
    reply: str = Field(..., description="none, read (an acknowledgement) or slip (a reply slip).")
    needs_answer: bool
    answer_by: dt.date | None
    children: list[str] = Field(..., description="For a parent: the children it is about, by first name.")


class ChildAnswer(Schema):
    student_id: int
    first_name: str
    answer: str = Field(..., description="Empty: not answered yet.")


class AnnouncementOut(Schema):
    id: int
    title: str
    body_html: str = Field(..., description="Sanitised HTML.")
    author: str
    publish_at: dt.datetime
    expires_at: dt.datetime | None
    pinned_until: dt.date | None
    urgent: bool
    reply: str
    slip_question: str
    slip_options: list[str]
    answer_by: dt.date | None
    own_answer: str | None = Field(..., description="Null: not asked of the reader; empty: not answered yet.")
    children: list[ChildAnswer]
    files: list[str]


class AnnouncementIn(Schema):
    title: str = Field(..., max_length=services.TITLE_MAX)
    body: str = Field(..., max_length=services.BODY_MAX, description="Markdown or simple HTML; sanitised.")
    audience: list[str] = Field(
        ..., min_length=1, max_length=audiences.MAX_KEYS,
        description='Keys: "school", "students", "parents", "staff", "teachers", "grade:<n>", "class:<id>", '
                    '"parents-grade:<n>", "parents-class:<id>".')
    language: Literal["nl", "fr", "en"] = "nl"
    translations: dict[str, tuple[str, str]] = Field({}, description='{"fr": ["titre", "texte"]}')
    publish_at: dt.datetime | None = None
    pinned_until: Day | None = None
    expires_at: dt.datetime | None = None
    urgent: bool = False
    urgent_reason: str = ""
    reply: Literal["none", "read", "slip"] = "none"
    slip_question: str = ""
    slip_options: list[str] = Field([], max_length=services.MAX_OPTIONS)
    answer_by: Day | None = None


class AnswerIn(Schema):
    choice: str = Field(..., max_length=120, description='"read" for an acknowledgement, else one of the options.')
    student_id: int | None = Field(None, description="A parent answers for one child.")


class AnswerOut(Schema):
    choice: str
    answered_at: dt.datetime


class ClassAnswersOut(Schema):
    class_id: int
    name: str
    expected: int
    answered: int
    by_choice: dict[str, int]
    waiting: list[str]


class AnswersOut(Schema):
    classes: list[ClassAnswersOut]
    staff_expected: int
    staff_answered: int
    total_expected: int
    total_answered: int


def _language() -> str:
    return (translation.get_language() or "nl")[:2]


@router.get("/announcements", response=ok(list[AnnouncementRow], 403), summary="My announcements")
def listing(request: HttpRequest) -> list[dict[str, Any]]:
    """Pinned first, then unread or waiting for an answer, then the rest; a parent sees each announcement once."""
    c = caller(request, permissions.READ_ROLES)
    return selectors.feed(school=c.school, user=c.user, roles=c.roles, language=_language())


def _out(shown: selectors.ReaderView) -> dict[str, Any]:
    item = shown.item
    return {"id": item.pk, "title": shown.title, "body_html": shown.body_html,
            "author": (item.author.full_name or item.author.username) if item.author else "",
            "publish_at": item.publish_at, "expires_at": item.expires_at, "pinned_until": item.pinned_until,
            "urgent": item.urgent, "reply": item.reply, "slip_question": item.slip_question,
            "slip_options": item.slip_options, "answer_by": item.answer_by, "own_answer": shown.own_answer,
            "children": [{"student_id": pk, "first_name": name, "answer": answer}
                         for pk, name, answer in shown.children],
            "files": [f.name for f in shown.files]}


@router.get("/announcements/{announcement_id}", response=ok(AnnouncementOut, 403), summary="An announcement")
def detail(request: HttpRequest, announcement_id: int) -> dict[str, Any]:
    """Opening it marks it read, as on the page."""
    c = caller(request, permissions.READ_ROLES)
    item = services.announcement_opened(school=c.school, user=c.user, roles=c.roles, announcement_id=announcement_id)
    return _out(selectors.reader_view(school=c.school, user=c.user, roles=c.roles, item=item, language=_language()))


@router.post("/announcements/{announcement_id}/answers", response=ok(AnswerOut, 403, 409),
             summary="Acknowledge or answer a reply slip")
def answer(request: HttpRequest, announcement_id: int, body: AnswerIn) -> dict[str, Any]:
    c = caller(request, permissions.READ_ROLES)
    row = services.answer_give(school=c.school, user=c.user, roles=c.roles, announcement_id=announcement_id,
                               choice=body.choice, student_id=body.student_id)
    return {"choice": row.choice, "answered_at": row.answered_at}


@router.post("/announcements", response=ok(AnnouncementOut, 403, status=201), summary="Post an announcement")
def post(request: HttpRequest, body: AnnouncementIn) -> Status[dict[str, Any]]:
    """The same audiences, moments, quiet hours and urgent rule as the page; the audience is told by a worker."""
    c = caller(request, permissions.WRITE_ROLES)
    item = services.announcement_post(school=c.school, author=c.user, roles=c.roles, data=services.AnnouncementIn(
        title=body.title, body=body.body, audience=body.audience, language=body.language,
        translations=dict(body.translations), publish_at=body.publish_at, pinned_until=body.pinned_until,
        expires_at=body.expires_at, urgent=body.urgent, urgent_reason=body.urgent_reason, reply=body.reply,
        slip_question=body.slip_question, slip_options=body.slip_options, answer_by=body.answer_by))
    shown = selectors.reader_view(school=c.school, user=c.user, roles=c.roles, item=item, language=_language())
    return Status(201, _out(shown))


@router.get("/announcements/{announcement_id}/answers", response=ok(AnswersOut, 403),
            summary="The answers per class")
def answers(request: HttpRequest, announcement_id: int) -> selectors.Answers:
    """For the author and the office."""
    c = caller(request, permissions.WRITE_ROLES)
    return selectors.answers_by_class(school=c.school, user=c.user, roles=c.roles, announcement_id=announcement_id)



