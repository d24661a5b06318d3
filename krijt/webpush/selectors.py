from __future__ import annotations

from django.db.models import QuerySet

from krijt.accounts.models import User
from krijt.webpush.models import PushSubscription


def subscriptions_of(*, user: User | int) -> QuerySet[PushSubscription]:
    """A person's devices, newest first."""
    user_id = user if isinstance(user, int) else user.pk
    return PushSubscription.objects.filter(user_id=user_id).order_by("-created_at", "-pk")


def has_subscription(*, user_id: int) -> bool:
    return PushSubscription.objects.filter(user_id=user_id).exists()
