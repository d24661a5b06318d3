"""Attendance: a register per lesson, the half-day register with its legal codes, and parents' reports.

A teacher's register writes one `Register` row per lesson taken and a `Mark` only for the exceptions
(absent, late, not expected): everyone else was present. The official register is per half day
(`rules.half_day_status` derives it from the marks); the legal code the secretariat assigns lives on a
`HalfDayCode`, every change of it in `CodeChange`. Parents report absences in advance or on the day
(`AbsenceReport`); a report covers every lesson in its span without writing a row per lesson.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from krijt.core.models import SchoolScoped, TimeStamped
from krijt.core.uploads import opaque_path


class AttendanceSettings(SchoolScoped):
    """One school's attendance rules. A school without a row uses the defaults (Flemish rules)."""

    # Lessons starting at or after this time belong to the afternoon half day.
    afternoon_from = models.TimeField(default=dt.time(12, 0))
    # Which lesson periods count for the half-day register (their numbers); empty: the first lesson the
    # student has in each half day.
    counting_periods = models.JSONField(default=list, blank=True)
    # Problematic (B) half days in a school year: from this many a task to contact the parents ...
    contact_parents_from = models.PositiveSmallIntegerField(default=1)
    # ... and from this many a care case for the care coordinator, shared with the CLB.
    care_case_from = models.PositiveSmallIntegerField(default=5)
    # Illness on the parents' own statement: at most this many calendar days a time, this many times a year.
    parent_statement_days = models.PositiveSmallIntegerField(default=3)
    parent_statement_times = models.PositiveSmallIntegerField(default=4)
    # An unexplained absence is to be reviewed within this many school days.
    review_school_days = models.PositiveSmallIntegerField(default=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="attendancesettings_one_per_school")]


class Register(SchoolScoped):
    """A register taken for one lesson: the course's lesson in one period of one day."""

    course = models.ForeignKey("schools.Course", on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    period = models.PositiveSmallIntegerField()  # the lesson period's number
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField()
    # The key the page made for its last save: the same key again changes nothing.
    client_key = models.CharField(max_length=64, blank=True)
    # A digest of the exceptions last saved: a retried save with the same marks writes nothing.
    marks_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "course", "day", "period"], name="register_one_per_lesson"),
        ]
        indexes = [models.Index(fields=["school", "class_group", "day"], name="register_class_day_idx")]

    def __str__(self) -> str:
        return f"{self.course_id} {self.day} {self.period}"


class Status(models.TextChoices):
    ABSENT = "absent", _("Absent")
    LATE = "late", _("Late")
    NOT_EXPECTED = "not_expected", _("Not expected")


class NotExpected(models.TextChoices):
    EXCURSION = "excursion", _("Excursion")
    INTERNSHIP = "internship", _("Internship")
    EXCLUSION = "exclusion", _("Excluded")
    ELSEWHERE = "elsewhere", _("Activity elsewhere")


class Mark(SchoolScoped):
    """An exception in a lesson's register: one student absent, late or not expected."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    period = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=14, choices=Status.choices)
    late_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=12, choices=NotExpected.choices, blank=True)
    # The parent's report that explained it when the register was taken, if any.
    report = models.ForeignKey("AbsenceReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "register", "student"], name="mark_one_per_student"),
        ]
        indexes = [models.Index(fields=["school", "student", "day"], name="mark_student_day_idx")]


class ReportReason(models.TextChoices):
    ILLNESS = "illness", _("Ill")
    MEDICAL = "medical", _("Doctor or hospital appointment")
    FAMILY = "family", _("Family reasons")
    OTHER = "other", _("Other reason")


class AbsenceReport(SchoolScoped, TimeStamped):
    """A parent's (or an adult student's) report: absent from one day until another, or until further notice."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    starts_on = models.DateField()
    # Null: until further notice (the parent ends it when the child is back).
    ends_on = models.DateField(null=True, blank=True)
    # Only part of a day: from this lesson period on (a doctor's appointment at 10:00); null: the whole day.
    from_period = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=10, choices=ReportReason.choices)
    note = models.CharField(max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["school", "student", "starts_on"], name="report_student_idx")]

    def covers(self, day: dt.date) -> bool:
        return self.withdrawn_at is None and self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Code(models.TextChoices):
    """The legal codes of the Flemish half-day register since 1 September 2019 (AGODI). Being late is not
    one of them: it is kept on the lesson's mark."""

    # Justified by law: a funeral, a wedding, a family council, a court summons, a religious holiday, the
    # school unreachable by force majeure, top sport or arts status, an exclusion, maternity leave, ...
    R = "R", pgettext_lazy("absence code", "R: justified by law")
    Z = "Z", pgettext_lazy("absence code", "Z: illness")
    # Rehabilitation during lesson time (special needs education).
    H = "H", pgettext_lazy("absence code", "H: rehabilitation during lessons")
    # Personal reasons with the director's approval (mourning, a sports or cultural event, time-out).
    P = "P", pgettext_lazy("absence code", "P: personal reasons, approved by the director")
    # Workplace learning that could not take place, through no fault of the student.
    M = "M", pgettext_lazy("absence code", "M: workplace learning missed through no fault")
    B = "B", pgettext_lazy("absence code", "B: problematic")


