from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from krijt.accounts.models import normalize_username


class KrijtBackend(ModelBackend):
    """User names are case-insensitive; rate limits run before this (accounts.services.auth_sign_in).
    The signed-in person's row comes from the cache (accounts.selectors.user_part)."""

    def get_user(self, user_id: Any) -> Any:
        from krijt.accounts.selectors import cached_user

        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = cached_user(pk)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is not None:
            username = normalize_username(username)
        return super().authenticate(request, username=username, password=password, **kwargs)
