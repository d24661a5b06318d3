"""Shared permission helpers. Each domain declares its own rules in its permissions.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

from krijt.core.errors import Forbidden, NotAuthenticated, NotFound

F = TypeVar("F", bound=Callable[..., HttpResponse])


def require_school(request: HttpRequest) -> Any:
    school = getattr(request, "school", None)
    if school is None:
        raise NotFound()
    return school


def require_roles(request: HttpRequest, roles: Iterable[str]) -> frozenset[str]:
    """The asking person must be signed in and hold one of `roles` in the request's school."""
    require_school(request)
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    have: frozenset[str] = frozenset(getattr(request, "roles", frozenset()))
    if not have & frozenset(roles):
        raise Forbidden()
    return have


def school_view(*, roles: Iterable[str]) -> Callable[[F], F]:
    """Decorator for school pages: resolves the school and checks roles before the view runs."""
    wanted = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_roles(request, wanted)
            return view(request, *args, **kwargs)

        wrapper.krijt_roles = wanted  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
