"""Messages as JSON: the folders, a conversation, sending, replying and changing or cancelling a scheduled
message, through the same reads and services (the same rules and errors) as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from krijt.accounts.models import User
from krijt.core import clock
from krijt.core.api import TeacherRef, caller, ok
from krijt.messaging import selectors as messaging
from krijt.messaging import services as messaging_services
from krijt.messaging.models import Message, MessageRecipient
from krijt.messaging.permissions import USE_MESSAGES

# ---------------------------------------------------------------- shapes


class MessageSummaryOut(Schema):
    id: int
    thread_id: int
    subject: str
    sender: TeacherRef
    at: dt.datetime = Field(..., description="When it reached me (received) or is or was sent (sent, scheduled).")
    audience_label: str
    urgent: bool
    has_attachments: bool
    unread: bool | None = Field(None, description="For received messages: not read yet.")


class MessagePageOut(Schema):
    folder: Literal["inbox", "sent", "scheduled", "archive"]
    count: int
    page: int
    page_size: int
    pages: int
    unread: int = Field(..., description="Unread messages in my inbox.")
    results: list[MessageSummaryOut]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ThreadMessageOut(Schema):
    id: int
    subject: str
    sender: TeacherRef
    sent_at: dt.datetime
    body_html: str = Field(..., description="Sanitised HTML.")
    body_text: str
    urgent: bool
    mine: bool = Field(..., description="I sent it.")
    unread: bool = Field(..., description="Not read before this request (this request marks it read).")
    attachments: list[AttachmentOut]


class ThreadOut(Schema):
    thread_id: int
    subject: str
    archived: bool
    messages: list[ThreadMessageOut]


class SendIn(Schema):
    to: list[str] = Field(..., max_length=200, description=(
        "Recipients as the compose page picks them: user:<id>, class:<id>, parents:<class id>, course:<id>, "
        "teachers or school (what the school's messaging policy lets the sender reach)."))
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=50_000, description=(
        "Markdown (CommonMark: **bold**, _italic_, lists, [links](https://...)), or simple HTML; sanitised as "
        "on the page."))
    send_at: dt.datetime | None = Field(None, description=(
        "Schedule for later (without an offset: the school's local time); empty sends now."))
    urgent: bool = False
    urgent_reason: str = Field("", max_length=300)


class ReplyIn(Schema):
    body: str = Field(..., max_length=50_000)


class RescheduleIn(Schema):
    send_at: dt.datetime = Field(..., description="Without an offset: the school's local time.")
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=50_000)


class SentOut(Schema):
    id: int
    thread_id: int
    subject: str
    send_at: dt.datetime
    scheduled: bool = Field(..., description="It waits in my scheduled messages until send_at.")
    cancelled: bool
    audience_label: str


# ---------------------------------------------------------------- operations


router: Router = Router(tags=["messages"])

_PAGES = {
    "inbox": messaging.inbox_page,
    "archive": messaging.archive_page,
    "sent": messaging.sent_page,
    "scheduled": messaging.scheduled_page,
}


def _sender(user: User) -> dict[str, Any]:
    return {"id": user.pk, "full_name": user.full_name or user.username}


def _received(row: MessageRecipient) -> dict[str, Any]:
    message = row.message
    return {"id": message.pk, "thread_id": message.thread_id, "subject": message.subject,
            "sender": _sender(message.sender), "at": row.visible_at, "audience_label": message.audience_label,
            "urgent": message.urgent, "has_attachments": row.has_attachments,  # type: ignore[attr-defined]
            "unread": row.read_at is None}


def _sent(message: Message, sender: User) -> dict[str, Any]:
    return {"id": message.pk, "thread_id": message.thread_id, "subject": message.subject, "sender": _sender(sender),
            "at": message.send_at, "audience_label": message.audience_label, "urgent": message.urgent,
            "has_attachments": message.has_attachments, "unread": None}  # type: ignore[attr-defined]


class FolderFilter(Schema):
    folder: Literal["inbox", "sent", "scheduled", "archive"] = "inbox"
    page: int = Field(1, ge=1, description="Past the last page gives the last page.")
    q: str = Field("", max_length=100, description="Words in the subject or text.")


@router.get("/me/messages", response=ok(MessagePageOut, 400, 403), summary="My messages")
def my_messages(request: HttpRequest, filters: Query[FolderFilter]) -> dict[str, Any]:
    """A folder of my messages, as the messages pages show it: received ones only once they reach me."""
    c = caller(request, USE_MESSAGES)
    page = _PAGES[filters.folder](school=c.school, user=c.user, page=filters.page, q=filters.q)
    received = filters.folder in ("inbox", "archive")
    results = [_received(row) if received else _sent(row, c.user) for row in page.object_list]
    paginator = page.paginator
    return {"folder": filters.folder, "count": paginator.count, "page": page.number,
            "page_size": paginator.per_page, "pages": paginator.num_pages,
            "unread": messaging.unread_count(school=c.school, user=c.user), "results": results}


@router.get("/messages/{message_id}", response=ok(ThreadOut, 403), summary="A conversation")
def message_thread(request: HttpRequest, message_id: int) -> dict[str, Any]:
    """The conversation around a message I sent or that reached me; opening it marks it read, as the page does."""
    c = caller(request, USE_MESSAGES)
    view = messaging.thread_for_reader(school=c.school, user=c.user, message_id=message_id)
    if view.unread_ids:
        messaging_services.message_mark_read(school=c.school, user=c.user, thread_id=view.anchor.thread_id)
    return {
        "thread_id": view.anchor.thread_id,
        "subject": view.anchor.thread.subject,
        "archived": view.archived,
        "messages": [
            {"id": m.pk, "subject": m.subject, "sender": _sender(m.sender), "sent_at": m.send_at,
             "body_html": m.body_html, "body_text": m.body_text, "urgent": m.urgent,
             "mine": m.sender_id == c.user.pk, "unread": m.pk in view.unread_ids,
             "attachments": [{"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}
                             for a in m.attachments.all()]}
            for m in view.messages
        ],
    }


# ---------------------------------------------------------------- writing


def _local(moment: dt.datetime | None, school: Any) -> dt.datetime | None:
    """A moment without an offset is the school's wall-clock time, as the compose page reads it."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(school.time_zone))


