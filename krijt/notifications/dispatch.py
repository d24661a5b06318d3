"""The dispatcher: claims due deliveries in batches, sends them, and records what happened.

Claiming is a short transaction of its own (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so several
dispatchers share the queue without waiting on each other) that turns rows into `sending` with a lease.
Sending happens outside any transaction. Recording is guarded by the lease: a worker that comes back after
its lease ran out (and another worker re-claimed the rows) records nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Count, F, Q

from krijt.core import clock
from krijt.notifications import kinds, policy
from krijt.notifications.digest import digest_email, group_by_recipient
from krijt.notifications.emails import absolute_url, item_email, language_of
from krijt.notifications.models import Delivery
from krijt.notifications.selectors import policy_for, preference_from_row, preferences_for
from krijt.notifications.services import idempotency_key
from krijt.schools.selectors import school_calendar

logger = logging.getLogger(__name__)

BATCH_SIZE = getattr(settings, "KRIJT_DISPATCH_BATCH_SIZE", 100)
# A claimed batch must be sent within the lease; after it another dispatcher may claim the rows again.
LEASE_SECONDS = getattr(settings, "KRIJT_DELIVERY_LEASE_SECONDS", 300)
MAX_ATTEMPTS = getattr(settings, "KRIJT_DELIVERY_MAX_ATTEMPTS", 5)
# Retry n waits BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** (n - 1): 1, 4, 16, 64 minutes.
BACKOFF_BASE_SECONDS = getattr(settings, "KRIJT_DELIVERY_BACKOFF_BASE_SECONDS", 60)
BACKOFF_FACTOR = getattr(settings, "KRIJT_DELIVERY_BACKOFF_FACTOR", 4)

State = Delivery.State
NO_PUSH = "push not available"
NO_SUBSCRIPTION = "no push subscription"
OVER_BUDGET = "over the daily push budget: in the digest"
# Errors that say the mail server itself is unreachable: the rest of the batch would fail the same way.
CONNECTION_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(attempts - 1, 0))


class _Redecider:
    """policy.redecide for claimed rows (notification, recipient and school loaded): one query for the digest
    times of the people with digest rows, the schools' policies and calendars from the cache."""

    def __init__(self, rows: list[Delivery]) -> None:
        digest_people = {r.recipient_id for r in rows if r.digest}
        self._prefs = preferences_for(user_ids=digest_people) if digest_people else {}
        self._calendars: dict[int, Any] = {}

    def __call__(self, row: Delivery, moment: dt.datetime) -> dt.datetime:
        if row.school_id not in self._calendars:
            self._calendars[row.school_id] = school_calendar(school=row.school)
        n = row.notification
        digest_time = None
        if row.digest:
            digest_time = preference_from_row(self._prefs.get(row.recipient_id), n.audience).digest_time
        return policy.redecide(
            moment=moment,
            audience=n.audience,
            channel=row.channel,
            urgent=n.urgent,
            digest=row.digest,
            policy=policy_for(school=row.school),
            calendar=self._calendars[row.school_id],
            tz=ZoneInfo(row.school.time_zone),
            digest_time=digest_time,
        )


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    digested: int = 0
    digests: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0
    deferred: int = 0


@dataclass
class _Outcome:
    sent: list[int] = field(default_factory=list)
    digested: list[int] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    errors: list[tuple[Delivery, str]] = field(default_factory=list)
    # Rows claimed at a moment they may not go (a backlog after an outage reaching into quiet hours): back
    # to pending at their next allowed moment, the attempt not counted.
    deferred: dict[int, tuple[Delivery, dt.datetime]] = field(default_factory=dict)
    digests: int = 0


