"""Degraded mode: when PostgreSQL is down or overloaded, signed-in users still see their day and planner.

The planner's pages keep a snapshot of each full page a session saw (`snapshot_page`), shown with a
read-only banner to the same session while the database fails.

The home page (Today) needs no snapshot of its own: it is built from cached parts (krijt.core.parts),
and on a database error it is served from those parts as the cache holds them, with a read-only banner
(krijt/home/views.py). Every other request that meets a database error gets the one error shape, 503
with Retry-After, built without touching the database; nothing is retried on the user's behalf, so a
write either happened or the page says it was not saved.

Nothing here keeps state about the outage: the next request simply tries the database again, and the
connection pool replaces broken connections, so recovery needs no restart.
"""

from __future__ import annotations

import logging
import random
import re
import sys
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from krijt.core.errors import RetryLater

logger = logging.getLogger(__name__)

DB_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
SNAPSHOT_SECONDS = 36 * 3600  # a day's snapshot outlives the day by a margin, then goes by itself
RETRY_AFTER = (5, 20)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MARK = "_krijt_database_error"


class DatabaseUnavailable(RetryLater):
    status = 503
    code = "database_unavailable"
    default_message = _("Krijt is catching up and cannot save or show this right now.")


# ---------------------------------------------------------------- circuit breaker

# After a database error this process answers snapshot pages from Redis for a short while without
# trying the database: every try costs the pool's connection timeout, which would hold the admission
# slots and starve the very pages degraded mode can still serve. The first request after the pause
# tries again, so recovery stays automatic.
BREAKER_SECONDS = 2.0
_breaker = {"open_until": 0.0}


def breaker_trip() -> None:
    import time

    _breaker["open_until"] = time.monotonic() + BREAKER_SECONDS


def breaker_open() -> bool:
    import time

    return time.monotonic() < _breaker["open_until"]


def breaker_reset() -> None:
    _breaker["open_until"] = 0.0


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 in the one error shape, without the session's user, the site's context processors or a query."""
    error = DatabaseUnavailable(retry_after=random.randint(*RETRY_AFTER))  # noqa: S311 - jitter
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path_info.startswith("/api/") or "/api/" in request.path:
            response: HttpResponse = JsonResponse(error.as_dict(), status=503)
        else:
            page = render_to_string(
                "ops/database_unavailable.html",
                {
                    "message": error.message,
                    "retry_after": error.retry_after,
                    "write": (request.method or "GET").upper() not in SAFE_METHODS,
                    "LANG": language,
                },
            )
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(error.retry_after)
    response["Cache-Control"] = "no-store"
    return response


# SQLite reports a missing function or table with the same OperationalError as a locked or missing
# file; only the latter mean the database cannot be reached. A programming error is never shown as
# "catching up": it stays a 500, logged, so it gets fixed.
_SQLITE_OUTAGES = ("database is locked", "database table is locked", "unable to open database", "disk i/o error",
                   "database or disk is full")


def _means_outage(error: BaseException) -> bool:
    import sqlite3

    driver = error.__cause__
    if isinstance(driver, sqlite3.OperationalError):
        return str(driver).lower().startswith(_SQLITE_OUTAGES)
    return True


def is_database_error(exception: BaseException | None) -> bool:
    """The database could not be reached or used (not: a query it did not understand)."""
    while exception is not None:
        if isinstance(exception, DB_ERRORS):
            return _means_outage(exception)
        exception = exception.__cause__ or exception.__context__
    return False


@receiver(got_request_exception)
def _note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Marks a request whose exception came from the database, even when it was raised in a middleware
    (where process_exception does not run), so that admission control can answer 503 instead of 500."""
    if request is not None and is_database_error(sys.exc_info()[1]):
        setattr(request, MARK, True)
        logger.error("database unavailable while serving %s", request.path, exc_info=True)


def had_database_error(request: HttpRequest) -> bool:
    return bool(getattr(request, MARK, False))


# ---------------------------------------------------------------- whole pages (the planner)

PAGE_BANNER_ANCHOR = '<main id="main" tabindex="-1">'


def page_key(school_id: int, user_id: Any, path: str) -> str:
    import hashlib

    return f"ops:page:{school_id}:{user_id}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"


# What this process last wrote per page key, and when: an unchanged page is written again only after
# REWRITE_SECONDS (so a snapshot lost with a Redis restart comes back soon), not on every render.
REWRITE_SECONDS = 600.0
_WRITTEN_MAX = 50_000
_written: dict[str, tuple[int, float]] = {}
_CSRF = re.compile(r'"X-CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"')


def _remember_page(request: HttpRequest, response: HttpResponse) -> None:
    import time

    school = getattr(request, "school", None)
    session = getattr(request, "session", None)
    if school is None or session is None or not request.user.is_authenticated:
        return
    data = {"hash": session.get(HASH_SESSION_KEY, ""), "html": response.content.decode(response.charset or "utf-8")}
    key = page_key(school.pk, request.user.pk, request.get_full_path())
    digest = hash((data["hash"], _CSRF.sub("", data["html"])))  # a token is masked anew on every render
    last = _written.get(key)
    now = time.monotonic()
    if last is not None and last[0] == digest and now - last[1] < REWRITE_SECONDS:
        return
    try:
        cache.set(key, data, SNAPSHOT_SECONDS)
    except Exception:
        logger.warning("page snapshot not cached", exc_info=True)
        return
    if len(_written) >= _WRITTEN_MAX:
        _written.clear()
    _written[key] = (digest, now)


def _page_from_cache(request: HttpRequest) -> HttpResponse | None:
    """The page as this session last saw it, with the read-only banner; None without a snapshot.

    Like the home snapshot, the user comes from the session alone and the auth hash must match."""
    school = getattr(request, "school", None)
    session = getattr(request, "session", None)
    if school is None or session is None:
        return None
    try:
        user_id = session.get(SESSION_KEY)
        session_hash = session.get(HASH_SESSION_KEY)
        data = cache.get(page_key(school.pk, user_id, request.get_full_path())) if user_id else None
    except Exception:
        logger.warning("page snapshot unreachable", exc_info=True)
        return None
    if not data or not session_hash or data.get("hash") != session_hash:
        return None
    banner = render_to_string("ops/_read_only_banner.html")
    html = data["html"]
    html = html.replace(PAGE_BANNER_ANCHOR, PAGE_BANNER_ANCHOR + banner, 1) if PAGE_BANNER_ANCHOR in html else (
        banner + html
    )
    response = HttpResponse(html, status=200)
    response["Cache-Control"] = "no-store"
    response["X-Krijt-Degraded"] = "1"
    return response


def snapshot_page(view: Any) -> Any:
    """Keeps each successful full-page GET of `view` for degraded mode, and serves it when the database
    fails. Put it outermost: role checks and the user row are what fail first when the database is down."""
    from functools import wraps

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if breaker_open() and request.method in SAFE_METHODS:
            cached = _page_from_cache(request)
            if cached is not None:
                return cached
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        except DB_ERRORS as error:
            if not is_database_error(error):
                raise
            breaker_trip()
            cached = _page_from_cache(request) if request.method in SAFE_METHODS else None
            if cached is None:
                raise
            return cached
        if (
            request.method == "GET"
            and response.status_code == 200
            and not getattr(response, "streaming", False)
            and not request.headers.get("HX-Request")
        ):
            _remember_page(request, response)
        return response

    return wrapper
