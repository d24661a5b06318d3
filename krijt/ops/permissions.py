"""Who may post incidents: platform staff (is_staff), whatever their roles in any school."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

from krijt.core.errors import Forbidden, NotAuthenticated

F = TypeVar("F", bound=Callable[..., HttpResponse])


def can_post_incidents(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def platform_staff_view(view: F) -> F:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        if not can_post_incidents(request.user):
            raise Forbidden()
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
