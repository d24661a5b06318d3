"""Typed access to what the middleware puts on a request: the school, the person and their roles.

Views run behind `school_view`, so the school is set and the person is signed in when these are asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from krijt.accounts.models import User
    from krijt.schools.models import School


def school_of(request: HttpRequest) -> School:
    return request.school  # type: ignore[attr-defined,no-any-return]


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def roles_of(request: HttpRequest) -> frozenset[str]:
    return frozenset(getattr(request, "roles", frozenset()))
