"""Reads behind the API itself: personal tokens. Each domain's router reads through its own selectors."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from krijt.accounts.models import ApiToken, User

# ---------------------------------------------------------------- tokens


def hash_secret(secret: str) -> str:
    """Token secrets are long and random, so one fast hash is enough (nothing to guess from a dictionary)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret, with its user, in one query; None when unknown, revoked or inactive."""
    return (
        ApiToken.objects.filter(key_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


# ---------------------------------------------------------------- people