def _sent_out(message: Message) -> dict[str, Any]:
    return {"id": message.pk, "thread_id": message.thread_id, "subject": message.subject,
            "send_at": message.send_at, "scheduled": message.send_at > clock.now() + messaging_services.NOW_TOLERANCE,
            "cancelled": message.cancelled_at is not None, "audience_label": message.audience_label}


@router.post("/messages", response=ok(SentOut, 403, status=201), summary="Send a message")
def message_send(request: HttpRequest, body: SendIn) -> Status[dict[str, Any]]:
    """Sends (or schedules) a message as the compose page does: the same reach, quiet hours and urgent rule.

    Attachments are added on the compose page.
    """
    c = caller(request, USE_MESSAGES)
    message = messaging_services.message_send(
        school=c.school, sender=c.user, roles=c.roles, to=body.to, subject=body.subject, body=body.body,
        send_at=_local(body.send_at, c.school), urgent=body.urgent, urgent_reason=body.urgent_reason,
    )
    return Status(201, _sent_out(message))


@router.post("/messages/{message_id}/reply", response=ok(SentOut, 403, status=201), summary="Reply")
def message_reply(request: HttpRequest, message_id: int, body: ReplyIn) -> Status[dict[str, Any]]:
    """A reply in the conversation: to the sender of the message, or (to one's own message) to its audience."""
    c = caller(request, USE_MESSAGES)
    message = messaging_services.message_reply(
        school=c.school, sender=c.user, roles=c.roles, message_id=message_id, body=body.body
    )
    return Status(201, _sent_out(message))


@router.put("/messages/{message_id}/schedule", response=ok(SentOut, 403, 409), summary="Change a scheduled message")
def message_reschedule(request: HttpRequest, message_id: int, body: RescheduleIn) -> dict[str, Any]:
    """Changes the time and text of one's own scheduled message until it is sent (409 after)."""
    c = caller(request, USE_MESSAGES)
    moment = _local(body.send_at, c.school)
    assert moment is not None
    message = messaging_services.message_reschedule(
        school=c.school, sender=c.user, roles=c.roles, message_id=message_id, send_at=moment,
        subject=body.subject, body=body.body,
    )
    return _sent_out(message)


@router.post("/messages/{message_id}/cancel", response=ok(SentOut, 403, 409), summary="Cancel a scheduled message")
def message_cancel(request: HttpRequest, message_id: int) -> dict[str, Any]:
    """Cancels one's own scheduled message before it is sent: nobody will ever see it (409 after)."""
    c = caller(request, USE_MESSAGES)
    message = messaging_services.message_cancel(school=c.school, sender=c.user, message_id=message_id)
    return _sent_out(message)
