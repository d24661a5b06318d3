"""What the signed-in person is in the request's school (request.roles), and the end of short sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from krijt.accounts.selectors import cached_roles_in_school, read_ahead_person
from krijt.core import clock


def _roles_for(request: HttpRequest) -> frozenset[str]:
    user = request.user
    school = getattr(request, "school", None)
    if school is None or not user.is_authenticated:
        return frozenset()
    return cached_roles_in_school(school=school, user=user)


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
        request.roles = SimpleLazyObject(lambda: _roles_for(request))  # type: ignore[attr-defined]
        return self.get_response(request)