def _locked(qs: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    # SQLite has no row locks; its IMMEDIATE transactions already serialise writers.
    return qs.select_for_update() if connection.features.has_select_for_update else qs


def claim(*, now: dt.datetime, limit: int) -> tuple[list[int], dt.datetime]:
    """Claims up to `limit` due rows (pending and due, or sending with a lease that ran out) and every
    other due digest row of the same people, so a family's digest leaves as one e-mail. Three queries."""
    lease_end = now + dt.timedelta(seconds=LEASE_SECONDS)
    due = Q(state__in=[State.PENDING, State.SENDING], next_attempt_at__lte=now)
    with transaction.atomic():
        rows = list(
            _locked(Delivery.objects.filter(due).order_by("next_attempt_at", "id")).values_list(
                "pk", "recipient_id", "digest"
            )[:limit]
        )
        ids = [pk for pk, _r, _d in rows]
        digest_people = {recipient for _pk, recipient, is_digest in rows if is_digest}
        if digest_people:
            ids += list(
                _locked(Delivery.objects.filter(due, digest=True, recipient_id__in=digest_people).exclude(pk__in=ids))
                .values_list("pk", flat=True)
            )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                state=State.SENDING, next_attempt_at=lease_end, attempts=F("attempts") + 1
            )
    return ids, lease_end


def dispatch_once(*, batch_size: int | None = None) -> DispatchReport:
    """Claims one batch of due deliveries, sends them and records the outcome; returns what happened.

    A fixed number of queries per batch, plus the sends themselves.
    """
    now = clock.now()
    ids, lease_end = claim(now=now, limit=batch_size or BATCH_SIZE)
    report = DispatchReport(claimed=len(ids))
    if not ids:
        return report
    rows = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("school", "recipient", "notification", "notification__about_student", "notification__school")
        .order_by("id")
    )
    outcome = _Outcome()
    decide = _Redecider(rows)
    # The decision holds on every path: a row claimed when it may not go (quiet hours began while it
    # waited) goes back to wait for its next allowed moment.
    for row in rows:
        when = decide(row, now)
        if when > now:
            outcome.deferred[row.pk] = (row, when)
    rows = [r for r in rows if r.pk not in outcome.deferred]
    pushes = [r for r in rows if r.channel == policy.PUSH]
    moved = _send_pushes(pushes, now=now, outcome=outcome, batch=set(ids)) if pushes else set()
    digests = [r for r in rows if r.channel == policy.EMAIL and r.digest and r.pk not in moved]
    emails = [r for r in rows if r.channel == policy.EMAIL and not r.digest and r.pk not in moved]
    if emails or digests:
        _send_emails(emails, digests, now=now, outcome=outcome)
    _record(outcome, lease_end=lease_end, report=report, decide=decide)
    return report


def _send_pushes(rows: list[Delivery], *, now: dt.datetime, outcome: _Outcome, batch: set[int]) -> set[int]:
    """Sends the pushes of a batch; returns the ids of e-mails in the batch moved into a digest (budget)."""
    try:
        # Looked up at run time: web push is a separate module, and an install may leave it out.
        send_push = importlib.import_module("krijt.webpush.sender").send_push
    except (ImportError, AttributeError):
        outcome.skipped[NO_PUSH] += [r.pk for r in rows]
        return set()
    sent_today = _pushes_sent_today(rows, now=now)
    over: list[Delivery] = []
    for row in rows:
        budget = policy_for(school=row.school).push_budget
        counter = (row.school_id, row.recipient_id)
        if not row.notification.urgent and sent_today[counter] >= budget:
            over.append(row)
            continue
        language = language_of(row.recipient, row.school)
        rendered = kinds.render(row.notification.kind, row.notification.params, language)
        payload = {
            "title": rendered.title,
            "body": rendered.text,
            "url": absolute_url(row.school, row.notification.url),
            "tag": row.idempotency_key,
            "lang": language,
            "urgent": row.notification.urgent,
        }
        try:
            results = send_push(row.recipient_id, payload)
        except Exception as exc:
            logger.warning("push to user %s failed", row.recipient_id, exc_info=True)
            outcome.errors.append((row, f"push: {exc}"))
            continue
        if not results:
            outcome.skipped[NO_SUBSCRIPTION].append(row.pk)
        elif any(_push_ok(r) for r in results):
            outcome.sent.append(row.pk)
            sent_today[counter] += 1
        else:
            outcome.errors.append((row, "push: " + "; ".join(_push_error(r) for r in results)))
    if not over:
        return set()
    outcome.skipped[OVER_BUDGET] += [r.pk for r in over]
    return _into_digest(over, now=now, batch=batch)


