"""Hand-in of tasks: a student's work for a planner task, its files, and the teacher's feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from krijt.core.models import SchoolScoped, TimeStamped
from krijt.core.uploads import opaque_path


class Submission(SchoolScoped, TimeStamped):
    """One student's hand-in for one task. Handing in again before the deadline makes a new version."""

    item = models.ForeignKey("planner.PlannerItem", on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    # Plain text as typed (control characters removed); always escaped when shown.
    text = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    # Stored at hand-in time against the task's deadline in the school's time zone.
    late = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    feedback = models.TextField(blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The student sees the feedback from returned_at on; seen_at is when they first opened it.
    returned_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["school", "item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "item", "student"], name="submission_one_per_student"),
        ]
        indexes = [models.Index(fields=["school", "student"], name="submission_student_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.student_id} v{self.version}"

    @property
    def feedback_returned(self) -> bool:
        return self.returned_at is not None


def submission_file_path(instance: SubmissionFile, filename: str) -> str:
    # A random name (krijt.core.uploads): the student's file name is kept in `name`, never in storage.
    return opaque_path("handin", instance.school_id, filename)


class SubmissionFile(SchoolScoped):
    """A file handed in with one version of a submission. Earlier versions' files are kept."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=submission_file_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "submission", "version", "pk"]
        indexes = [models.Index(fields=["school", "submission", "version"], name="submissionfile_version_idx")]

    def __str__(self) -> str:
        return self.name
