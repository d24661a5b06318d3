"""Writes of the notification engine: notify (fan-out into rows), previews, policy and preferences."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from krijt.accounts.models import ParentLink, User
from krijt.accounts.selectors import actor_roles, roles_in_school
from krijt.core import clock
from krijt.core.errors import Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.notifications import kinds, policy
from krijt.notifications.models import Delivery, Notification, NotificationPolicy, NotificationPreference, UrgentLog
from krijt.notifications.permissions import MANAGE_POLICY
from krijt.notifications.policy import AUDIENCES, DeliveryPolicy, Preference, QuietRules
from krijt.notifications.selectors import forget_policy, policy_for, preference_from_row, preferences_for
from krijt.schools.calendar import SchoolCalendar
from krijt.schools.models import School
from krijt.schools.selectors import school_calendar

# Targets per round of bulk queries inside one notify() call: bounds statement size and memory.
CHUNK_SIZE = getattr(settings, "KRIJT_NOTIFY_CHUNK_SIZE", 1000)
# The limits a school's policy must stay inside (the policy page shows them). For students and parents
# quiet hours start between EARLIEST_QUIET_START and LATEST_QUIET_START and end between EARLIEST_QUIET_END
# and LATEST_QUIET_END: quiet enough at night, and never so wide that the whole day is quiet.
EARLIEST_QUIET_START = getattr(settings, "KRIJT_EARLIEST_QUIET_START", dt.time(17, 0))
LATEST_QUIET_START = getattr(settings, "KRIJT_LATEST_QUIET_START", dt.time(22, 0))
EARLIEST_QUIET_END = getattr(settings, "KRIJT_EARLIEST_QUIET_END", dt.time(6, 0))
LATEST_QUIET_END = getattr(settings, "KRIJT_LATEST_QUIET_END", dt.time(9, 0))
MAX_PUSH_BUDGET = getattr(settings, "KRIJT_MAX_PUSH_BUDGET", 50)
URGENT_ROLE_CHOICES = frozenset({Role.TEACHER.value, Role.STAFF.value, Role.ADMIN.value})


@dataclass(frozen=True)
class Target:
    user_id: int
    audience: str  # student | parent | staff
    about_student_id: int | None = None  # for parents: which child this is about (digest grouping)


@dataclass
class NotifyResult:
    moment: dt.datetime
    visible: dict[int, dt.datetime] = field(default_factory=dict)
    created: int = 0  # notifications this call created (0 when the event was notified before)
    created_by_audience: dict[str, int] = field(default_factory=dict)

    def visible_at(self, user_id: int) -> dt.datetime | None:
        return self.visible.get(user_id)

    @property
    def summary(self) -> list[tuple[dt.datetime, int]]:
        """[(moment, count), ...]: when the recipients see it; "now" is `moment` itself."""
        return policy.summarize(list(self.visible.values()), asked=self.moment)


def idempotency_key(*, school_id: int, key: str, user_id: int, channel: str) -> str:
    return f"{school_id}:{key}:{user_id}:{channel}"


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique_targets(targets: Iterable[Target]) -> list[Target]:
    seen: dict[int, Target] = {}
    for t in targets:
        if t.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {t.audience!r}")
        seen.setdefault(t.user_id, t)
    return list(seen.values())


class _Decider:
    """earliest_delivery with the school's context bound and answers remembered: thousands of recipients
    share a handful of (audience, channel, preference) combinations."""

    def __init__(
        self, *, moment: dt.datetime, urgent: bool, rules: DeliveryPolicy, calendar: SchoolCalendar, tz: ZoneInfo
    ) -> None:
        self.moment, self.urgent, self.rules, self.calendar, self.tz = moment, urgent, rules, calendar, tz
        self._memo: dict[tuple[str, str, Preference | None], dt.datetime] = {}

    def __call__(self, audience: str, channel: str, preference: Preference | None = None) -> dt.datetime:
        memo_key = (audience, channel, preference if channel == policy.EMAIL else None)
        if memo_key not in self._memo:
            self._memo[memo_key] = policy.earliest_delivery(
                moment=self.moment,
                audience=audience,
                channel=channel,
                urgent=self.urgent,
                policy=self.rules,
                calendar=self.calendar,
                tz=self.tz,
                preference=memo_key[2],
            )
        return self._memo[memo_key]


def _decider(*, school: School, moment: dt.datetime, urgent: bool) -> _Decider:
    return _Decider(
        moment=moment,
        urgent=urgent,
        rules=policy_for(school=school),
        calendar=school_calendar(school=school),
        tz=ZoneInfo(school.time_zone),
    )


def _check_urgent(*, school: School, actor: User | None, reason: str) -> None:
    if actor is None:
        raise Forbidden(_("An urgent message needs a sender."))
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Say why this message is urgent.")]})
    if not roles_in_school(school=school, user=actor) & policy_for(school=school).urgent_roles:
        raise Forbidden(_("You may not send urgent messages in this school."))


@dataclass(frozen=True)
class Event:
    """One thing to tell: a kind, its key (one item per recipient and key), who, and from when."""

    kind: str
    key: str
    targets: Sequence[Target]
    params: dict[str, Any]
    url: str
    moment: dt.datetime | None = None


@transaction.atomic
def notify(
    *,
    school: School,
    kind: str,
    key: str,
    targets: Iterable[Target],
    params: dict[str, Any],
    url: str,
    moment: dt.datetime | None = None,
    urgent: bool = False,
    actor: User | None = None,
    reason: str = "",
    audience_label: str = "",
) -> NotifyResult:
    """Writes the in-app item and the e-mail/push deliveries of one event for every target, idempotently.

    Runs a fixed number of queries per CHUNK_SIZE targets. An urgent event needs an `actor` whose role may
    send urgent messages and a `reason`; it is logged once per event (with `audience_label`, the sender's
    summary of the audience, and the count per audience) and reaches everyone at `moment`.
    """
    if urgent:
        _check_urgent(school=school, actor=actor, reason=reason)
    event = Event(kind=kind, key=key, targets=list(targets), params=params, url=url, moment=moment)
    [result] = _notify(school=school, events=[event], urgent=urgent)
    if urgent:
        _log_urgent(
            school=school, actor=actor, key=key, kind=kind, params=params, reason=reason, label=audience_label,
            result=result,
        )
    return result


@transaction.atomic
def notify_events(*, school: School, events: Sequence[Event]) -> list[NotifyResult]:
    """notify() for many events at once (a class's published results): the same rules, and a fixed number
    of queries per CHUNK_SIZE (event, target) pairs, however many events there are."""
    return _notify(school=school, events=events, urgent=False)


def _notify(*, school: School, events: Sequence[Event], urgent: bool) -> list[NotifyResult]:
    now = clock.now()
    rules, calendar, tz = policy_for(school=school), school_calendar(school=school), ZoneInfo(school.time_zone)
    deciders: dict[dt.datetime, _Decider] = {}
    results: list[NotifyResult] = []
    pairs: list[tuple[int, Target]] = []
    for index, event in enumerate(events):
        if not kinds.is_registered(event.kind):
            raise ValueError(f"no renderer registered for kind {event.kind!r}")
        if not event.key or len(event.key) > 200:
            raise ValueError("an event key is 1 to 200 characters")
        asked = event.moment or now
        if asked.tzinfo is None:
            raise ValueError("moment must be aware")
        if asked not in deciders:
            deciders[asked] = _Decider(moment=asked, urgent=urgent, rules=rules, calendar=calendar, tz=tz)
        results.append(NotifyResult(moment=asked))
        pairs += [(index, t) for t in _unique_targets(event.targets)]
    for pairs_chunk in _chunks(pairs, CHUNK_SIZE):
        chunk = _parents_who_may_know(school=school, events=events, pairs=pairs_chunk)
        _notify_chunk(school=school, events=events, chunk=chunk, urgent=urgent, deciders=deciders, results=results)
    return results


def _log_urgent(
    *,
    school: School,
    actor: User | None,
    key: str,
    kind: str,
    params: dict[str, Any],
    reason: str,
    label: str,
    result: NotifyResult,
) -> None:
    """One UrgentLog row per event; every chunk adds its new recipients, per audience. Three queries."""
    UrgentLog.objects.bulk_create(
        [
            UrgentLog(
                school=school, actor=actor, key=key, reason=reason.strip(), recipients=0, kind=kind, params=params,
                audience_label=label[:300],
            )
        ],
        ignore_conflicts=True,
    )
    row = UrgentLog.objects.select_for_update().get(school=school, key=key)
    audiences = dict(row.audiences)
    for audience, n in result.created_by_audience.items():
        audiences[audience] = audiences.get(audience, 0) + n
    UrgentLog.objects.filter(pk=row.pk).update(recipients=F("recipients") + result.created, audiences=audiences)


def _parents_who_may_know(
    *, school: School, events: Sequence[Event], pairs: Sequence[tuple[int, Target]]
) -> Sequence[tuple[int, Target]]:
    """Leaves out a parent told about a child they are no longer linked to in this school, or about a topic
    the child keeps from them (an adult student's results). One query for the links, one per topic for its
    gate; none when no target is a parent about a child."""
    about = [(i, t) for i, t in pairs if t.audience == policy.PARENT and t.about_student_id is not None]
    if not about:
        return pairs
    children = {t.about_student_id for _i, t in about if t.about_student_id is not None}
    linked = set(
        ParentLink.objects.filter(
            school=school, parent_id__in={t.user_id for _i, t in about}, student_id__in=children
        ).values_list("parent_id", "student_id")
    )
    hidden: dict[str | None, set[int]] = {}
    for topic in {kinds.topic_of(events[i].kind) for i, _t in about}:
        gate = kinds.parent_gate(topic)
        hidden[topic] = gate(school, children) if gate is not None else set()
    refused = {
        (i, t.user_id) for i, t in about
        if (t.user_id, t.about_student_id) not in linked or t.about_student_id in hidden[kinds.topic_of(events[i].kind)]
    }
    return [(i, t) for i, t in pairs if (i, t.user_id) not in refused] if refused else pairs


def _notify_chunk(
    *,
    school: School,
    events: Sequence[Event],
    chunk: Sequence[tuple[int, Target]],
    urgent: bool,
    deciders: dict[dt.datetime, _Decider],
    results: list[NotifyResult],
) -> None:
    """Six queries, whatever the chunk's size and however many events it spans: recipients, preferences,
    notifications already there, new notifications (conflicts ignored), their ids, deliveries (conflicts
    ignored)."""
    ids = {t.user_id for _i, t in chunk}
    keys = {events[i].key for i, _t in chunk}
    emails = dict(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", "email"))
    rows = preferences_for(user_ids=list(ids))
    live = [(i, t) for i, t in chunk if t.user_id in emails]
    index_of = {(events[i].key, t.user_id): i for i, t in chunk}  # events may share a key (student, parents)
    there: set[tuple[str, int]] = set()
    for key, user_id, visible_at in Notification.objects.filter(
        school=school, key__in=keys, recipient_id__in={t.user_id for _i, t in live}
    ).values_list("key", "recipient_id", "visible_at"):
        there.add((key, user_id))
        if (key, user_id) in index_of:
            results[index_of[(key, user_id)]].visible[user_id] = visible_at
    fresh = [(i, t) for i, t in live if (events[i].key, t.user_id) not in there]

    def decide(i: int, audience: str, channel: str, preference: Preference | None = None) -> dt.datetime:
        return deciders[results[i].moment](audience, channel, preference)

    Notification.objects.bulk_create(
        [
            Notification(
                school=school,
                recipient_id=t.user_id,
                audience=t.audience,
                kind=events[i].kind,
                key=events[i].key,
                params=events[i].params,
                url=events[i].url,
                about_student_id=t.about_student_id,
                urgent=urgent,
                visible_at=decide(i, t.audience, policy.INAPP),
            )
            for i, t in fresh
        ],
        ignore_conflicts=True,
    )
    made: dict[tuple[str, int], int] = {}
    for pk, key, user_id, visible_at in Notification.objects.filter(
        school=school, key__in={events[i].key for i, _t in fresh}, recipient_id__in={t.user_id for _i, t in fresh}
    ).values_list("pk", "key", "recipient_id", "visible_at"):
        if (key, user_id) in there:
            continue
        made[(key, user_id)] = pk
        if (key, user_id) in index_of:
            results[index_of[(key, user_id)]].visible[user_id] = visible_at
    deliveries: list[Delivery] = []
    for i, t in fresh:
        key = events[i].key
        notification_id = made.get((key, t.user_id))
        if notification_id is None:
            continue
        pref = preference_from_row(rows.get(t.user_id), t.audience)
        if t.audience == policy.PARENT and kinds.parents_digest_only(events[i].kind) and not urgent:
            pref = dataclasses.replace(pref, digest=True)
        in_digest = pref.digest and not urgent
        if pref.email:
            email_due = decide(i, t.audience, policy.EMAIL, pref)
            has_address = bool(emails[t.user_id])
            deliveries.append(
                Delivery(
                    school=school,
                    notification_id=notification_id,
                    recipient_id=t.user_id,
                    channel=policy.EMAIL,
                    due_at=email_due,
                    next_attempt_at=email_due,
                    state=Delivery.State.PENDING if has_address else Delivery.State.SKIPPED,
                    last_error="" if has_address else "no e-mail address",
                    digest=in_digest,
                    idempotency_key=idempotency_key(
                        school_id=school.pk, key=key, user_id=t.user_id, channel=policy.EMAIL
                    ),
                )
            )
        # With a daily digest the day's items reach the person once, by e-mail: no push per item.
        if pref.push and not in_digest:
            push_due = decide(i, t.audience, policy.PUSH)
            deliveries.append(
                Delivery(
                    school=school,
                    notification_id=notification_id,
                    recipient_id=t.user_id,
                    channel=policy.PUSH,
                    due_at=push_due,
                    next_attempt_at=push_due,
                    idempotency_key=idempotency_key(
                        school_id=school.pk, key=key, user_id=t.user_id, channel=policy.PUSH
                    ),
                )
            )
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    for i, t in fresh:
        if (events[i].key, t.user_id) in made:
            result = results[i]
            result.created += 1
            result.created_by_audience[t.audience] = result.created_by_audience.get(t.audience, 0) + 1


def delivery_preview(
    *, school: School, targets: Iterable[Target], moment: dt.datetime | None = None, urgent: bool = False
) -> list[tuple[dt.datetime, int]]:
    """What the sender sees while composing: [(moment, count), ...] of when the targets will see it.

    No writes; the same decision as notify(). Moments within a minute of `moment` count as `moment` ("now").
    """
    asked = moment or clock.now()
    decide = _decider(school=school, moment=asked, urgent=urgent)
    unique = _unique_targets(targets)
    return policy.summarize([decide(t.audience, policy.INAPP) for t in unique], asked=asked)


def _check_rules(name: str, rules: QuietRules, *, bounded: bool, errors: dict[str, list[str]]) -> None:
    if not rules.end < rules.start:
        errors[f"{name}_quiet_start"] = [_("Quiet hours start in the evening and end the next morning.")]
    elif bounded and rules.start > LATEST_QUIET_START:
        errors[f"{name}_quiet_start"] = [
            _("Quiet hours start at %(time)s at the latest.") % {"time": LATEST_QUIET_START.strftime("%H:%M")}
        ]
    elif bounded and rules.start < EARLIEST_QUIET_START:
        errors[f"{name}_quiet_start"] = [
            _("Quiet hours start at %(time)s at the earliest.") % {"time": EARLIEST_QUIET_START.strftime("%H:%M")}
        ]
    elif bounded and rules.end < EARLIEST_QUIET_END:
        errors[f"{name}_quiet_end"] = [
            _("Quiet hours end at %(time)s at the earliest.") % {"time": EARLIEST_QUIET_END.strftime("%H:%M")}
        ]
    elif bounded and rules.end > LATEST_QUIET_END:
        errors[f"{name}_quiet_end"] = [
            _("Quiet hours end at %(time)s at the latest.") % {"time": LATEST_QUIET_END.strftime("%H:%M")}
        ]


@transaction.atomic
def policy_update(
    *,
    school: School,
    actor: User,
    student: QuietRules,
    parent: QuietRules,
    staff: QuietRules,
    digest_time: dt.time,
    push_budget: int,
    urgent_roles: Iterable[str],
    roles: frozenset[str] | None = None,
) -> NotificationPolicy:
    """Stores the school's policy; only an administrator (MANAGE_POLICY) may. Inside the limits:
    quiet hours run overnight; for students and parents they start by 22:00 and end no earlier than 06:00;
    the digest time lies inside the parents' allowed hours; the push budget is 0 to MAX_PUSH_BUDGET."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    if not known & MANAGE_POLICY:
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    _check_rules("student", student, bounded=True, errors=errors)
    _check_rules("parent", parent, bounded=True, errors=errors)
    _check_rules("staff", staff, bounded=False, errors=errors)
    if not parent.end <= digest_time < parent.start:
        errors["digest_time"] = [_("Choose a digest time inside the parents' allowed hours.")]
    if not 0 <= push_budget <= MAX_PUSH_BUDGET:
        errors["push_budget"] = [_("Choose a number from 0 to %(max)s.") % {"max": MAX_PUSH_BUDGET}]
    senders = sorted(set(urgent_roles))
    if not set(senders) <= URGENT_ROLE_CHOICES:
        errors["urgent_roles"] = [_("Only teachers, staff and administrators can send urgent messages.")]
    if errors:
        raise ValidationFailed(fields=errors)
    row, _created = NotificationPolicy.objects.select_for_update().get_or_create(school=school)
    for prefix, rules in (("student", student), ("parent", parent), ("staff", staff)):
        setattr(row, f"{prefix}_quiet_start", rules.start)
        setattr(row, f"{prefix}_quiet_end", rules.end)
        setattr(row, f"{prefix}_quiet_weekends", rules.weekends)
        setattr(row, f"{prefix}_quiet_holidays", rules.holidays)
    row.digest_time = digest_time
    row.push_budget = push_budget
    row.urgent_roles = senders
    row.updated_by = actor
    row.save()
    school_id = school.pk
    transaction.on_commit(lambda: forget_policy(school_id))
    forget_policy(school_id)
    return row


@transaction.atomic
def preference_update(
    *,
    user: User,
    digest: bool | None,
    digest_time: dt.time | None,
    email: bool,
    push: bool,
    school: School | None = None,
) -> NotificationPreference:
    """Stores a person's choices. With `school`, a digest time must lie inside its parents' allowed hours
    (elsewhere the decision pulls an out-of-hours time inside the allowed hours)."""
    if digest_time is not None and school is not None:
        rules = policy_for(school=school).parent
        if not rules.end <= digest_time < rules.start:
            raise ValidationFailed(
                fields={
                    "digest_time": [
                        _("Choose a time between %(start)s and %(end)s.")
                        % {"start": rules.end.strftime("%H:%M"), "end": rules.start.strftime("%H:%M")}
                    ]
                }
            )
    row, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"digest": digest, "digest_time": digest_time, "email": email, "push": push}
    )
    return row


