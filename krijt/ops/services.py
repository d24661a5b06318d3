"""Writes: platform staff open incidents and post updates; the last update may resolve one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from krijt.core import clock
from krijt.core.errors import Conflict, Forbidden, ValidationFailed
from krijt.ops.models import Impact, Incident, IncidentStatus, IncidentUpdate
from krijt.ops.permissions import can_post_incidents
from krijt.ops.status import snapshot as status_snapshot


def _check(*, user: Any, message: str) -> str:
    if not can_post_incidents(user):
        raise Forbidden()
    text = message.strip()
    if not text:
        raise ValidationFailed(fields={"message": [_("Write what is happening.")]})
    return text


@transaction.atomic
def incident_open(*, title: str, impact: str, status: str, message: str, posted_by: Any) -> Incident:
    text = _check(user=posted_by, message=message)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the incident a short title.")]
    if impact not in Impact.values:
        errors["impact"] = [_("Choose an impact.")]
    if status not in IncidentStatus.values or status == IncidentStatus.RESOLVED:
        errors["status"] = [_("Choose a status.")]
    if errors:
        raise ValidationFailed(fields=errors)
    now = clock.now()
    incident = Incident.objects.create(
        title=title.strip(), impact=impact, status=status, started_at=now, created_by=posted_by
    )
    IncidentUpdate.objects.create(incident=incident, status=status, message=text, posted_at=now, posted_by=posted_by)
    transaction.on_commit(status_snapshot.clear)
    return incident


@transaction.atomic
def incident_update_post(*, incident: Incident, status: str, message: str, posted_by: Any) -> IncidentUpdate:
    text = _check(user=posted_by, message=message)
    if status not in IncidentStatus.values:
        raise ValidationFailed(fields={"status": [_("Choose a status.")]})
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.resolved_at is not None:
        raise Conflict(_("This incident is resolved; open a new one if the problem is back."))
    now = clock.now()
    update = IncidentUpdate.objects.create(
        incident=locked, status=status, message=text, posted_at=now, posted_by=posted_by
    )
    locked.status = status
    locked.resolved_at = now if status == IncidentStatus.RESOLVED else None
    locked.save(update_fields=["status", "resolved_at"])
    transaction.on_commit(status_snapshot.clear)
    return update
