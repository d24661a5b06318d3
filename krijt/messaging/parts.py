"""Messages as a cached part for the hot pages (krijt.core.parts): a person's unread messages.

Each row keeps the moment the message reaches its reader (quiet hours may hold it), so the page counts
it from then on without the part expiring. A fan-out chunk bumps the scope of every recipient it writes;
reading, archiving and taking back a scheduled message bump the readers concerned.
"""

from __future__ import annotations

from typing import Any

from krijt.core import parts
from krijt.messaging.models import MessageRecipient
from krijt.schools.models import School

SHOWN = 30


def inbox_scope(school_id: int, user_id: int) -> str:
    return parts.scope(school_id, "inbox", user_id)


def unread(school: School, user_id: int) -> parts.Part:
    """The person's unread, not archived messages, newest first (at most SHOWN, and whether there are
    more), including those that reach them later: [{"message_id", "subject", "sender", "visible_at"}]."""

    def build() -> dict[str, Any]:
        rows = list(
            MessageRecipient.objects.filter(school=school, user_id=user_id, read_at__isnull=True,
                                            archived_at__isnull=True, message__cancelled_at__isnull=True)
            .select_related("message", "message__sender")
            .order_by("-visible_at", "-pk")[: SHOWN + 1]
        )
        return {"more": len(rows) > SHOWN, "rows": [
            {"message_id": r.message_id, "subject": r.message.subject, "visible_at": r.visible_at,
             "sender": r.message.sender.full_name or r.message.sender.username, "urgent": r.message.urgent}
            for r in rows[:SHOWN]]}

    return parts.Part(parts.key(school.pk, "inbox", user_id), (inbox_scope(school.pk, user_id),), build)


# The inbox's first page: the newest rows already visible when built, every row still held back by
# quiet hours (they move onto the page as their moment comes), how many rows there are in all, and when
# each unread one arrives (the unread count). Later pages and searches are read from the database.
HELD_MAX = 200
UNREAD_MAX = 2000


def inbox_first_page(school: School, user_id: int, page_size: int) -> parts.Part:
    def build() -> dict[str, Any]:
        from django.db.models import Exists, OuterRef

        from krijt.core import clock
        from krijt.messaging.models import Attachment

        now = clock.now()
        mine = MessageRecipient.objects.filter(school=school, user_id=user_id, archived_at__isnull=True,
                                               message__cancelled_at__isnull=True)
        listed = mine.annotate(has_attachments=Exists(Attachment.objects.filter(message_id=OuterRef("message_id"))))
        listed = listed.select_related("message", "message__sender").order_by("-visible_at", "-pk")
        held = list(listed.filter(visible_at__gt=now)[: HELD_MAX + 1])
        shown = list(listed.filter(visible_at__lte=now)[:page_size])
        unread = list(mine.filter(read_at__isnull=True).values_list("visible_at", flat=True)[: UNREAD_MAX + 1])
        return {
            "rows": [_row(r) for r in held[:HELD_MAX] + shown],
            "complete": len(held) <= HELD_MAX and len(unread) <= UNREAD_MAX,
            "total": mine.count(),
            "unread_at": unread[:UNREAD_MAX],
        }

    return parts.Part(parts.key(school.pk, "inbox-first", user_id, page_size), (inbox_scope(school.pk, user_id),),
                      build)


def _row(row: MessageRecipient) -> dict[str, Any]:
    message, sender = row.message, row.message.sender
    return {"message_id": message.pk, "subject": message.subject, "body_text": message.body_text[:120],
            "urgent": message.urgent, "sender_name": sender.full_name or sender.username,
            "visible_at": row.visible_at, "read": row.read_at is not None,
            "has_attachments": bool(row.has_attachments)}  # type: ignore[attr-defined]
