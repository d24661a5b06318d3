"""Request plumbing shared by every domain: the one error shape, input and security headers.

Which school a request is for is the schools domain's (krijt.schools.middleware), what the person is
in it the accounts domain's (krijt.accounts.middleware); both use the prefix and error shape defined here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from krijt.core.errors import KrijtError, NotAuthenticated

logger = logging.getLogger(__name__)

PREFIX_RE = re.compile(r"^/s/(?P<slug>[a-z0-9-]{1,40})(?P<rest>/.*)?$")
# Served on the platform's own host only, never under a school's prefix or sub-domain: the platform
# administration and the metrics (a school's address must not reach what runs the whole platform).
PLATFORM_ONLY = ("/platform-admin/", "/metrics")


def is_api_request(request: HttpRequest) -> bool:
    """An API call, also when asked before the school prefix was taken off (an error in SchoolMiddleware)."""
    path = request.path_info
    match = PREFIX_RE.match(path)
    if match:
        path = match["rest"] or "/"
    return path.startswith("/api/")


_JSON_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def _holds_nul(request: HttpRequest) -> bool:
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return True
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        # Multipart bodies are left to their readers (Django's form fields refuse NUL themselves): parsing
        # them here would consume the stream that an upload view or a JSON endpoint reads.
        if content_type == "application/x-www-form-urlencoded":
            return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
        if content_type == "application/json":
            return b"\x00" in request.body or bool(_JSON_NUL.search(request.body))
    return False


# No page or API call needs a longer address; the web server lets up to 8190 bytes through (serve.py), so
# an address between the two gets this answer in the one error shape instead of the server's own page.
MAX_URL_CHARS = 4096


class InputMiddleware:
    """Refuses an over-long address, and a NUL character in any parameter, form field or JSON text.

    No text in Krijt holds one, PostgreSQL refuses to store or compare one, and a fuzzer sends them
    everywhere: a 400 in the one error shape here is better than a 500 in whichever query meets it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", "")) > MAX_URL_CHARS:
            from krijt.core.errors import UriTooLong

            return error_response(request, UriTooLong())
        if _holds_nul(request):
            from django.utils.translation import gettext as _

            from krijt.core.errors import ValidationFailed

            return error_response(request, ValidationFailed(_("The request holds a character that is not allowed.")))
        return self.get_response(request)


# Every page: scripts, styles and connections from Krijt's own origin only; no inline scripts, event
# handlers or inline styles (htmx runs without them: includeIndicatorStyles is off in base.html), no
# plug-ins, no framing, forms post only to Krijt. The platform administration (Django's own admin) keeps
# inline styles. A response that sets its own policy (a handed-in file: a sandbox) keeps it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PLATFORM_ADMIN_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """The Content-Security-Policy and Permissions-Policy on every response (HSTS: Django's SecurityMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path_info.startswith("/platform-admin/")
            response["Content-Security-Policy"] = PLATFORM_ADMIN_POLICY if admin else CONTENT_SECURITY_POLICY
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        return response


def error_response(request: HttpRequest, error: KrijtError) -> HttpResponse:
    if is_api_request(request):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status)
    elif isinstance(error, NotAuthenticated):
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    else:
        template = "errors/error_fragment.html" if request.headers.get("HX-Request") else "errors/error.html"
        response = render(
            request, template, {"error": error, "message": error.message, "title": error.status}, status=error.status
        )
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class ErrorMiddleware:
    """Maps the error hierarchy to one shape: a page in the user's language, or JSON for the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, KrijtError):
            return error_response(request, exception)
        if isinstance(exception, Http404) and is_api_request(request):
            from krijt.core.errors import NotFound

            return error_response(request, NotFound())
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies, the N-th address from the right of X-Forwarded-For."""
    proxies: int = getattr(settings, "KRIJT_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def attach(request: Any, **attrs: Any) -> None:
    for key, value in attrs.items():
        setattr(request, key, value)
