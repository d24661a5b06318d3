"""Who a person is in a school, as cached for every request, follows every change of their memberships,
parent links, password, sign-out-everywhere and name."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from krijt.accounts.models import Membership, ParentLink, User
from krijt.accounts.selectors import account_scope, roles_scope
from krijt.core import parts


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    parts.bump(roles_scope(instance.school_id, instance.user_id))


@receiver([post_save, post_delete], sender=ParentLink)
def _parent_link_changed(sender: Any, instance: ParentLink, **kwargs: Any) -> None:
    parts.bump(roles_scope(instance.school_id, instance.parent_id))


SESSION_FIELDS = frozenset({"password", "auth_epoch", "first_name", "username"})


@receiver([post_save, post_delete], sender=User)
def _account_changed(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """A new password or name; a sign-in (which saves only last_login) changes nothing cached."""
    if update_fields is not None and not SESSION_FIELDS & set(update_fields):
        return
    parts.bump(account_scope(instance.pk))
