"""Which school a request is for: resolved once, before any view, from the sub-domain or the /s/<slug>/ prefix.

With a prefix, the prefix becomes part of the script name, so every URL pattern is written once (as if the
school were the whole site) and reverse() adds the prefix by itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, set_script_prefix

from krijt.core.errors import NotFound
from krijt.core.middleware import PLATFORM_ONLY, PREFIX_RE, error_response
from krijt.schools.selectors import school_by_slug, school_cache_key


def _school_address(request: HttpRequest) -> tuple[str | None, re.Match[str] | None]:
    """The school's slug from the sub-domain, else from the /s/<slug>/ prefix (with the prefix's match)."""
    base = settings.KRIJT_BASE_DOMAIN
    if base:
        host = request.get_host().split(":")[0]
        if host.endswith("." + base):
            return host[: -len(base) - 1], None
    match = PREFIX_RE.match(request.path_info)
    return (match["slug"], match) if match else (None, None)


def read_ahead_keys(request: HttpRequest) -> list[str]:
    """The school's cache key, for krijt.core.readahead: every request for a school reads it first."""
    try:
        slug, _ = _school_address(request)
    except Exception:  # a host Django refuses: SchoolMiddleware answers it
        return []
    return [school_cache_key(slug)] if slug else []


class SchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slug, match = _school_address(request)
        previous_prefix = get_script_prefix()
        if match:
            script_name = request.META.get("SCRIPT_NAME", "").rstrip("/") + f"/s/{slug}"
            request.META["SCRIPT_NAME"] = script_name
            request.path_info = match["rest"] or "/"
            set_script_prefix(script_name + "/")
        request.school = None  # type: ignore[attr-defined]
        try:
            if slug is not None and request.path_info.startswith(PLATFORM_ONLY):
                return error_response(request, NotFound())
            if slug is not None:
                school = school_by_slug(slug)
                if school is None:
                    return error_response(request, NotFound())
                request.school = school  # type: ignore[attr-defined]
            return self.get_response(request)
        finally:
            set_script_prefix(previous_prefix)
