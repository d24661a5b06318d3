"""The notification centre as JSON, through the same reads and the same service as its pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from krijt.core.api import Day, caller, ok
from krijt.notifications import selectors as notifications
from krijt.notifications import services as notification_services
from krijt.notifications.permissions import EVERYONE, SEE_URGENT_LOG
from krijt.notifications.selectors import NotificationItem

# ---------------------------------------------------------------- shapes


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    url: str = Field(..., description="The page it is about; empty when there is none.")
    visible_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool
    urgent: bool
    about_student: str | None = Field(None, description="The child it is about, for a parent.")


class NotificationPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[NotificationOut]


class UrgentLogOut(Schema):
    id: int
    created_at: dt.datetime
    sender: str | None
    what: str
    reason: str
    audience: str
    audiences: dict[str, int]
    recipients: int
    read: int


class UrgentLogPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[UrgentLogOut]


class UnreadCountOut(Schema):
    unread: int


# ---------------------------------------------------------------- messages


router: Router = Router(tags=["notifications"])


def _notification(item: NotificationItem) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "title": item.title, "text": item.text, "url": item.url,
            "visible_at": item.visible_at, "read_at": item.read_at, "unread": item.unread, "urgent": item.urgent,
            "about_student": item.about_student}


class NotificationFilter(Schema):
    unread: bool = Field(False, description="Only unread notifications.")
    page: int = Field(1, ge=1, description="Past the last page gives the last page.")


@router.get("/me/notifications", response=ok(NotificationPageOut, 400, 403), summary="My notifications")
def my_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> dict[str, Any]:
    """Notifications that reached me in this school, newest first, as many per page as the centre shows."""
    c = caller(request, EVERYONE)
    page = notifications.notifications_for(user=c.user, school=c.school, page=filters.page,
                                           unread_only=filters.unread)
    paginator = page.paginator
    return {"count": paginator.count, "page": page.number, "page_size": paginator.per_page,
            "pages": paginator.num_pages, "results": [_notification(i) for i in page.object_list]}


@router.get("/me/notifications/unread-count", response=ok(UnreadCountOut, 403), summary="How many are unread")
def my_unread_count(request: HttpRequest) -> dict[str, Any]:
    c = caller(request, EVERYONE)
    return {"unread": notifications.unread_count(user=c.user, school=c.school)}


@router.post("/me/notifications/{notification_id}/read", response=ok(NotificationOut, 403),
             summary="Mark a notification read")
def notification_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    """Marks one of my notifications read (again: no change); someone else's is not found."""
    c = caller(request, EVERYONE)
    notification_services.notification_mark_read(school=c.school, user=c.user, notification_id=notification_id)
    return _notification(notifications.notification_item(school=c.school, user=c.user,
                                                         notification_id=notification_id))


class UrgentLogFilter(Schema):
    since: Day | None = Field(None, description="From this day on (the school's local day).")
    until: Day | None = Field(None, description="Up to and including this day.")
    page: int = Field(1, ge=1, description="Past the last page gives the last page.")


@router.get("/notifications/urgent-log", response=ok(UrgentLogPageOut, 400, 403), summary="The urgent-message log")
def urgent_log(request: HttpRequest, filters: Query[UrgentLogFilter]) -> dict[str, Any]:
    """Every urgent message of the school, newest first: who, when, why, to whom and how many it reached
    (administrators), as the page shows it."""
    c = caller(request, SEE_URGENT_LOG)
    page = notifications.urgent_log(school=c.school, page=filters.page, since=filters.since, until=filters.until)
    paginator = page.paginator
    return {
        "count": paginator.count,
        "page": page.number,
        "page_size": paginator.per_page,
        "pages": paginator.num_pages,
        "results": [
            {
                "id": row.pk,
                "created_at": row.created_at,
                "sender": (row.actor.full_name or row.actor.username) if row.actor else None,
                "what": row.title,
                "reason": row.reason,
                "audience": row.audience_label,
                "audiences": dict(row.audiences),
                "recipients": row.recipients,
                "read": row.read,
            }
            for row in page.object_list
        ],
    }
