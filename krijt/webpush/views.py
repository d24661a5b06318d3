"""Web push endpoints: the public key, (un)subscribing this browser, the device list and the service worker."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from krijt.core.errors import KrijtError, PayloadTooLarge, ValidationFailed
from krijt.core.permissions import require_roles, school_view
from krijt.webpush import services
from krijt.webpush.permissions import PUSH_ROLES
from krijt.webpush.selectors import subscriptions_of
from krijt.webpush.vapid import keys

MAX_BODY_BYTES = 4096


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """These endpoints are called by the page's script: errors come back as the API's JSON shape."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            require_roles(request, PUSH_ROLES)
            return view(request, *args, **kwargs)
        except KrijtError as error:
            return JsonResponse(error.as_dict(), status=error.status)

    return wrapper


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(_("Expected a JSON object."))
    return data


@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    response = JsonResponse({"publicKey": keys().public_key})
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@_json_errors
def subscribe(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    raw_keys = data.get("keys")
    key_data = raw_keys if isinstance(raw_keys, dict) else {}
    subscription = services.subscription_save(
        user=request.user,  # type: ignore[arg-type]
        endpoint=str(data.get("endpoint") or ""),
        p256dh=str(key_data.get("p256dh") or ""),
        auth=str(key_data.get("auth") or ""),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return JsonResponse({"id": subscription.pk, "label": subscription.label}, status=201)


@require_POST
@_json_errors
def unsubscribe(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    endpoint = str(data.get("endpoint") or "")
    if not endpoint:
        raise ValidationFailed(fields={"endpoint": [_("Required.")]})
    services.subscription_delete(user=request.user, endpoint=endpoint)  # type: ignore[arg-type]
    return JsonResponse({"ok": True})


def _default_next() -> str:
    try:
        return reverse("notifications:preferences")
    except NoReverseMatch:
        return reverse("home")


def _devices_fragment(request: HttpRequest) -> HttpResponse:
    devices = list(subscriptions_of(user=request.user))  # type: ignore[arg-type]
    return render(request, "webpush/_devices.html", {"push_devices": devices, "push_next": _default_next()})


@never_cache
@school_view(roles=PUSH_ROLES)
@require_GET
def devices(request: HttpRequest) -> HttpResponse:
    return _devices_fragment(request)


@school_view(roles=PUSH_ROLES)
@require_POST
def device_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    services.subscription_delete(user=request.user, subscription_id=subscription_id)  # type: ignore[arg-type]
    if request.headers.get("HX-Request"):
        return _devices_fragment(request)
    from django.contrib import messages

    messages.success(request, _("The device no longer receives push notifications."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = _default_next()
    return redirect(target)


@functools.cache
def _worker_source() -> str:
    return render_to_string("webpush/sw.js")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    # Served under /push/ but controls the whole site, so that one registration serves every page.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