def _push_ok(result: Any) -> bool:
    return bool(getattr(result, "ok", result))


def _push_error(result: Any) -> str:
    return str(getattr(result, "error", "") or "refused")


def _pushes_sent_today(rows: list[Delivery], *, now: dt.datetime) -> defaultdict[tuple[int, int], int]:
    """Pushes already sent today (the school's local day) per (school, person): one query."""
    day_start: dict[int, dt.datetime] = {}
    for row in rows:
        if row.school_id not in day_start:
            local = now.astimezone(ZoneInfo(row.school.time_zone))
            day_start[row.school_id] = policy.wall(local.date(), dt.time(0), ZoneInfo(row.school.time_zone))
    since = Q()
    for school_id, start in day_start.items():
        since |= Q(school_id=school_id, sent_at__gte=start)
    counts: defaultdict[tuple[int, int], int] = defaultdict(int)
    for school_id, recipient_id, n in (
        Delivery.objects.filter(
            since, channel=policy.PUSH, state=State.SENT, recipient_id__in={r.recipient_id for r in rows}
        )
        .values_list("school_id", "recipient_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(school_id, recipient_id)] = n
    return counts


def _into_digest(rows: list[Delivery], *, now: dt.datetime, batch: set[int]) -> set[int]:
    """Pushes over the budget turn the rest of the person's day into digest items: the item's e-mail (one
    waiting, or one claimed in this very batch) moves into the person's next digest, and an item with no
    e-mail at all gets a digest row when the person takes e-mail. Returns the ids taken out of this batch.
    """
    prefs = preferences_for(user_ids={r.recipient_id for r in rows})
    calendars: dict[int, Any] = {}
    due_by_item: dict[tuple[int, int], dt.datetime] = {}
    for row in rows:
        n = row.notification
        pref = preference_from_row(prefs.get(row.recipient_id), n.audience)
        if not pref.email or not row.recipient.email:
            continue
        if row.school_id not in calendars:
            calendars[row.school_id] = school_calendar(school=row.school)
        due_by_item[(n.pk, row.recipient_id)] = policy.earliest_delivery(
            moment=now,
            audience=n.audience,
            channel=policy.EMAIL,
            urgent=False,
            policy=policy_for(school=row.school),
            calendar=calendars[row.school_id],
            tz=ZoneInfo(row.school.time_zone),
            preference=policy.Preference(digest=True, digest_time=pref.digest_time),
        )
    if not due_by_item:
        return set()
    moved: list[Delivery] = []
    taken: set[int] = set()
    has_email: set[tuple[int, int]] = set()
    for email in Delivery.objects.filter(
        notification_id__in={item for item, _user in due_by_item}, channel=policy.EMAIL
    ):
        item = (email.notification_id, email.recipient_id)
        has_email.add(item)
        movable = email.state == State.PENDING or (email.state == State.SENDING and email.pk in batch)
        if item not in due_by_item or email.digest or not movable:
            continue
        if email.pk in batch:
            taken.add(email.pk)
            email.attempts = max(email.attempts - 1, 0)  # it was not tried
        email.state, email.digest = State.PENDING, True
        email.due_at = email.next_attempt_at = due_by_item[item]
        moved.append(email)
    Delivery.objects.bulk_update(moved, ["state", "digest", "due_at", "next_attempt_at", "attempts"])
    by_item = {(r.notification_id, r.recipient_id): r for r in rows}
    Delivery.objects.bulk_create(
        [
            Delivery(
                school_id=by_item[item].school_id,
                notification_id=item[0],
                recipient_id=item[1],
                channel=policy.EMAIL,
                due_at=due,
                next_attempt_at=due,
                digest=True,
                idempotency_key=idempotency_key(
                    school_id=by_item[item].school_id,
                    key=by_item[item].notification.key,
                    user_id=item[1],
                    channel=policy.EMAIL,
                ),
            )
            for item, due in due_by_item.items()
            if item not in has_email
        ],
        ignore_conflicts=True,
    )
    return taken


def _send_emails(items: list[Delivery], digests: list[Delivery], *, now: dt.datetime, outcome: _Outcome) -> None:
    groups: list[tuple[list[Delivery], bool]] = [([row], False) for row in items]
    groups += [(group, True) for group in group_by_recipient(digests).values()]
    mail = get_connection(fail_silently=False)
    broken: str | None = None
    try:
        mail.open()
    except Exception as exc:
        broken = f"mail server: {exc}"
    try:
        for group, is_digest in groups:
            if broken:
                outcome.errors += [(row, broken) for row in group]
                continue
            try:
                message = digest_email(group, now=now) if is_digest else item_email(group[0])
                mail.send_messages([message])
            except CONNECTION_ERRORS as exc:
                broken = f"mail server: {exc}"
                outcome.errors += [(row, broken) for row in group]
                continue
            except Exception as exc:
                logger.warning("e-mail to user %s failed", group[0].recipient_id, exc_info=True)
                outcome.errors += [(row, f"e-mail: {exc}") for row in group]
                continue
            if is_digest:
                outcome.digested += [row.pk for row in group]
                outcome.digests += 1
            else:
                outcome.sent += [row.pk for row in group]
    finally:
        try:
            mail.close()
        except Exception:
            logger.debug("closing the mail connection failed", exc_info=True)


def _keep_digests_together(rows: list[Delivery]) -> None:
    """A person's digest rows that failed together retry together: at the earliest of their moments (each is
    an allowed one), so rows with different attempt counts never split into two digests on one day."""
    earliest: dict[int, dt.datetime] = {}
    for row in rows:
        if row.digest and row.state == State.PENDING:
            earliest[row.recipient_id] = min(earliest.get(row.recipient_id, row.next_attempt_at), row.next_attempt_at)
    for row in rows:
        if row.digest and row.state == State.PENDING:
            row.next_attempt_at = earliest[row.recipient_id]


def _record(
    outcome: _Outcome, *, lease_end: dt.datetime, report: DispatchReport, decide: _Redecider | None = None
) -> None:
    """Writes every outcome of the batch: at most one update per kind of outcome, one bulk update for retries
    and deferrals. A retry is decided again: backoff that lands in quiet hours waits for the next allowed
    moment (a digest for the next digest moment, merged with that day's items)."""
    now = clock.now()
    decide = decide or _Redecider([row for row, _error in outcome.errors])
    mine = Q(state=State.SENDING, next_attempt_at=lease_end)
    with transaction.atomic():
        if outcome.sent:
            report.sent = Delivery.objects.filter(mine, pk__in=outcome.sent).update(
                state=State.SENT, sent_at=now, last_error=""
            )
        if outcome.digested:
            report.digested = Delivery.objects.filter(mine, pk__in=outcome.digested).update(
                state=State.DIGESTED, sent_at=now, last_error=""
            )
            report.digests = outcome.digests
        for reason, ids in outcome.skipped.items():
            report.skipped += Delivery.objects.filter(mine, pk__in=ids).update(
                state=State.SKIPPED, last_error=reason
            )
        retry: list[Delivery] = []
        for row, error in outcome.errors:
            row.last_error = error[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.state = State.FAILED
                row.next_attempt_at = now
                report.failed += 1
            else:
                row.state = State.PENDING
                row.next_attempt_at = decide(row, now + backoff(row.attempts))
                report.retrying += 1
            retry.append(row)
        _keep_digests_together(retry)
        for row, when in outcome.deferred.values():
            row.state, row.next_attempt_at = State.PENDING, when
            row.attempts = max(row.attempts - 1, 0)  # it was not tried
            retry.append(row)
            report.deferred += 1
        if retry:
            # Rows another dispatcher re-claimed after our lease ran out are theirs now: leave them.
            still_mine = set(
                Delivery.objects.filter(mine, pk__in=[r.pk for r in retry]).values_list("pk", flat=True)
            )
            Delivery.objects.bulk_update(
                [r for r in retry if r.pk in still_mine], ["state", "next_attempt_at", "last_error", "attempts"]
            )
    if report.failed:
        logger.warning("%s deliveries failed for good after %s attempts", report.failed, MAX_ATTEMPTS)
