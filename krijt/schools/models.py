from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped, TimeStamped

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$", _("Use lower-case letters, digits and hyphens.")
)


class School(TimeStamped):
    """The tenant. Reached at /s/<slug>/ or <slug>.<base domain>."""

    slug = models.CharField(max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="Europe/Brussels")
    language = models.CharField(max_length=8, default="nl")
    # ISO weekdays (1 = Monday) on which lessons are given.
    school_weekdays = models.JSONField(default=list)
    # The school's identity in the shell, set by its administrators: a colour (checked for contrast,
    # krijt.schools.identity) and a logo (PNG, JPEG or WebP).
    accent_color = models.CharField(max_length=7, blank=True)
    logo = models.FileField(upload_to="schools/logos/", blank=True)
    logo_type = models.CharField(max_length=40, blank=True)
    # A notice the school's administrators show on every page of the school until a moment ("The Wi-Fi is
    # down: today's tests are on paper"). Announcements with audiences are another thing.
    notice = models.CharField(max_length=300, blank=True)
    notice_until = models.DateTimeField(null=True, blank=True)

    @property
    def logo_version(self) -> str:
        """Changes with every new logo (its stored name carries a random part); empty without a logo. Logo
        addresses carry it, so a browser may keep a logo for a year."""
        name = self.logo.name if self.logo else ""
        return name.rsplit("/", 1)[-1].rsplit(".", 1)[0][-12:] if name else ""

    def notice_now(self, now: Any) -> str:
        return self.notice if self.notice and self.notice_until is not None and now < self.notice_until else ""

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def weekdays(self) -> list[int]:
        return list(self.school_weekdays) or [1, 2, 3, 4, 5]


class SchoolYear(SchoolScoped):
    name = models.CharField(max_length=20)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["school", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schoolyear_unique_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="schoolyear_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Period(SchoolScoped):
    """A part of the school year, e.g. a trimester, used by report cards."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="period_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ClassGroup(SchoolScoped, TimeStamped):
    """A class (klas): a group of students in one school year, with a class mentor."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=40)
    grade = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)])
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentor_of"
    )

    class Meta:
        ordering = ["school", "grade", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="classgroup_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Enrollment(SchoolScoped):
    """A student in a class for one school year."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey(ClassGroup, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "student"], name="enrollment_one_class_per_year"),
        ]
        indexes = [models.Index(fields=["school", "class_group"], name="enrollment_class_idx")]


class Course(SchoolScoped, TimeStamped):
    """A subject taught by a teacher to a class in a school year."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="courses")
    class_group = models.ForeignKey(ClassGroup, on_delete=models.CASCADE, related_name="courses")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses_taught"
    )
    hours_per_week = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["school", "class_group__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "class_group", "name"], name="course_unique_per_class"),
        ]
        indexes = [models.Index(fields=["school", "teacher"], name="course_teacher_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.class_group.name})" if self.class_group_id else self.name


class LessonPeriod(SchoolScoped):
    """A numbered lesson period (lesuur) with its times on a school day."""

    number = models.PositiveSmallIntegerField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="lessonperiod_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="lessonperiod_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class TimetableSlot(SchoolScoped):
    """One lesson in the weekly timetable: a course on a weekday in a lesson period."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)])
    lesson_period = models.ForeignKey(LessonPeriod, on_delete=models.CASCADE, related_name="slots")
    room = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["school", "weekday", "lesson_period__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "course", "weekday", "lesson_period"], name="timetableslot_unique"
            ),
        ]
        indexes = [models.Index(fields=["school", "school_year", "weekday"], name="slot_year_weekday_idx")]


class CalendarEntry(SchoolScoped):
    """A holiday or closure day range; school days are the school weekdays inside a school year, minus these."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        CLOSURE = "closure", _("Closure day")

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="calendar_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="calendarentry_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["school", "starts_on", "ends_on"], name="calendar_range_idx")]

    def __str__(self) -> str:
        return self.name
