"""Health, readiness, the public status page, incidents and /metrics. Thin: rules live elsewhere."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from krijt.core.errors import Forbidden, NotFound, ValidationFailed
from krijt.core.forms import show_error
from krijt.ops import health, metrics, selectors, services
from krijt.ops.forms import IncidentForm, IncidentUpdateForm
from krijt.ops.models import IncidentStatus
from krijt.ops.permissions import can_post_incidents, platform_staff_view
from krijt.ops.status import snapshot


@csrf_exempt
@never_cache
@require_GET
def health_view(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers. No I/O, so a slow database never restarts healthy web nodes."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
@require_GET
def ready_view(request: HttpRequest) -> HttpResponse:
    """Readiness: the database and the cache answer within a short deadline; 503 takes the node out."""
    checks = [health.check_database(), health.check_cache()]
    ready = all(c.state == health.OK for c in checks)
    body = {"status": "ready" if ready else "not_ready", "checks": {c.name: c.as_dict() for c in checks}}
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    current = snapshot.get()
    response = render(
        request,
        "ops/status.html",
        {"snapshot": current, "can_post": can_post_incidents(request.user)},
    )
    # The page carries the visitor's menu and CSRF token, so only the browser may keep it.
    response["Cache-Control"] = "private, max-age=5"
    return response


@csrf_exempt
@require_GET
def status_json(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(snapshot.get().as_dict())
    response["Cache-Control"] = "public, max-age=5"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text, only with the bearer token (KRIJT_METRICS_TOKEN); without a token, metrics are off."""
    token = getattr(settings, "KRIJT_METRICS_TOKEN", "")
    if not token:
        raise NotFound()
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Forbidden()
    return HttpResponse(metrics.REGISTRY.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    page = selectors.incident_history(page=request.GET.get("page"))
    return render(request, "ops/incident_list.html", {"page": page, "can_post": can_post_incidents(request.user)})


@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_by_id(incident_id=incident_id)
    form = IncidentUpdateForm(initial={"status": incident.status}) if can_post_incidents(request.user) else None
    return render(request, "ops/incident_detail.html", {"incident": incident, "form": form})


@platform_staff_view
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_open(posted_by=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The incident is on the status page."))
            return redirect("ops:incident_detail", incident_id=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "ops/incident_form.html", {"form": form}, status=status)


@platform_staff_view
@require_http_methods(["POST"])
def incident_update(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_by_id(incident_id=incident_id)
    form = IncidentUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.incident_update_post(posted_by=request.user, incident=incident, **form.cleaned_data)
        except ValidationFailed as exc:
            show_error(form, exc)
        else:
            if form.cleaned_data["status"] == IncidentStatus.RESOLVED:
                messages.success(request, _("The incident is resolved."))
            else:
                messages.success(request, _("The update is on the status page."))
            return redirect("ops:incident_detail", incident_id=incident.pk)
    return render(request, "ops/incident_detail.html", {"incident": incident, "form": form}, status=400)
