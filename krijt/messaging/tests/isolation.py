"""School B's messages for the tenant-isolation walk (tests/test_tenant_isolation.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CANARY = "zqxbeta"


def b_message_objects(b: Any) -> dict[str, Callable[[], Any]]:
    """A message, its recipient row and an attachment in school B, created once, before the walk starts."""
    from krijt.core import clock
    from krijt.messaging.models import Attachment, Message, MessageRecipient, Thread

    message = Message.objects.filter(school=b.school, subject__startswith=CANARY).first()
    if message is None:
        subject = f"{CANARY} message"
        thread = Thread.objects.create(school=b.school, subject=subject)
        now = clock.now()
        message = Message.objects.create(
            school=b.school, thread=thread, sender=b.teacher, subject=subject, body_html=f"<p>{CANARY}</p>",
            body_text=CANARY, audience=[{"kind": "user", "id": b.students[0].pk}], audience_label=CANARY,
            send_at=now, fanout_state=Message.Fanout.DONE,
        )
        MessageRecipient.objects.create(school=b.school, message=message, user=b.students[0], audience="student",
                                        visible_at=now)
        Attachment.objects.create(school=b.school, message=message, file=f"messages/{b.school.pk}/{CANARY}.pdf",
                                  original_name=f"{CANARY}.pdf", content_type="application/pdf", size=10)
    attachment = Attachment.objects.get(school=b.school, message=message)
    return {
        "message_id": lambda: message.pk,
        "attachment_id": lambda: attachment.pk,
    }
