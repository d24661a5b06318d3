"""The student follow-up record (leerlingvolgsysteem): notes with their context, who may read them, the
student's and the parents' side, every correction and every reading.

A `Note` is about one or more students (`NoteStudent`, concerned or witness). Its visibility is a ladder,
each step explicit: the author and the class mentor; the class council (the class's teachers); the care
team; the CLB (phase 2 and up, with the consent recorded in `ClbConsent`). A restricted field holds what
is medical or family-sensitive: only the author and the care team (and the CLB when shared) read it. The
student and the parents see a note only when its audience flags say so, the student first, inside their
school hours; the parents later, in their digest (`NoteStudent.student_visible_at`, `parent_visible_at`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped
from krijt.core.uploads import opaque_path


class CareSettings(SchoolScoped):
    """One school's rules for notes; without a row the defaults apply."""

    # Parents see a note this many school hours after the student could first read it.
    parent_delay_school_hours = models.PositiveSmallIntegerField(default=4)
    # After a student leaves, their record is kept this many days, then deleted unless contested.
    keep_after_leaving_days = models.PositiveSmallIntegerField(default=365)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="caresettings_one_per_school")]


class CareTeamMember(SchoolScoped):
    """Who is on the school's care team, and the CLB workers who follow its students."""

    class Function(models.TextChoices):
        COORDINATOR = "coordinator", _("Care coordinator")
        COUNSELLOR = "counsellor", _("Student counsellor")
        CLB = "clb", _("Pupil guidance centre (CLB)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    function = models.CharField(max_length=12, choices=Function.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "user", "function"], name="careteam_unique")]


class Kind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    INCIDENT = "incident", _("Incident")
    POSITIVE = "positive", _("Positive note")
    CARE_MEASURE = "care_measure", _("Care measure")
    AGREEMENT = "agreement", _("Agreement")
    MEETING = "meeting", _("Meeting report")


class Visibility(models.IntegerChoices):
    MENTOR = 1, _("The author and the class mentor")
    COUNCIL = 2, _("The class council (the class's teachers)")
    CARE_TEAM = 3, _("The care team")
    CLB = 4, _("The CLB (with consent)")


class Phase(models.IntegerChoices):
    BROAD = 0, _("Phase 0: broad basic care")
    INCREASED = 1, _("Phase 1: increased care")
    EXTENDED = 2, _("Phase 2: extended care, with the CLB")
    INDIVIDUAL = 3, _("Phase 3: an individual curriculum")


class Note(SchoolScoped):
    kind = models.CharField(max_length=14, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField()
    what_happened = models.TextField()
    situation = models.TextField(blank=True)
    done_so_far = models.TextField(blank=True)
    next_step = models.TextField(blank=True)
    # The invitation to talk: with whom, and optionally when (a moment in school hours).
    talk_with = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    talk_at = models.DateTimeField(null=True, blank=True)
    restricted = models.TextField(blank=True)  # medical or family-sensitive: the care team only
    visibility = models.PositiveSmallIntegerField(choices=Visibility.choices, default=Visibility.MENTOR)
    phase = models.PositiveSmallIntegerField(choices=Phase.choices, null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    to_student = models.BooleanField(default=False)
    to_parents = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    # A care measure that ended (closing is logged as a version with its reason); open while null.
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["school", "written_at"], name="note_written_idx")]


def attachment_path(instance: NoteAttachment, filename: str) -> str:
    return opaque_path("care", instance.school_id, filename)


class NoteAttachment(SchoolScoped):
    """A document with a note (a report, a photo), checked by the shared upload checker: for the staff who
    read the note, never for the family."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField()


class NoteStudent(SchoolScoped):
    class Role(models.TextChoices):
        CONCERNED = "concerned", _("Concerned")
        WITNESS = "witness", _("Witness")

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="students")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CONCERNED)
    class_group = models.ForeignKey("schools.ClassGroup", null=True, on_delete=models.SET_NULL, related_name="+")
    # When the student and their parents may read it; null: not for them.
    student_visible_at = models.DateTimeField(null=True, blank=True)
    parent_visible_at = models.DateTimeField(null=True, blank=True)
    student_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "note", "student"], name="notestudent_unique")]
        indexes = [models.Index(fields=["school", "student"], name="notestudent_student_idx")]


class NoteVersion(SchoolScoped):
    """A note as it was before a correction: the history is kept, with who corrected it and why."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    fields = models.JSONField()
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["school", "note", "version"]
        constraints = [models.UniqueConstraint(fields=["school", "note", "version"], name="noteversion_unique")]


class Reply(SchoolScoped):
    """The student's or a parent's side of a note about the student: once, editable until staff read it."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="replies")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    by_parent = models.BooleanField(default=False)
    text = models.TextField()
    written_at = models.DateTimeField()
    read_by_staff_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "note", "author"], name="reply_once")]


class NoteView(SchoolScoped):
    """Who read a note, when, as what: the student sees who read notes about them."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=12)
    viewed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["school", "note", "viewed_at"], name="noteview_note_idx")]


class ClbConsent(SchoolScoped):
    """The recorded consent (of the parents, or the student from 12) to share the record with the CLB."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    given_by = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)


class CareSharing(SchoolScoped):
    """An adult student's choice whether their parents see notes about them (default: they do)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parents_may_see = models.BooleanField(default=True)
    parents_see_views = models.BooleanField(default=False)  # who read the notes: only with consent

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "student"], name="caresharing_unique")]


class LeftRecord(SchoolScoped):
    """A student who left the school: their follow-up record is kept until `delete_on`, then deleted, unless
    the care team holds it because a decision about the student is contested."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    left_on = models.DateField()
    delete_on = models.DateField()
    held_reason = models.CharField(max_length=300, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "student"], name="leftrecord_unique")]
