"""The engine listens to the accounts domain below it: a removed parent link takes back, at once, everything
that parent was told or still going to be told about the child (on every path: the people page, an import,
a deleted account)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from krijt.accounts.models import ParentLink


@receiver(post_delete, sender=ParentLink, dispatch_uid="notifications.parent_link_removed")
def parent_link_removed(sender: type[ParentLink], instance: ParentLink, **kwargs: Any) -> None:
    from krijt.notifications.services import withdraw_about

    withdraw_about(school=instance.school, student_id=instance.student_id, parent_ids=[instance.parent_id])
