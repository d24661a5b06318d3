"""What the signed-in person is in the request's school (request.roles), and the end of short sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from krijt.accounts.selectors import cached_roles_in_school, read_ahead_person
from krijt.core import clock

LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def _roles_for(request: HttpRequest) -> frozenset[str]:
    user = request.user
    school = getattr(request, "school", None)
    if school is None or not user.is_authenticated:
        return frozenset()
    return cached_roles_in_school(school=school, user=user)


def _speak_their_language(request: HttpRequest) -> None:
    """The language kept on the person's account wins over the browser's and the cookie's: it follows them
    to every device. (The row is read ahead with the session: no extra round trip.)"""
    try:
        language = getattr(request.user, "language", "")
    except DatabaseError:  # the database is down and the row not cached: the page decides what to show
        return
    if language and language != getattr(request, "LANGUAGE_CODE", "") and language in LANGUAGES:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class MembershipMiddleware:
    """Adds request.roles (lazy: read only when asked, from the cache) and ends short sessions on time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        until = session.get("krijt_until") if session is not None else None
        if until is not None and clock.now().timestamp() > until:
            logout(request)
        elif session is not None and str(session.get(SESSION_KEY, "")).isdigit():
            school = getattr(request, "school", None)
            read_ahead_person(school_id=school.pk if school is not None else None, user_id=int(session[SESSION_KEY]))
            _speak_their_language(request)
        request.roles = SimpleLazyObject(lambda: _roles_for(request))  # type: ignore[attr-defined]
        return self.get_response(request)
