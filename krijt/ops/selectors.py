"""Reads for the status page: open incidents and their history, each with its updates in one query."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from krijt.core.errors import NotFound
from krijt.ops.models import Incident, IncidentUpdate

HISTORY_PAGE_SIZE = 20


def _with_updates(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    return incidents.prefetch_related(
        Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-posted_at", "-pk"))
    )


def open_incidents() -> list[Incident]:
    return list(_with_updates(Incident.objects.filter(resolved_at__isnull=True).order_by("-started_at", "-pk")))


def recent_resolved_incidents(*, limit: int = 5) -> list[Incident]:
    return list(
        _with_updates(Incident.objects.filter(resolved_at__isnull=False).order_by("-started_at", "-pk")[:limit])
    )


def incident_history(*, page: int | str | None = 1) -> Page:
    paginator = Paginator(_with_updates(Incident.objects.order_by("-started_at", "-pk")), HISTORY_PAGE_SIZE)
    return paginator.get_page(page)


def incident_by_id(*, incident_id: int) -> Incident:
    incident = _with_updates(Incident.objects.filter(pk=incident_id)).first()
    if incident is None:
        raise NotFound()
    return incident
