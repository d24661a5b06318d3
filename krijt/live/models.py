"""Live lessons: a video lesson attached to a course's weekly timetable slot or to one planner item.

A school configures its video servers (`VideoServer`: BigBlueButton servers, a pool of them, or a Jitsi server)
and what happens when they fail (`LiveSettings`). A teacher attaches a `LiveLesson` to a course: every week in
one timetable slot, or once, on the day and hour of a task or test in the planner. Each time the lesson takes
place is an occurrence (the lesson and its day); a BigBlueButton occurrence gets a `Meeting` on one server,
created a few minutes ahead. Every person who goes through Krijt's join button leaves one `Join` row: the
teacher's register can be suggested from it, never filled by it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped, TimeStamped


class Provider(models.TextChoices):
    BBB = "bbb", _("BigBlueButton")
    JITSI = "jitsi", _("Jitsi")
    LINK = "link", _("A link (Teams, Meet, …)")


class Fallback(models.TextChoices):
    PLANNER = "planner", _("The lesson continues with the tasks in the planner")
    LINK = "link", _("A link to another video service")
    SERVER = "server", _("A fallback video server")


class LiveSettings(SchoolScoped):
    """One school's choices. A school without a row: recordings off, fallback to the planner."""

    recordings_allowed = models.BooleanField(default=False)
    fallback = models.CharField(max_length=10, choices=Fallback.choices, default=Fallback.PLANNER)
    fallback_link = models.URLField(max_length=500, blank=True)
    # Shown with the fallback (e.g. "Your teacher posts the tasks in the planner by 08:30.").
    fallback_note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="livesettings_one_per_school")]


class VideoServer(SchoolScoped):
    """A school's BigBlueButton or Jitsi server. Several active primary BigBlueButton servers are a pool:
    each occurrence goes to one of them, and to another when that one does not answer."""

    class Use(models.TextChoices):
        PRIMARY = "primary", _("In use")
        FALLBACK = "fallback", _("Only when the others fail")

    kind = models.CharField(max_length=6, choices=[(Provider.BBB, Provider.BBB.label),
                                                   (Provider.JITSI, Provider.JITSI.label)])
    name = models.CharField(max_length=80)
    # BigBlueButton: the API's base (https://bbb.example.org/bigbluebutton/); Jitsi: the site (https://meet.example.org/).
    url = models.URLField(max_length=300)
    # BigBlueButton's shared secret, or the Jitsi application secret (HS256). Never shown again once saved.
    secret = models.CharField(max_length=200, blank=True)
    # Jitsi: the application id tokens are issued by (their "iss"); BigBlueButton: unused.
    app_id = models.CharField(max_length=100, blank=True)
    use = models.CharField(max_length=8, choices=Use.choices, default=Use.PRIMARY)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "kind", "use", "pk"]

    def __str__(self) -> str:
        return self.name


class LiveLesson(SchoolScoped, TimeStamped):
    """A course's live lesson: every week on `weekday` in lesson `period` between `starts_on` and `ends_on`, or
    once with a planner `item` (on its due date, in `period`)."""

    course = models.ForeignKey("schools.Course", on_delete=models.CASCADE, related_name="+")
    class_group = models.ForeignKey("schools.ClassGroup", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=6, choices=Provider.choices)
    link = models.URLField(max_length=500, blank=True)  # a plain link's address; never shown, only redirected to
    title = models.CharField(max_length=120, blank=True)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 = Monday; with a timetable slot
    period = models.PositiveSmallIntegerField()  # the lesson period's number
    starts_on = models.DateField()
    ends_on = models.DateField()
    item = models.ForeignKey("planner.PlannerItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recording = models.BooleanField(default=False)
    # Names the occurrences' meetings and rooms: random, so a room cannot be guessed from a course or a date.
    room = models.CharField(max_length=40, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["school", "class_group", "weekday"], name="live_class_weekday_idx"),
            models.Index(fields=["school", "course"], name="live_course_idx"),
        ]

    def __str__(self) -> str:
        return self.title or str(self.course_id)


class Meeting(SchoolScoped):
    """One occurrence of a video lesson: its meeting on a server and whether the teacher is in it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Not created yet")
        CREATED = "created", _("Created")
        FALLBACK = "fallback", _("The video service failed: the school's fallback")

    lesson = models.ForeignKey(LiveLesson, on_delete=models.CASCADE, related_name="meetings")
    day = models.DateField()
    meeting_id = models.CharField(max_length=80)
    server = models.ForeignKey(VideoServer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attendee_pw = models.CharField(max_length=40)
    moderator_pw = models.CharField(max_length=40)
    # When the worker creates it: a moment a few minutes before the lesson, spread over those minutes.
    create_after = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    teacher_joined_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "lesson", "day"], name="meeting_one_per_day")]
        indexes = [models.Index(fields=["day", "state"], name="meeting_day_state_idx")]


class Join(SchoolScoped):
    """Someone went through Krijt's join button for one occurrence (first time, and how often)."""

    lesson = models.ForeignKey(LiveLesson, on_delete=models.CASCADE, related_name="joins")
    day = models.DateField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    moderator = models.BooleanField(default=False)
    first_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "lesson", "day", "person"], name="join_once")]
