"""A person's cached roles in a school follow every change of their memberships and parent links."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from krijt.accounts.models import Membership, ParentLink
from krijt.accounts.selectors import roles_scope
from krijt.core import parts


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    parts.bump(roles_scope(instance.school_id, instance.user_id))


@receiver([post_save, post_delete], sender=ParentLink)
def _parent_link_changed(sender: Any, instance: ParentLink, **kwargs: Any) -> None:
    parts.bump(roles_scope(instance.school_id, instance.parent_id))