@transaction.atomic
def notification_mark_read(*, school: School, user: User, notification_id: int) -> Notification:
    """Marks one of the user's visible items read (another's, or one still held back, is NotFound)."""
    now = clock.now()
    item = (
        Notification.objects.select_for_update()
        .filter(school=school, recipient=user, pk=notification_id, visible_at__lte=now)
        .first()
    )
    if item is None:
        raise NotFound()
    if item.read_at is None:
        item.read_at = now
        item.save(update_fields=["read_at"])
    return item


READ_IN_THE_APP = "read in the app before it was sent"


def notifications_mark_read_about(*, school: School, user: User, keys: Sequence[str]) -> int:
    """Marks the user's visible items about these events read (reading a message reads its notification),
    and drops what was still to be sent of them: no e-mail, push or digest line about what was read.
    Returns how many items. Three queries, whatever the number of keys."""
    if not keys:
        return 0
    now = clock.now()
    ids = list(Notification.objects.filter(
        school=school, recipient=user, key__in=list(keys), visible_at__lte=now, read_at__isnull=True
    ).values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(school=school, pk__in=ids).update(read_at=now)
    Delivery.objects.filter(school=school, notification_id__in=ids, state=Delivery.State.PENDING).update(
        state=Delivery.State.SKIPPED, last_error=READ_IN_THE_APP)
    return len(ids)


@transaction.atomic
def notifications_mark_all_read(*, school: School, user: User) -> int:
    """Marks every visible unread item read; returns how many. Items still held back stay unread."""
    now = clock.now()
    return Notification.objects.filter(
        school=school, recipient=user, visible_at__lte=now, read_at__isnull=True
    ).update(read_at=now)


@transaction.atomic
def delivery_retry(*, school: School, delivery_id: int) -> Delivery:
    """Puts a failed delivery back in the queue, due now, with fresh attempts (the caller checks it is an
    administrator). Only failed rows can be retried."""
    row = Delivery.objects.select_for_update().filter(school=school, pk=delivery_id).first()
    if row is None:
        raise NotFound()
    if row.state != Delivery.State.FAILED:
        raise ValidationFailed(_("Only a failed delivery can be sent again."))
    row.state = Delivery.State.PENDING
    row.attempts = 0
    row.next_attempt_at = clock.now()
    row.save(update_fields=["state", "attempts", "next_attempt_at"])
    return row


@transaction.atomic
def withdraw_about(
    *, school: School, student_id: int, parent_ids: Iterable[int] | None = None, topic: str | None = None
) -> int:
    """Takes back what parents were told, or were still going to be told, about one child: their in-app
    items (so the notification centre no longer lists them), the e-mails and pushes not sent yet, and the
    lines waiting for a digest. `parent_ids` narrows it to some parents (a removed link), `topic` to the
    kinds of one topic (an adult student who keeps their results private). Returns how many items went.

    The rule also holds afterwards: `notify` asks the same links and the topic's gate before it writes.
    """
    qs = Notification.objects.filter(school=school, audience=policy.PARENT, about_student_id=student_id)
    if parent_ids is not None:
        qs = qs.filter(recipient_id__in=list(parent_ids))
    if topic is not None:
        qs = qs.filter(kind__in=sorted(kinds.kinds_of(topic)))
    _deleted, by_model = qs.delete()
    return by_model.get(Notification._meta.label, 0)


@transaction.atomic
def withdraw(*, school: School, key: str) -> int:
    """Takes back every row of an event that will not happen (a cancelled or rescheduled message): its
    in-app items and every delivery not sent yet disappear. Returns how many items were removed.

    What already left (a sent e-mail) cannot be taken back; those delivery rows go with their item too,
    as the event no longer exists. A dispatcher sending one of them right now records nothing afterwards.
    """
    _deleted, by_model = Notification.objects.filter(school=school, key=key).delete()
    return by_model.get(Notification._meta.label, 0)
