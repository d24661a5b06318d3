from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped


class Audience(models.TextChoices):
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Parent")
    STAFF = "staff", _("Staff")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Push")


class NotificationPolicy(SchoolScoped):
    """A school's communication rules: quiet hours per audience, digest time, push budget, urgent senders."""

    student_quiet_start = models.TimeField(default=dt.time(19, 0))
    student_quiet_end = models.TimeField(default=dt.time(7, 0))
    student_quiet_weekends = models.BooleanField(default=True)
    student_quiet_holidays = models.BooleanField(default=True)
    parent_quiet_start = models.TimeField(default=dt.time(19, 0))
    parent_quiet_end = models.TimeField(default=dt.time(7, 0))
    parent_quiet_weekends = models.BooleanField(default=True)
    parent_quiet_holidays = models.BooleanField(default=True)
    staff_quiet_start = models.TimeField(default=dt.time(20, 0))
    staff_quiet_end = models.TimeField(default=dt.time(7, 0))
    staff_quiet_weekends = models.BooleanField(default=True)
    staff_quiet_holidays = models.BooleanField(default=True)
    digest_time = models.TimeField(default=dt.time(18, 0))
    push_budget = models.PositiveSmallIntegerField(default=5)
    # Membership roles that may send an urgent message (always with a reason, always logged).
    urgent_roles = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], name="notificationpolicy_one_per_school")]


class NotificationPreference(models.Model):
    """A person's own choices; the language comes from the user. `digest` null means the audience default."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.BooleanField(null=True, blank=True)
    digest_time = models.TimeField(null=True, blank=True)
    email = models.BooleanField(default=True)
    push = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"


class Notification(SchoolScoped):
    """The in-app item. Reads filter on `visible_at <= now`: quiet hours hold it back without a job."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=500, blank=True)
    about_student = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    urgent = models.BooleanField(default=False)
    visible_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "key", "recipient"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["school", "recipient", "-visible_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["school", "recipient", "visible_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]


class Delivery(SchoolScoped):
    """One e-mail or push for one notification: written with the event, sent by the dispatcher.

    While a row is `sending`, `next_attempt_at` is the end of its lease: a worker that crashed leaves a row
    whose lease runs out, and the same claim query that finds due rows finds it again.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DIGESTED = "digested", _("Sent in a digest")
        SKIPPED = "skipped", _("Skipped")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # An e-mail that goes out in the recipient's daily digest instead of on its own.
    digest = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The dispatcher's claim runs across schools, so this one index does not start with the school.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="delivery_due_idx",
            ),
            models.Index(
                fields=["school", "-next_attempt_at"],
                condition=models.Q(state="failed"),
                name="delivery_failed_idx",
            ),
            models.Index(
                fields=["school", "recipient", "sent_at"],
                condition=models.Q(state="sent", channel="push"),
                name="delivery_push_sent_idx",
            ),
            models.Index(fields=["school", "notification"], name="delivery_notification_idx"),
        ]


class UrgentLog(SchoolScoped):
    """Every urgent send: who, why, which event, to how many people."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=200)
    reason = models.TextField()
    recipients = models.PositiveIntegerField(default=0)
    # What it was (rendered in the reader's language) and to whom: the sender's summary of the audience and
    # how many people of each audience (student, parent, staff) it reached.
    kind = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict)
    audience_label = models.CharField(max_length=300, blank=True)
    audiences = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["school", "key"], name="urgentlog_once_per_event")]
