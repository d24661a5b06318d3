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
