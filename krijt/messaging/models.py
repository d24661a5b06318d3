"""Messages: a thread of messages, each with its audience, its recipients and attachments.

Visibility is a stored moment per recipient (MessageRecipient.visible_at, decided by the notification
engine); every read filters on it, so a scheduled message or one held back by quiet hours appears at
the right moment without any job flipping a flag.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped
from krijt.core.uploads import opaque_path


class MessagingPolicy(SchoolScoped):
    """Who may write to whom in one school. Students and parents never write to the whole school."""

    students_to_teachers = models.BooleanField(_("Students may write to teachers and staff"), default=True)
    students_to_students = models.BooleanField(_("Students may write to other students"), default=False)
    parents_to_teachers = models.BooleanField(_("Parents may write to teachers and staff"), default=True)
    teachers_to_own_classes = models.BooleanField(
        _("Teachers may write to their classes and the parents of their classes"), default=True
    )
    teachers_to_all_classes = models.BooleanField(
        _("Teachers may write to every class and its parents"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="messagingpolicy_one_per_school")]


class Thread(SchoolScoped):
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)


class Message(SchoolScoped):
    class Fanout(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Delivering")
        DONE = "done", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body_html = models.TextField(blank=True)
    # Plain text of the body: what search looks in.
    body_text = models.TextField(blank=True)
    # [{"kind": "user"|"class"|"parents"|"course"|"teachers"|"school", "id": int|None}, ...]
    audience = models.JSONField(default=list)
    # A human summary of the audience at send time ("1A, Parents of 2A, Tess Teacher").
    audience_label = models.CharField(max_length=300, blank=True)
    send_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    urgent = models.BooleanField(default=False)
    urgent_reason = models.CharField(max_length=300, blank=True)
    # Fan-out progress: a task writes recipients in chunks ordered by user id; `cursor` is the last user
    # id written, so a task that runs again (after a crash) continues where the last one stopped.
    # `generation` changes when a scheduled message is edited: older fan-outs then stop.
    generation = models.PositiveIntegerField(default=1)
    fanout_state = models.CharField(max_length=10, choices=Fanout.choices, default=Fanout.QUEUED)
    fanout_total = models.PositiveIntegerField(default=0)
    fanout_done = models.PositiveIntegerField(default=0)
    fanout_cursor = models.BigIntegerField(default=0)
    fanout_heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["school", "sender", "-send_at"], name="message_sender_idx"),
            models.Index(fields=["school", "thread", "created_at"], name="message_thread_idx"),
            models.Index(fields=["school", "fanout_state"], name="message_fanout_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def notification_key(self) -> str:
        return f"message:{self.pk}:{self.generation}"


class MessageRecipient(SchoolScoped):
    """One person a message reaches. visible_at is the engine's decision for the in-app channel."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=10)  # student | parent | staff
    visible_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "message", "user"], name="messagerecipient_unique"),
        ]
        indexes = [
            models.Index(fields=["school", "user", "-visible_at"], name="recipient_inbox_idx"),
        ]


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the uploader's file name is kept in original_name, never in the storage path.
    return opaque_path("messages", instance.school_id, filename)


class Attachment(SchoolScoped):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["school", "message"], name="attachment_message_idx")]

    def __str__(self) -> str:
        return self.original_name
