"""Admission control: each web process admits a bounded number of requests at a time.

Past the bound a request is answered 503 with Retry-After at once; it is never queued, because a queue
in front of a saturated process only turns overload into timeouts for everyone.

Priority classes, highest first:

- critical: the few small writes a school cannot postpone, marked with @critical (a lesson's register);
  signed in only. They may take every slot, and page views leave them a tenth of the room.
- read: signed-in page views and API reads (a session cookie or an Authorization header, safe method)
- write: signed-in requests that change something
- login: password sign-ins (POST to accounts:login) and every request without credentials
- heavy: views marked with @heavy (imports, PDFs, exports), and the routes in KRIJT_HEAVY_ROUTES

A class may take a slot only while fewer than `share x limit` slots are taken in total, so a lower
class can never fill the room a higher class needs: with the default shares, logins stop at half the
slots and heavy work at a fifth, and page views always find the rest.

One school cannot starve the others: while another school is also asking (it holds a slot, or was
refused in the last second), no school may hold more than KRIJT_ADMISSION_SCHOOL_SHARE of the slots.

Classification reads only the method, the path, the host and the presence of credentials: no
session load, no query. Health, metrics, the status page and static files bypass admission.
"""

from __future__ import annotations

import functools
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from krijt.accounts.hashing_pool import HashingBusy
from krijt.core.errors import RetryLater
from krijt.core.middleware import PREFIX_RE
from krijt.ops import degraded, metrics, waiting_room

CRITICAL = "critical"
READ = "read"
WRITE = "write"
LOGIN = "login"
HEAVY = "heavy"
PRIORITIES = (CRITICAL, READ, WRITE, LOGIN, HEAVY)

DEFAULT_SHARES = {CRITICAL: 1.0, READ: 0.9, WRITE: 0.8, LOGIN: 0.5, HEAVY: 0.2}
DEFAULT_SCHOOL_SHARE = 0.5
# Seconds a refused client should wait, by class: (lowest, highest); the answer is drawn between them
# so that refused clients do not all come back in the same second.
DEFAULT_RETRY_AFTER = {CRITICAL: (1, 3), READ: (1, 3), WRITE: (2, 5), LOGIN: (5, 15), HEAVY: (15, 45)}
# Routes that are heavy but live in apps that do not mark their views: (namespaced name, methods).
DEFAULT_HEAVY_ROUTES: dict[str, tuple[str, ...]] = {
    "imports:job_list": ("POST",),
    "imports:job_apply": ("POST",),
    "schooladmin:class_letters_pdf": ("GET", "HEAD", "POST"),
    "api:api-v1:exercise_import": ("POST",),
    "api:api-v1:exercise_export": ("GET", "HEAD"),
}
# Critical routes whose views cannot carry the mark (the API's operations): (namespaced name, methods).
DEFAULT_CRITICAL_ROUTES: dict[str, tuple[str, ...]] = {
    "api:api-v1:lesson_register": ("PUT",),  # the GET and PUT of a lesson's register share one route
    "api:api-v1:exercise_attempt": ("POST",),  # a pupil's finished sitting
}
# How long a refused school counts as "asking" for the per-school cap.
CONTENTION_SECONDS = 1.0
BYPASS_PATHS = frozenset({"/health/", "/ready/", "/metrics"})
STATUS_PATHS = frozenset({"/status/", "/status.json"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])


def _marker(attribute: str, view: F | None, methods: Iterable[str] | None) -> Any:
    """Sets `attribute` on a view (all methods, or only `methods`), as @name or @name(methods=[...])."""
    wanted = frozenset(m.upper() for m in methods) if methods else None

    def mark(func: F) -> F:
        setattr(func, attribute, wanted or True)
        return func

    return mark(view) if view is not None else mark


def heavy(view: F | None = None, *, methods: Iterable[str] | None = None) -> Any:
    """Marks a view as heavy work (imports, PDFs, exports): admitted last, and only to a small share.

    Use as @heavy, or @heavy(methods=["POST"]) when only some methods are heavy (an upload form whose
    GET is a light page). Put it next to the view function; functools.wraps carries the mark through
    other decorators.
    """
    return _marker("krijt_heavy", view, methods)


def critical(view: F | None = None, *, methods: Iterable[str] | None = None) -> Any:
    """Marks a view as a write the school cannot postpone (taking a lesson's register): admitted first, even
    while page views are refused. Keep such views small and idempotent. Use as @critical or
    @critical(methods=["POST"])."""
    return _marker("krijt_critical", view, methods)


