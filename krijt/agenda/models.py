"""The school calendar's events: one row per event and one row per audience key, as for announcements.

An event is stated in the school's wall-clock time: its first days (inclusive), its hours when it is not an
all-day event, and an RFC 5545 recurrence rule (krijt.agenda.recurrence). `last_on` is the last day any
occurrence covers, so a month's events are one indexed range query however often they repeat.

A closure or a pedagogical study day also writes the school calendar's closure entries
(schools.CalendarEntry), which every humane rule reads: no lessons, no test due, quiet hours as on a day
off. `EventClosure` links them, so changing or cancelling the event moves or removes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped
from krijt.schools.models import CalendarEntry


class Event(SchoolScoped):
    class Category(models.TextChoices):
        PARENT_EVENING = "parent_evening", _("Parent evening")
        REPORT_DAY = "report_day", _("Report day")
        EXAM_PERIOD = "exam_period", _("Exam period")
        EXCURSION = "excursion", _("Excursion")
        CLOSURE = "closure", _("Closure day")
        STUDY_DAY = "study_day", _("Pedagogical study day")
        OTHER = "other", _("Other")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    starts_on = models.DateField()
    ends_on = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    # The RRULE value (RFC 5545 3.3.10) without DTSTART; UNTIL in the school's wall-clock time.
    rule = models.CharField(max_length=300, blank=True)
    skip_days_without_school = models.BooleanField(default=False)
    last_on = models.DateField()
    audience_label = models.CharField(max_length=300, blank=True)
    # The announcement that tells of it (an excursion's consent slip): a link on the event's page.
    announcement = models.ForeignKey("announcements.Announcement", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # RFC 5545 SEQUENCE: calendar apps take a changed event only when it grows.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["school", "last_on", "starts_on"], name="event_range_idx"),
            models.Index(fields=["school", "author", "-starts_on"], name="event_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=models.Q(last_on__gte=models.F("ends_on")), name="event_last_after_end"),
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True, end_time__isnull=True)
                | models.Q(start_time__isnull=False, end_time__isnull=False), name="event_times_together"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def all_day(self) -> bool:
        return self.start_time is None

    @property
    def closes_school(self) -> bool:
        return self.category in CLOSING


CLOSING = frozenset({Event.Category.CLOSURE, Event.Category.STUDY_DAY})


class EventRule(SchoolScoped):
    """Who an event is for: a key as in krijt.announcements.audiences."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rules")
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "event", "key"], name="eventrule_unique")]
        indexes = [models.Index(fields=["school", "key"], name="eventrule_key_idx")]


class EventClosure(SchoolScoped):
    """A closure entry of the school calendar written for an occurrence of a closure or study-day event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="closures")
    entry = models.OneToOneField(CalendarEntry, on_delete=models.CASCADE, related_name="+")
