"""Reads for the notification engine and the pages built on it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.accounts.selectors import roles_in_school
from krijt.core import clock
from krijt.core.errors import NotFound, ValidationFailed
from krijt.notifications import kinds
from krijt.notifications.models import Delivery, Notification, NotificationPolicy, NotificationPreference, UrgentLog
from krijt.notifications.policy import DeliveryPolicy, Preference, QuietRules, effective_preference, wall
from krijt.schools.models import School

logger = logging.getLogger(__name__)

POLICY_CACHE_SECONDS = getattr(settings, "KRIJT_NOTIFICATION_POLICY_CACHE_SECONDS", 300)
PAGE_SIZE = getattr(settings, "KRIJT_NOTIFICATIONS_PAGE_SIZE", 20)
# Who may send urgent messages when the school has not chosen: administrators.
DEFAULT_URGENT_ROLES: tuple[str, ...] = tuple(getattr(settings, "KRIJT_URGENT_ROLES", ("admin",)))


def _policy_cache_key(school_id: int) -> str:
    return f"notifications:policy:{school_id}"


def policy_from_row(row: NotificationPolicy | None) -> DeliveryPolicy:
    if row is None:
        return DeliveryPolicy(urgent_roles=frozenset(DEFAULT_URGENT_ROLES))
    return DeliveryPolicy(
        student=QuietRules(
            row.student_quiet_start, row.student_quiet_end, row.student_quiet_weekends, row.student_quiet_holidays
        ),
        parent=QuietRules(
            row.parent_quiet_start, row.parent_quiet_end, row.parent_quiet_weekends, row.parent_quiet_holidays
        ),
        staff=QuietRules(
            row.staff_quiet_start, row.staff_quiet_end, row.staff_quiet_weekends, row.staff_quiet_holidays
        ),
        digest_time=row.digest_time,
        push_budget=row.push_budget,
        urgent_roles=frozenset(row.urgent_roles or DEFAULT_URGENT_ROLES),
    )


def policy_row(*, school: School) -> NotificationPolicy | None:
    """The school's stored policy row (None while it uses the defaults), for the policy page's form."""
    return NotificationPolicy.objects.filter(school=school).first()


def policy_for(*, school: School) -> DeliveryPolicy:
    """The school's delivery policy: one cache read on the hot path, one query when cold or down."""
    key = _policy_cache_key(school.pk)
    try:
        cached = cache.get(key)
    except Exception:
        cached = None
    if isinstance(cached, DeliveryPolicy):
        return cached
    policy = policy_from_row(policy_row(school=school))
    try:
        cache.set(key, policy, POLICY_CACHE_SECONDS)
    except Exception:
        logger.warning("notification policy cache unreachable", exc_info=True)
    return policy


def forget_policy(school_id: int) -> None:
    try:
        cache.delete(_policy_cache_key(school_id))
    except Exception:
        logger.warning("policy cache unreachable; school %s keeps its cached policy until it expires", school_id)


def preference_row(*, user: User) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()


def preferences_for(*, user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """Stored preference rows by user id, one query; a missing id means the defaults."""
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(user_ids))}


def preference_for(*, user: User, audience: str) -> Preference:
    """What the decision uses for `user` as `audience`: their choices with the audience's defaults."""
    row = preference_row(user=user)
    return preference_from_row(row, audience)


def preference_from_row(row: NotificationPreference | None, audience: str) -> Preference:
    if row is None:
        return effective_preference(audience=audience, digest=None, digest_time=None, email=True, push=True)
    return effective_preference(
        audience=audience, digest=row.digest, digest_time=row.digest_time, email=row.email, push=row.push
    )


def may_send_urgent(*, school: School, user: User) -> bool:
    """Whether `user` may mark a message urgent in `school` (the compose page shows the option only then)."""
    return bool(roles_in_school(school=school, user=user) & policy_for(school=school).urgent_roles)