class Basis(models.TextChoices):
    """What an illness (Z) rests on."""

    PARENTS = "parents", _("The parents' statement")
    MEDICAL = "medical", _("A medical certificate")
    SCHOOL = "school", _("The school's certificate")


class Half(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


class LocalCode(SchoolScoped):
    """A school's own sub-code under a legal code (e.g. "Z-hosp" for a hospital stay)."""

    code = models.CharField(max_length=1, choices=Code.choices)
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "code", "name"], name="localcode_unique")]
        ordering = ["school", "code", "name"]


class ProofKind(models.TextChoices):
    MEDICAL = "medical", _("Medical certificate")
    PARENTS = "parents", _("Note from the parents")
    SCHOOL = "school", _("Certificate from the school")
    OTHER = "other", _("Other document")


def proof_path(instance: Proof, filename: str) -> str:
    return opaque_path("attendance", instance.school_id, filename)


class Proof(SchoolScoped):
    """A certificate or note that justifies a student's absence; kept until 31 August of the next school year."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ProofKind.choices)
    file = models.FileField(upload_to=proof_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    keep_until = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["school", "student"], name="proof_student_idx")]


class HalfDayCode(SchoolScoped):
    """The legal code of one student's absent half day, as the secretariat decided it."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    half = models.CharField(max_length=2, choices=Half.choices)
    code = models.CharField(max_length=1, choices=Code.choices)
    basis = models.CharField(max_length=8, choices=Basis.choices, blank=True)
    local_code = models.ForeignKey(LocalCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proof = models.ForeignKey(Proof, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    coded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    coded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "student", "day", "half"], name="halfdaycode_unique"),
        ]
        indexes = [models.Index(fields=["school", "code", "day"], name="halfdaycode_code_idx")]


class CodeChange(SchoolScoped):
    """Who changed a half day's code, when and why: the history the law asks for."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    half = models.CharField(max_length=2, choices=Half.choices)
    old_code = models.CharField(max_length=1, blank=True)
    new_code = models.CharField(max_length=1, blank=True)
    old_basis = models.CharField(max_length=8, blank=True)
    new_basis = models.CharField(max_length=8, blank=True)
    why = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["school", "student", "day", "half", "changed_at", "pk"]
        indexes = [models.Index(fields=["school", "student", "day"], name="codechange_student_idx")]


class AttendanceSharing(SchoolScoped):
    """An adult student's choice whether their parents see their attendance (default: they do)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parents_may_see = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "student"], name="attendancesharing_unique")]


class Review(SchoolScoped):
    """An absence nobody explained yet: one per student and day, for the class mentor and the secretariat
    to look into by `due_on`. It closes by itself when a report, a code or a corrected register explains
    it, or when a person writes down what they found. Nothing here codes anything."""

    class Outcome(models.TextChoices):
        REPORTED = "reported", _("The parents reported it")
        CODED = "coded", _("The secretariat coded it")
        PRESENT = "present", _("The register was corrected")
        EXPLAINED = "explained", _("Looked into")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due_on = models.DateField()
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "student", "day"], name="review_one_per_day")]
        indexes = [models.Index(fields=["school", "closed_at", "due_on"], name="review_open_idx")]


class FollowUp(SchoolScoped, TimeStamped):
    """What problematic absence sets in motion: from the first problematic half day a task to contact the
    parents (for the class mentor); from the fifth a care case for the care coordinator, with the skeleton
    of a guidance file to share with the pupil guidance centre (CLB)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact the parents")
        CARE = "care", _("Care case")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    problematic_halves = models.PositiveSmallIntegerField()  # how many there were when it opened
    # The guidance file: what was done, who was contacted, what was agreed; shared with the CLB when.
    done = models.TextField(blank=True)
    contacts = models.TextField(blank=True)
    agreements = models.TextField(blank=True)
    shared_with_clb_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "student", "school_year", "kind"], name="followup_one_per_kind"),
        ]
