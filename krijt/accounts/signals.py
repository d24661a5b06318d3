"""Who a person is, as cached for every request (their row, their roles in a school), follows every
change of their row, memberships and parent links."""

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


@receiver([post_save, post_delete], sender=User)
def _account_changed(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Any change of the person's row: the cached row every request reads (accounts.selectors.user_part),
    and what a session is checked against, follow it. A sign-in, which saves only last_login, changes
    nothing a request reads from the cache (the reset-token check reads last_login from the database)."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    parts.bump(account_scope(instance.pk))
