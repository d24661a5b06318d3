from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped, TimeStamped


def upload_path(instance: ImportJob, filename: str) -> str:
    # A random name: the admin's file name may hold personal data and is kept in original_name instead.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{instance.school_id}/{uuid.uuid4().hex}.{ext}"


class ImportJob(SchoolScoped, TimeStamped):
    """One uploaded file: validated into a preview by a task, then applied whole or not at all by another."""

    class Kind(models.TextChoices):
        STUDENTS = "students", _("Students")
        PARENTS = "parents", _("Parents")
        TEACHERS = "teachers", _("Teachers")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting")
        VALIDATING = "validating", _("Checking")
        PREVIEW = "preview", _("Preview")
        APPLYING = "applying", _("Applying")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.UPLOADED, Status.VALIDATING, Status.APPLYING)

    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=upload_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The uploader's language: tasks write their messages in it.
    language = models.CharField(max_length=8, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # [{"row": 5, "column": "klas", "message": "..."}], row numbers as in the spreadsheet (header = row 1).
    errors = models.JSONField(default=list, blank=True)
    # {"create": n, "update": n, "unchanged": n, "links": n, "sample": [...], "errors_total": n}
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["school", "-created_at"]
        indexes = [models.Index(fields=["school", "-created_at"], name="importjob_school_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.PREVIEW and not self.errors

    @property
    def errors_total(self) -> int:
        total: Any = self.summary.get("errors_total") if isinstance(self.summary, dict) else None
        return int(total) if total is not None else len(self.errors)
