"""The notification engine as messages use it: one place that speaks its contract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from krijt.messaging.audiences import Recipient
from krijt.messaging.kinds import KIND


def _targets(recipients: Sequence[Recipient]) -> list[Any]:
    from krijt.notifications.services import Target

    return [Target(user_id=r.user_id, audience=r.audience, about_student_id=r.about_student_id) for r in recipients]


def notify_chunk(
    *,
    school: Any,
    key: str,
    recipients: Sequence[Recipient],
    subject: str,
    sender_name: str,
    url: str,
    moment: dt.datetime,
    urgent: bool,
    actor: Any,
    reason: str,
    audience_label: str = "",
) -> dict[int, dt.datetime | None]:
    """Writes the engine's rows for one chunk; returns each recipient's in-app visibility moment."""
    from krijt.notifications.services import notify

    kwargs: dict[str, Any] = {}
    if urgent:
        kwargs["reason"] = reason
        kwargs["audience_label"] = audience_label
    result = notify(
        school=school,
        kind=KIND,
        key=key,
        targets=_targets(recipients),
        params={"subject": subject, "sender": sender_name},
        url=url,
        moment=moment,
        urgent=urgent,
        actor=actor if urgent else None,
        **kwargs,
    )
    return {r.user_id: result.visible_at(r.user_id) for r in recipients}


def preview(
    *, school: Any, recipients: Sequence[Recipient], moment: dt.datetime | None, urgent: bool
) -> list[tuple[dt.datetime, int]]:
    from krijt.notifications.services import delivery_preview

    return list(delivery_preview(school=school, targets=_targets(recipients), moment=moment, urgent=urgent))


def withdraw(*, school: Any, key: str) -> None:
    """Takes back what `notify` wrote for an event that will not happen (a cancelled or moved message)."""
    from krijt.notifications import services

    services.withdraw(school=school, key=key)


def urgent_roles(*, school: Any) -> frozenset[str]:
    from krijt.notifications.selectors import policy_for

    return frozenset(policy_for(school=school).urgent_roles)


def notifications_mark_read_about(*, school: Any, user: Any, keys: Sequence[str]) -> int:
    """Reading messages reads the notifications that announced them."""
    from krijt.notifications.services import notifications_mark_read_about as mark

    return mark(school=school, user=user, keys=keys)
