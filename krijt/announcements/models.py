"""Announcements: one row per announcement and one row per audience rule ("class:12", "parents-grade:3").

Nothing is written per reader when an announcement is posted: a reader's list is the announcements whose
rules match their audience keys (krijt.announcements.audiences), read from a cached part. What is written
per person comes later and only when they act: reading it, answering its slip. Pushes go through the
notification engine, from a worker that fans out in resumable chunks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped
from krijt.core.uploads import opaque_path


class Announcement(SchoolScoped):
    class Reply(models.TextChoices):
        NONE = "none", _("No answer asked")
        READ = "read", _("\"I have read this\"")
        SLIP = "slip", _("A reply slip")

    class Fanout(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Telling people")
        DONE = "done", _("Told")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    body_html = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    # What the author typed (Markdown): what the change form shows again.
    body_source = models.TextField(blank=True)
    # The language it is written in, and the author's translations: {"fr": {"title": ..., "body_html": ...}}.
    language = models.CharField(max_length=8, default="nl")
    translations = models.JSONField(default=dict, blank=True)
    audience_label = models.CharField(max_length=300, blank=True)
    publish_at = models.DateTimeField()
    pinned_until = models.DateField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    urgent = models.BooleanField(default=False)
    urgent_reason = models.CharField(max_length=300, blank=True)
    reply = models.CharField(max_length=5, choices=Reply.choices, default=Reply.NONE)
    slip_question = models.CharField(max_length=300, blank=True)
    slip_options = models.JSONField(default=list, blank=True)
    answer_by = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Telling the audience through the engine: a worker writes its rows in chunks ordered by user id;
    # `cursor` is the last user id told, so a worker that runs again continues there. `generation` changes
    # when a scheduled announcement is changed: an older fan-out then stops and its rows are taken back.
    generation = models.PositiveIntegerField(default=1)
    fanout_state = models.CharField(max_length=10, choices=Fanout.choices, default=Fanout.QUEUED)
    fanout_cursor = models.BigIntegerField(default=0)
    fanout_done = models.PositiveIntegerField(default=0)
    fanout_heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["school", "-publish_at"], name="announcement_publish_idx"),
            models.Index(fields=["school", "author", "-publish_at"], name="announcement_author_idx"),
            models.Index(fields=["school", "fanout_state"], name="announcement_fanout_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def notification_key(self) -> str:
        return f"announcement:{self.pk}:{self.generation}"

    def answers_open_on(self, day: Any) -> bool:
        return answers_open(self.answer_by, day)

    def title_in(self, language: str) -> str:
        return str((self.translations.get(language) or {}).get("title") or self.title)

    def body_in(self, language: str) -> str:
        return str((self.translations.get(language) or {}).get("body_html") or self.body_html)


def answers_open(answer_by: Any, day: Any) -> bool:
    """Answers are taken up to and including the answer date (the school's day), always without one."""
    return answer_by is None or day <= answer_by


class AudienceRule(SchoolScoped):
    """Who an announcement is for, as a key a reader's own keys are matched against."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="rules")
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "announcement", "key"], name="audiencerule_unique")]
        indexes = [models.Index(fields=["school", "key"], name="audiencerule_key_idx")]


def file_path(instance: AnnouncementFile, filename: str) -> str:
    return opaque_path("announcements", instance.school_id, filename)


class AnnouncementFile(SchoolScoped):
    """A document with an announcement (the excursion's programme), checked by the shared upload checker."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=file_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)


class ReadMark(SchoolScoped):
    """A person opened an announcement: what puts unread ones first."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user", "announcement"], name="readmark_unique")]


class Answer(SchoolScoped):
    """An acknowledgement or a reply slip's answer: a student's own, a parent's for one child (both parents may
    answer; the latest counts for the child), a staff member's for themselves (student empty)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    by_parent = models.BooleanField(default=False)
    # "read" for an acknowledgement, else the chosen option of the slip.
    choice = models.CharField(max_length=120)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "announcement", "user", "student"], name="answer_unique"),
            models.UniqueConstraint(fields=["school", "announcement", "user"], condition=models.Q(student__isnull=True),
                                    name="answer_unique_own"),
        ]
        indexes = [models.Index(fields=["school", "announcement", "student"], name="answer_student_idx")]