class Overloaded(RetryLater):
    status = 503
    code = "overloaded"
    default_message = _("Krijt is very busy right now. Please try again in a few seconds.")


@dataclass(frozen=True)
class Classified:
    priority: str
    route_class: str  # metrics label: page, api, login, heavy, static, health
    school: str  # the school's slug, or "" for requests outside a school
    bypass: bool = False
    api: bool = False


class Gate:
    """The slots of one process. Thread-safe; every decision is O(1) under one lock."""

    def __init__(
        self,
        limit: int,
        shares: dict[str, float] | None = None,
        school_share: float = DEFAULT_SCHOOL_SHARE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = max(1, int(limit))
        shares = {**DEFAULT_SHARES, **(shares or {})}
        self.ceilings = {p: max(1, min(self.limit, math.floor(shares[p] * self.limit))) for p in PRIORITIES}
        self.school_cap = max(1, math.ceil(school_share * self.limit))
        self._clock = clock
        self._lock = threading.Lock()
        self.in_use = 0
        self.by_school: Counter[str] = Counter()
        self.by_priority: Counter[str] = Counter()
        self._refused: dict[str, float] = {}

    def try_enter(self, priority: str, school: str) -> str | None:
        """Takes a slot and returns None, or returns why not: "capacity" or "school"."""
        with self._lock:
            now = self._clock()
            if self.in_use >= self.ceilings[priority]:
                self._note_refused(school, now)
                return "capacity"
            if self.by_school[school] >= self.school_cap and self._others_asking(school, now):
                return "school"
            self.in_use += 1
            self.by_school[school] += 1
            self.by_priority[priority] += 1
            return None

    def leave(self, priority: str, school: str) -> None:
        with self._lock:
            self.in_use -= 1
            self.by_priority[priority] -= 1
            self.by_school[school] -= 1
            if self.by_school[school] <= 0:
                del self.by_school[school]

    def _note_refused(self, school: str, now: float) -> None:
        self._refused[school] = now
        if len(self._refused) > 256:  # random slugs must not grow this without bound
            horizon = now - CONTENTION_SECONDS
            self._refused = {k: v for k, v in self._refused.items() if v >= horizon}

    def _others_asking(self, school: str, now: float) -> bool:
        if any(other != school for other in self.by_school):
            return True
        horizon = now - CONTENTION_SECONDS
        return any(other != school and at >= horizon for other, at in self._refused.items())


def default_limit() -> int:
    """One slot per worker thread: `manage.py serve` passes the count to its workers."""
    import os

    return int(os.environ.get("KRIJT_WEB_THREADS", "8"))


_gate: Gate | None = None
_gate_lock = threading.Lock()


def gate() -> Gate:
    global _gate  # noqa: PLW0603
    if _gate is None:
        with _gate_lock:
            if _gate is None:
                _gate = Gate(
                    getattr(settings, "KRIJT_ADMISSION_LIMIT", None) or default_limit(),
                    getattr(settings, "KRIJT_ADMISSION_SHARES", None),
                    getattr(settings, "KRIJT_ADMISSION_SCHOOL_SHARE", DEFAULT_SCHOOL_SHARE),
                )
    return _gate


def reset_gate() -> None:
    global _gate  # noqa: PLW0603
    with _gate_lock:
        _gate = None


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("KRIJT_ADMISSION") or setting in (
            "KRIJT_HEAVY_ROUTES", "KRIJT_CRITICAL_ROUTES", "ROOT_URLCONF"):
        reset_gate()
        _route.cache_clear()


@functools.lru_cache(maxsize=4096)
def _route(urlconf: str, path: str) -> tuple[str, frozenset[str] | bool, frozenset[str] | bool]:
    """(namespaced view name, heavy mark, critical mark) for a path; cached, since paths repeat far more
    than they vary."""
    try:
        match = get_resolver(urlconf).resolve(path)
    except Resolver404:
        return "", False, False
    mark: frozenset[str] | bool = getattr(match.func, "krijt_heavy", False)
    view_class = getattr(match.func, "view_class", None)
    if not mark and view_class is not None:
        mark = getattr(view_class, "krijt_heavy", False)
    urgent: frozenset[str] | bool = getattr(match.func, "krijt_critical", False)
    return match.view_name or "", mark, urgent


def classify(request: HttpRequest) -> Classified:
    path = request.path_info
    school = ""
    base = settings.KRIJT_BASE_DOMAIN
    if base:
        host = request.META.get("HTTP_HOST", "").split(":")[0].lower()
        if host.endswith("." + base):
            school = host[: -len(base) - 1]
    match = PREFIX_RE.match(path)
    if match:
        school = match["slug"]
        path = match["rest"] or "/"
    method = (request.method or "GET").upper()
    if path.startswith(settings.STATIC_URL):
        return Classified(READ, "static", school, bypass=True)
    if path in BYPASS_PATHS or (path in STATUS_PATHS and method in SAFE_METHODS):
        return Classified(READ, "health", school, bypass=True)
    api = path.startswith("/api/")
    name, mark, urgent = _route(settings.ROOT_URLCONF, path)
    heavy_routes: dict[str, Iterable[str]] = getattr(settings, "KRIJT_HEAVY_ROUTES", DEFAULT_HEAVY_ROUTES)
    if (mark is True or (mark and method in mark)) or method in heavy_routes.get(name, ()):
        return Classified(HEAVY, "heavy", school, api=api)
    if name == "accounts:login" and method == "POST":
        return Classified(LOGIN, "login", school, api=api)
    route_class = "api" if api else "page"
    signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
    if not signed_in:
        return Classified(LOGIN, route_class, school, api=api)
    critical_routes: dict[str, Iterable[str]] = getattr(settings, "KRIJT_CRITICAL_ROUTES", DEFAULT_CRITICAL_ROUTES)
    if urgent is True or (urgent and method in urgent) or method in critical_routes.get(name, ()):
        return Classified(CRITICAL, route_class, school, api=api)
    return Classified(READ if method in SAFE_METHODS else WRITE, route_class, school, api=api)


def retry_after(priority: str) -> int:
    table: dict[str, tuple[int, int]] = getattr(settings, "KRIJT_ADMISSION_RETRY_AFTER", DEFAULT_RETRY_AFTER)
    low, high = table.get(priority, (1, 5))
    return random.randint(low, high)  # noqa: S311 - jitter, not a secret


def overloaded_response(request: HttpRequest, seen: Classified) -> HttpResponse:
    """The one error shape, built without a session, a query or the site's context processors."""
    error = Overloaded(retry_after=retry_after(seen.priority))
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if seen.api:
            response: HttpResponse = JsonResponse(error.as_dict(), status=503)
        else:
            page = render_to_string(
                "ops/overloaded.html",
                {
                    "message": error.message,
                    "retry_after": error.retry_after,
                    "refresh": (request.method or "GET").upper() in SAFE_METHODS,
                    "LANG": language,
                },
            )
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(error.retry_after)
    response["Cache-Control"] = "no-store"
    return response


class AdmissionMiddleware:
    """Put right after SecurityMiddleware: a refused request must cost as little as possible."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        seen = classify(request)
        if seen.bypass:
            response = self.get_response(request)
            metrics.record_request(seen.route_class, response.status_code, time.perf_counter() - started)
            return response
        slots = gate()
        refused = slots.try_enter(seen.priority, seen.school)
        if refused is not None:
            metrics.record_shed(seen.priority, refused)
            if seen.route_class == "login" and not seen.api:
                response = waiting_room.waiting_room_response(request, retry_after=retry_after(LOGIN))
            else:
                response = overloaded_response(request, seen)
            metrics.record_request(seen.route_class, 503, time.perf_counter() - started)
            return response
        try:
            response = self.get_response(request)
        finally:
            slots.leave(seen.priority, seen.school)
        if response.status_code == 500 and degraded.had_database_error(request):
            # Raised in a middleware, where process_exception does not run: still the one error shape.
            response = degraded.unavailable_response(request)
        metrics.record_request(seen.route_class, response.status_code, time.perf_counter() - started)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A full password-check pool, or a database that is down: 503 with Retry-After, never a trace."""
        if isinstance(exception, HashingBusy):
            metrics.record_shed(LOGIN, "hashing")
            return waiting_room.waiting_room_response(request, retry_after=exception.retry_after)
        if degraded.is_database_error(exception):
            degraded.breaker_trip()
            return degraded.unavailable_response(request)
        return None


def _gauges() -> None:
    def in_flight() -> list[tuple[metrics.Labels, float]]:
        current = gate()
        return [((("priority", p),), float(current.by_priority[p])) for p in PRIORITIES]

    metrics.REGISTRY.gauge("krijt_admission_in_flight", in_flight)
    metrics.REGISTRY.gauge("krijt_admission_limit", lambda: [((), float(gate().limit))])


_gauges()
