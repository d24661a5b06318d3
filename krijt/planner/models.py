"""The shared class planner: tasks and tests, their attachments, the workload policy and its override log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped, TimeStamped
from krijt.core.uploads import opaque_path


class Level(models.TextChoices):
    OFF = "off", _("Off")
    WARN = "warn", _("Warn")
    BLOCK = "block", _("Block")


class PlannerItem(SchoolScoped, TimeStamped):
    """A task or a test planned for a class and course, due on a date (optionally in a lesson period)."""

    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        TEST = "test", _("Test")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="planner_items")
    course = models.ForeignKey("schools.Course", on_delete=models.CASCADE, related_name="planner_items")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="planner_items"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_date = models.DateField()
    lesson_period = models.ForeignKey(
        "schools.LessonPeriod", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    # Bumped by every change students are told about: the notification key is planner:<id>:<version>.
    version = models.PositiveIntegerField(default=1)
    # Students and parents see the item from this moment on (a task entered at 21:00 waits for 07:00).
    visible_from = models.DateTimeField()

    class Meta:
        ordering = ["school", "due_date", "lesson_period__number", "pk"]
        indexes = [
            models.Index(fields=["school", "class_group", "due_date"], name="planner_class_due_idx"),
            models.Index(fields=["school", "school_year", "due_date"], name="planner_year_due_idx"),
            models.Index(fields=["school", "teacher", "due_date"], name="planner_teacher_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_test(self) -> bool:
        return self.kind == self.Kind.TEST

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED


def attachment_path(instance: PlannerAttachment, filename: str) -> str:
    # A random name: the teacher's file name is kept in `name`, never in the storage path.
    return opaque_path("planner", instance.school_id, filename)


class PlannerAttachment(SchoolScoped):
    item = models.ForeignKey(PlannerItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "item", "pk"]
        indexes = [models.Index(fields=["school", "item"], name="planner_attachment_item_idx")]

    def __str__(self) -> str:
        return self.name


class WorkloadPolicy(SchoolScoped):
    """A school's workload rules. A school without a row uses the defaults below."""

    max_tests_per_day = models.PositiveSmallIntegerField(_("tests per class per day"), default=2)
    tests_per_day_level = models.CharField(max_length=5, choices=Level.choices, default=Level.WARN)
    max_tests_per_week = models.PositiveSmallIntegerField(_("tests per class per week"), default=6)
    tests_per_week_level = models.CharField(max_length=5, choices=Level.choices, default=Level.WARN)
    min_notice_days = models.PositiveSmallIntegerField(_("minimum notice for a test (school days)"), default=5)
    notice_level = models.CharField(max_length=5, choices=Level.choices, default=Level.WARN)
    evening_cutoff = models.TimeField(_("after hours from"), default=dt.time(19, 0))
    morning_start = models.TimeField(_("school morning from"), default=dt.time(7, 0))
    after_hours_level = models.CharField(max_length=5, choices=Level.choices, default=Level.WARN)
    holiday_level = models.CharField(max_length=5, choices=Level.choices, default=Level.BLOCK)
    admins_override_block = models.BooleanField(_("administrators may override a block"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="workloadpolicy_one_per_school")]


class Override(SchoolScoped):
    """A save that went against a workload rule: who, why, and which rules with which other items."""

    class Action(models.TextChoices):
        PLAN = "plan", _("Planned")
        UPDATE = "update", _("Changed")

    item = models.ForeignKey(PlannerItem, on_delete=models.CASCADE, related_name="overrides")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    # [{"rule": ..., "level": ..., "params": {...}, "others": [item ids]}]
    findings = models.JSONField(default=list)
    reason = models.TextField()
    blocked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "-created_at"]
        indexes = [
            models.Index(fields=["school", "created_at"], name="planner_override_created_idx"),
            models.Index(fields=["school", "class_group"], name="planner_override_class_idx"),
        ]


class DoneMark(SchoolScoped):
    """A student's own "done" mark on an item: for their planner only, not a hand-in."""

    item = models.ForeignKey(PlannerItem, on_delete=models.CASCADE, related_name="done_marks")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "item", "student"], name="donemark_unique")]
        indexes = [models.Index(fields=["school", "student"], name="donemark_student_idx")]


class FeedToken(SchoolScoped):
    """A user's secret calendar address in one school. Only the hash is stored; regenerating revokes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="feedtoken_one_per_user")]
