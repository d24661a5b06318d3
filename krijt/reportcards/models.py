"""Report cards: one per student per period, built from the gradebook; comments, decision and release moments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped, TimeStamped


class ReportCard(SchoolScoped, TimeStamped):
    class Decision(models.TextChoices):
        NONE = "", _("No decision")
        A = "A", _("Certificate A: passed")
        B = "B", _("Certificate B: passed with restrictions")
        C = "C", _("Certificate C: not passed")

    period = models.ForeignKey("schools.Period", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    mentor_comment = models.TextField(blank=True, max_length=4000)
    mentor_comment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=1, choices=Decision.choices, blank=True, default="")
    # For a B certificate: the courses or fields of study the student may not continue in.
    excluded = models.CharField(max_length=300, blank=True)
    decision_note = models.TextField(blank=True, max_length=4000)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Visibility per audience; reads filter on these, nothing flips a flag at the right second.
    # A B or C certificate keeps student_visible_at empty until the conversation is held or scheduled.
    student_visible_at = models.DateTimeField(null=True, blank=True)
    parent_visible_at = models.DateTimeField(null=True, blank=True)
    # Set at release: the card carries a fail (a course below the school's threshold, a sensitive result)
    # or a B/C certificate. Such a card reaches the student inside their school hours, with `talk_to`
    # named as the person to talk to.
    sensitive = models.BooleanField(default=False)
    talk_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation_at = models.DateTimeField(null=True, blank=True)
    conversation_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation_held_at = models.DateTimeField(null=True, blank=True)
    conversation_held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["school", "period", "student"]
        constraints = [
            models.UniqueConstraint(fields=["school", "period", "student"], name="reportcard_unique_per_period"),
        ]
        indexes = [
            models.Index(fields=["school", "period", "class_group"], name="reportcard_class_idx"),
            models.Index(fields=["school", "student", "student_visible_at"], name="reportcard_student_idx"),
        ]

    @property
    def needs_conversation(self) -> bool:
        return self.decision in (self.Decision.B, self.Decision.C)


class CourseComment(SchoolScoped):
    """The course teacher's comment on one student's report card."""

    card = models.ForeignKey(ReportCard, on_delete=models.CASCADE, related_name="comments")
    course = models.ForeignKey("schools.Course", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "card", "course"], name="coursecomment_unique"),
        ]


class CardLine(SchoolScoped):
    """A course's line as released: later gradebook edits do not change a report card already out."""

    card = models.ForeignKey(ReportCard, on_delete=models.CASCADE, related_name="lines")
    course = models.ForeignKey("schools.Course", null=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    course_name = models.CharField(max_length=100)
    teacher_name = models.CharField(max_length=200, blank=True)
    # [{"name", "score" (text: a number, "absent" or "exempt"), "maximum", "weight"}, ...]
    scores = models.JSONField(default=list)
    percentage = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["school", "card", "position"]
        indexes = [models.Index(fields=["school", "card"], name="cardline_card_idx")]
