"""How live lessons meet other modules, which never import them: a link on a planner item's page, a planner
item that moves or is cancelled, the register's suggestion from who joined, and a line on the status page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from krijt.attendance.extensions import Suggestion
from krijt.live import breaker, permissions, selectors, services
from krijt.live.models import LiveLesson, VideoServer
from krijt.ops import health
from krijt.planner.extensions import ItemLink


def item_link(*, user: Any, roles: frozenset[str], item: Any) -> ItemLink | None:
    """The item's live lesson (to join it), or, for its teacher, a way to add one."""
    if item.is_cancelled:
        return None
    lesson = LiveLesson.objects.filter(school_id=item.school_id, item=item, cancelled_at__isnull=True).first()
    if lesson is not None:
        return ItemLink(_("Live lesson"), reverse("live:occurrence", kwargs={
            "lesson_id": lesson.pk, "day": item.due_date.isoformat()}))
    if permissions.can_attach(user=user, roles=roles, course=item.course):
        return ItemLink(_("Add a live lesson"),
                        reverse("live:new") + f"?course={item.course_id}&when=item:{item.pk}")
    return None


def item_changed(*, school: Any, item: Any, **_: Any) -> None:
    services.item_changed(school=school, item=item)


def register_suggestion(*, school: Any, course_id: int, day: dt.date, period: int) -> Suggestion | None:
    joined = selectors.joined_for_register(school=school, course_id=course_id, day=day, period=period)
    if joined is None:
        return None
    return Suggestion(key="live", label=_("the live lesson"), present=frozenset(joined))


def _status() -> tuple[str, dict[str, Any]]:
    servers = list(VideoServer.objects.filter(active=True).values_list("pk", flat=True))
    if not servers:
        return health.NOT_CONFIGURED, {}
    states = breaker.states(servers)
    down = [state for state in states.values() if state.down]
    detail: dict[str, Any] = {"servers": len(servers), "down": len(down)}
    if down:
        since = min(state.since for state in down if state.since) if any(s.since for s in down) else None
        detail["since"] = dt.datetime.fromtimestamp(since, tz=dt.UTC).isoformat() if since else None
        return (health.DOWN if len(down) == len(servers) else health.DEGRADED), detail
    return health.OK, detail


def _describe(detail: dict[str, Any]) -> str:
    if not detail.get("down"):
        return ngettext("%(n)d video server answering", "all %(n)d video servers answering",
                        detail["servers"]) % {"n": detail["servers"]}
    return ngettext("%(down)d of %(n)d video server not answering: its live lessons show the school's fallback",
                    "%(down)d of %(n)d video servers not answering: their live lessons show the school's fallback",
                    detail["down"]) % {"down": detail["down"], "n": detail["servers"]}


STATUS = health.Component(name="live", label=gettext_lazy("Live lessons"), probe=_status, describe=_describe)
