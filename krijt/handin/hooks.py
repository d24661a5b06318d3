"""How hand-in plugs into the planner (krijt.planner.extensions), so the planner never imports it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from krijt.core.roles import Role
from krijt.handin.permissions import can_review
from krijt.planner.extensions import ItemLink


def recompute_late(sender: Any, *, school: Any, item: Any, **kwargs: Any) -> None:
    """A task's deadline moved: the stored late marks follow it, in the same transaction."""
    from krijt.handin.services import submissions_recompute_late

    if item.kind == "task":
        submissions_recompute_late(school=school, item=item)


def item_link(*, user: Any, roles: frozenset[str], item: Any) -> ItemLink | None:
    if item.kind != "task":
        return None
    if can_review(user=user, roles=roles, item=item):
        return ItemLink(_("Hand-ins"), reverse("handin:task_submissions", kwargs={"item_id": item.pk}))
    if Role.STUDENT in roles and not item.is_cancelled:
        return ItemLink(_("Hand in"), reverse("handin:hand_in", kwargs={"item_id": item.pk}))
    return None
