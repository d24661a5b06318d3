"""Who a person is, as cached for every request (their row, their roles in a school), follows every
change of their row, memberships and parent links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from krijt.accounts.devices import device_name
from krijt.accounts.models import Membership, ParentLink, User
from krijt.accounts.selectors import account_scope, roles_scope
from krijt.accounts.session_backend import DEVICE_KEY, SIGNED_IN_KEY
from krijt.core import clock, parts


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


@receiver(user_logged_in)
def _mark_device(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """Every sign-in (the form, an activation, the platform's admin) names its device and time in the
    session, for the list of signed-in devices on My account. Part of the session's one write."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[DEVICE_KEY] = device_name(request.META.get("HTTP_USER_AGENT", ""))
    request.session[SIGNED_IN_KEY] = int(clock.now().timestamp())


@receiver([user_logged_in, user_logged_out])
def _forget_the_last_persons_notes(sender: Any, request: Any, **kwargs: Any) -> None:
    """A confirmation waiting for the person who just signed out (or for whoever used the browser before
    this sign-in) is not shown to the next one: on a shared school computer it would tell a pupil what a
    teacher just did. The messages are marked read, so the response clears them."""
    if request is None or not hasattr(request, "_messages"):
        return
    for _message in messages.get_messages(request):
        pass
