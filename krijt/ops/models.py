"""Platform incidents for the public status page.

Deliberately not school-scoped: an incident concerns the whole install, is posted by platform staff
(is_staff) and is public. Nothing here holds school data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Impact(models.TextChoices):
    MINOR = "minor", _("Slower than usual")
    MAJOR = "major", _("Partly unavailable")
    CRITICAL = "critical", _("Unavailable")
    MAINTENANCE = "maintenance", _("Maintenance")


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Cause found")
    MONITORING = "monitoring", _("Fixed, watching")
    RESOLVED = "resolved", _("Resolved")


class Incident(models.Model):
    title = models.CharField(_("title"), max_length=200)
    impact = models.CharField(_("impact"), max_length=20, choices=Impact.choices)
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus.choices)
    started_at = models.DateTimeField(_("started at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="ops_incident_history_idx"),
            models.Index(
                fields=["-started_at"], condition=models.Q(resolved_at__isnull=True), name="ops_incident_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus.choices)
    message = models.TextField(_("message"), max_length=4000)
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["incident", "-posted_at"], name="ops_update_incident_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.status}"