def visible_notifications(*, school: School, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(school=school, recipient=user, visible_at__lte=clock.now())


def unread_count(*, user: User, school: School) -> int:
    """Unread, visible items: one query (the bell in the header)."""
    return visible_notifications(school=school, user=user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationItem:
    id: int
    kind: str
    title: str
    text: str
    url: str
    visible_at: dt.datetime
    read_at: dt.datetime | None
    about_student: str | None
    urgent: bool

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _item(n: Notification, language: str) -> NotificationItem:
    rendered = kinds.render(n.kind, n.params, language)
    return NotificationItem(
        id=n.pk,
        kind=n.kind,
        title=rendered.title,
        text=rendered.text,
        url=n.url,
        visible_at=n.visible_at,
        read_at=n.read_at,
        about_student=n.about_student.full_name if n.about_student else None,
        urgent=n.urgent,
    )


def notification_item(*, school: School, user: User, notification_id: int) -> NotificationItem:
    """One of the user's visible items, rendered in the active language (NotFound otherwise): one query."""
    n = (
        visible_notifications(school=school, user=user)
        .select_related("about_student")
        .filter(pk=notification_id)
        .first()
    )
    if n is None:
        raise NotFound()
    return _item(n, translation.get_language() or school.language)


def notifications_for(*, user: User, school: School, page: int | str = 1, unread_only: bool = False) -> Page[Any]:
    """One page of the notification centre, newest first, rendered in the active language: two queries.

    `page.object_list` holds NotificationItem values; an out-of-range page number gives the last page.
    """
    qs = visible_notifications(school=school, user=user).select_related("about_student").order_by("-visible_at", "-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    paginator = Paginator(qs, PAGE_SIZE)
    result = paginator.get_page(page)
    language = translation.get_language() or school.language
    result.object_list = [_item(n, language) for n in result.object_list]  # type: ignore[misc]
    return result


def failed_deliveries(*, school: School, page: int | str = 1) -> Page[Any]:
    """Deliveries that ended as failed (administrators see and can retry them), newest first: two queries."""
    qs = (
        Delivery.objects.filter(school=school, state=Delivery.State.FAILED)
        .select_related("recipient", "notification")
        .order_by("-next_attempt_at", "-id")
    )
    return Paginator(qs, PAGE_SIZE).get_page(page)


def delivery_counts(*, school: School) -> dict[str, int]:
    """How many deliveries are in each state (the policy page's health line): one query."""
    from django.db.models import Count

    rows = Delivery.objects.filter(school=school).values("state").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(Delivery.State.values, 0)
    counts.update({r["state"]: r["n"] for r in rows})
    return counts


URGENT_LOG_DAYS = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def urgent_log(
    *,
    school: School,
    page: int | str = 1,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page_size: int = PAGE_SIZE,
) -> Page[Any]:
    """Every urgent send of the school, newest first, optionally from `since` to `until` (local days,
    inclusive): who, when, why, to whom and how many; with `title` (what it was, in the active language) and
    `read` (how many recipients opened it) set on each row of the page. Three queries, whatever the page
    size. An end before the start, or a day outside 1900-2999: ValidationFailed."""
    for name, day in (("since", since), ("until", until)):
        if day is not None and not URGENT_LOG_DAYS[0] <= day <= URGENT_LOG_DAYS[1]:
            raise ValidationFailed(fields={name: [_("Choose a day between 1900 and 2999.")]})
    if since is not None and until is not None and until < since:
        raise ValidationFailed(fields={"until": [_("The end lies on or after the start.")]})
    qs = UrgentLog.objects.filter(school=school).select_related("actor").order_by("-created_at", "-id")
    tz = ZoneInfo(school.time_zone)
    if since is not None:
        qs = qs.filter(created_at__gte=wall(since, dt.time(0), tz))
    if until is not None:
        qs = qs.filter(created_at__lt=wall(until + dt.timedelta(days=1), dt.time(0), tz))
    found = Paginator(qs, page_size).get_page(page)
    keys = [row.key for row in found.object_list]
    read = dict(
        Notification.objects.filter(school=school, key__in=keys, read_at__isnull=False)
        .values("key")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("key", "n")
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    for row in found.object_list:
        row.read = read.get(row.key, 0)
        row.title = kinds.render(row.kind, row.params, language).title if row.kind else row.key
    return found
