"""Gradebook: evaluations, scores with per-audience visibility moments, their history and who viewed them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped, TimeStamped
from krijt.core.roles import Role


class ResultsPolicy(SchoolScoped):
    """When results reach students and parents. One row per school; without a row the defaults apply."""

    window_start = models.TimeField(default=dt.time(10, 0))
    window_end = models.TimeField(default=dt.time(16, 0))
    sensitive_start = models.TimeField(default=dt.time(10, 0))
    sensitive_end = models.TimeField(default=dt.time(15, 0))
    # Sensitive results are not released in the day's last lesson period: nobody is left to talk to.
    avoid_last_lesson = models.BooleanField(default=True)
    parent_delay_hours = models.PositiveSmallIntegerField(default=24, validators=[MaxValueValidator(14 * 24)])
    sensitive_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Percentage of the maximum below which a result is sensitive."),
    )
    publish_on_save = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="resultspolicy_one_per_school")]


class Evaluation(SchoolScoped, TimeStamped):
    class Category(models.TextChoices):
        TEST = "test", _("Test")
        TASK = "task", _("Task")
        EXAM = "exam", _("Exam")

    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("schools.Course", on_delete=models.CASCADE, related_name="evaluations")
    period = models.ForeignKey("schools.Period", on_delete=models.PROTECT, related_name="evaluations")
    name = models.CharField(max_length=120)
    date = models.DateField()
    maximum = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.TEST)
    planner_item = models.ForeignKey(
        "planner.PlannerItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Overrides the school's sensitive threshold (percentage) for this evaluation.
    sensitive_threshold = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["school", "date", "pk"]
        indexes = [models.Index(fields=["school", "course", "period", "date"], name="evaluation_course_idx")]

    def __str__(self) -> str:
        return self.name


class Score(SchoolScoped):
    class Code(models.TextChoices):
        NONE = "", _("None")
        ABSENT = "absent", _("Absent")
        EXEMPT = "exempt", _("Exempt")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    code = models.CharField(max_length=10, choices=Code.choices, default="", blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    marked_sensitive = models.BooleanField(default=False)
    # Stored when saved: below the threshold, or marked by the teacher.
    sensitive = models.BooleanField(default=False)
    talk_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    student_visible_at = models.DateTimeField(null=True, blank=True)
    # Computed as if parents may see; an adult student's choice is applied when reading, so it takes effect at once.
    parent_visible_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "evaluation", "student"], name="score_unique_per_student"),
        ]
        indexes = [
            models.Index(fields=["school", "student", "student_visible_at"], name="score_student_idx"),
            models.Index(fields=["school", "student", "parent_visible_at"], name="score_parent_idx"),
        ]


class ScoreChange(SchoolScoped):
    """A change to a published score: the old and new value, who and when."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    old_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    old_code = models.CharField(max_length=10, blank=True)
    old_comment = models.TextField(blank=True)
    new_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    new_code = models.CharField(max_length=10, blank=True)
    new_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["school", "-changed_at", "-pk"]
        indexes = [models.Index(fields=["school", "score"], name="scorechange_score_idx")]


class ResultView(SchoolScoped):
    """Someone other than the student looked at the student's results."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    viewed_at = models.DateTimeField()
    course = models.ForeignKey("schools.Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["school", "-viewed_at", "-pk"]
        indexes = [models.Index(fields=["school", "student", "viewed_at"], name="resultview_student_idx")]


class ResultsSharing(SchoolScoped):
    """An adult student's choice whether their parents see their results (default: they do)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parents_may_see = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "student"], name="resultssharing_unique")]
