"""Writes for personal API tokens. The secret is returned once and only its hash is stored."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import ApiToken, User
from krijt.api.selectors import hash_secret
from krijt.core import clock
from krijt.core.errors import Conflict, NotFound, ValidationFailed

SECRET_PREFIX = "krijt_"  # noqa: S105 (a marker that makes leaked tokens easy to scan for, not a secret)
MAX_ACTIVE_TOKENS = 20
# Recording every use would cost a write per API call; once a minute is precise enough to spot unused tokens.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


@transaction.atomic
def api_token_create(*, user: User, name: str) -> NewToken:
    name = name.strip()
    max_length = ApiToken._meta.get_field("name").max_length or 100
    if not name:
        raise ValidationFailed(fields={"name": [_("Give the token a name, so you know later what uses it.")]})
    if not name.isprintable():
        raise ValidationFailed(fields={"name": [_("Use letters, digits and punctuation only.")]})
    if len(name) > max_length:
        raise ValidationFailed(fields={"name": [_("Use at most %(n)d characters.") % {"n": max_length}]})
    # Lock the user's row so two concurrent requests cannot both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(_("You have %(n)d active tokens. Revoke one you no longer use first.")
                       % {"n": MAX_ACTIVE_TOKENS})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:8], key_hash=hash_secret(secret))
    return NewToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Records the use of a token, at most once per LAST_USED_RESOLUTION (one UPDATE, no transaction needed)."""
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
