"""Writes for messages: send (a row and a queued fan-out), fan out in chunks, reply, reschedule, cancel.

Sending never expands the audience in the request: a message to the whole school is one Message row
and one task row, written in one transaction. The task writes the recipients in chunks of FANOUT_CHUNK
people, ordered by user id; each chunk commits with its progress, so a task that runs again after a
crash continues after the last committed chunk, and conflicts on (school, message, user) plus the
engine's idempotency keys make even a chunk written twice come out once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.core import clock, parts
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.richtext import plain_text, sanitise
from krijt.core.writes import model_update
from krijt.messaging import attachments as attachment_rules
from krijt.messaging import audiences, engine
from krijt.messaging.models import Attachment, Message, MessageRecipient, MessagingPolicy, Thread
from krijt.messaging.parts import inbox_scope
from krijt.messaging.permissions import reach_for
from krijt.messaging.selectors import policy_for
from krijt.schools.models import School
from krijt.schools.paths import school_path

logger = logging.getLogger(__name__)

FANOUT_CHUNK: int = getattr(settings, "KRIJT_MESSAGE_FANOUT_CHUNK", 1000)
# A fan-out whose progress has not moved for this long is taken to have lost its worker.
STALL_AFTER = dt.timedelta(seconds=getattr(settings, "KRIJT_MESSAGE_STALL_SECONDS", 300))
# A send time this close to now counts as "now" (the clock moves while the sender types).
NOW_TOLERANCE = dt.timedelta(minutes=1)
SUBJECT_MAX = 200
BODY_MAX = 50_000


def _clean_content(*, subject: str, body: str) -> tuple[str, str, str]:
    subject = " ".join((subject or "").split())
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("A subject has at most %(n)s characters.") % {"n": SUBJECT_MAX}]
    if len(body or "") > BODY_MAX:
        errors["body"] = [_("The message is too long.")]
    body_html = sanitise(body or "") if "body" not in errors else ""
    text = plain_text(body_html)
    if not errors and not text:
        errors["body"] = [_("Write a message.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return subject, body_html, text


def _check_send_at(send_at: dt.datetime | None, *, urgent: bool) -> dt.datetime:
    now = clock.now()
    if send_at is None:
        return now
    if send_at.tzinfo is None:
        raise ValidationFailed(fields={"send_at": [_("Choose a date and time.")]})
    if send_at < now - NOW_TOLERANCE:
        raise ValidationFailed(fields={"send_at": [_("Choose a moment in the future.")]})
    if urgent and send_at > now + NOW_TOLERANCE:
        raise ValidationFailed(fields={"send_at": [_("An urgent message goes out at once; it cannot be scheduled.")]})
    return max(send_at, now)


def _check_urgent(*, school: School, roles: frozenset[str], urgent: bool, reason: str) -> str:
    if not urgent:
        return ""
    if not roles & engine.urgent_roles(school=school):
        raise Forbidden(_("You may not send urgent messages in this school."))
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationFailed(fields={"urgent_reason": [_("Say why this message cannot wait.")]})
    return reason[:300]


def _check_uploads(uploads: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    if len(uploads) > attachment_rules.MAX_FILES:
        raise ValidationFailed(fields={"attachments": [
            _("Attach at most %(n)s files.") % {"n": attachment_rules.MAX_FILES}]})
    return [(upload, *attachment_rules.check(upload)) for upload in uploads]


def _store_attachments(*, message: Message, checked: list[tuple[UploadedFile, str, str]]) -> None:
    """Stores files through the default storage (a school can move to object storage by settings).

    Called after every check has passed, so a refused message stores no file.
    """
    for upload, name, content_type in checked:
        attachment = Attachment(
            school_id=message.school_id, message=message, original_name=name,
            content_type=content_type, size=upload.size or 0,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


def _enqueue_fanout(message: Message) -> None:
    from krijt.messaging.tasks import message_fanout_task

    message_fanout_task.enqueue(message_id=message.pk, generation=message.generation)


@transaction.atomic
def message_send(
    *,
    school: School,
    sender: User,
    roles: frozenset[str],
    to: Sequence[str],
    subject: str,
    body: str,
    send_at: dt.datetime | None = None,
    urgent: bool = False,
    urgent_reason: str = "",
    uploads: Sequence[UploadedFile] = (),
) -> Message:
    """Checks who may be reached, stores the message and queues its fan-out. Never expands the audience."""
    picks = audiences.parse(to)
    subject, body_html, text = _clean_content(subject=subject, body=body)
    moment = _check_send_at(send_at, urgent=urgent)
    reason = _check_urgent(school=school, roles=roles, urgent=urgent, reason=urgent_reason)
    reach = reach_for(roles=roles, policy=policy_for(school=school))
    label = audiences.check(school=school, sender=sender, reach=reach, picks=picks)
    checked = _check_uploads(uploads)
    thread = Thread.objects.create(school=school, subject=subject)
    message = Message.objects.create(
        school=school, thread=thread, sender=sender, subject=subject, body_html=body_html, body_text=text,
        audience=[p.as_dict() for p in picks], audience_label=label, send_at=moment,
        urgent=bool(reason), urgent_reason=reason,
    )
    _store_attachments(message=message, checked=checked)
    _enqueue_fanout(message)
    return message


def _reply_picks(*, original: Message, sender: User) -> list[audiences.Pick]:
    if original.sender_id != sender.pk:
        return [audiences.Pick("user", original.sender_id)]
    # The sender adds to their own message: the same audience again.
    return [audiences.Pick.from_dict(d) for d in original.audience]


@transaction.atomic
def message_reply(
    *,
    school: School,
    sender: User,
    roles: frozenset[str],
    message_id: int,
    body: str,
    uploads: Sequence[UploadedFile] = (),
) -> Message:
    """A reply in the same thread: to the sender of the message, or (the sender's own) to its audience.

    Answering the person who wrote to you is always allowed; a sender writing to their audience again
    is checked like a new message.
    """
    from krijt.messaging.selectors import message_for_reader

    original = message_for_reader(school=school, user=sender, message_id=message_id)
    subject = original.thread.subject
    prefix = _("Re:")
    subject = subject if subject.startswith(prefix) else f"{prefix} {subject}"
    subject, body_html, text = _clean_content(subject=subject[:SUBJECT_MAX], body=body)
    picks = _reply_picks(original=original, sender=sender)
    if original.sender_id == sender.pk:
        reach = reach_for(roles=roles, policy=policy_for(school=school))
        label = audiences.check(school=school, sender=sender, reach=reach, picks=picks)
    else:
        label = original.sender.full_name or original.sender.username
    checked = _check_uploads(uploads)
    message = Message.objects.create(
        school=school, thread=original.thread, reply_to=original, sender=sender, subject=subject,
        body_html=body_html, body_text=text, audience=[p.as_dict() for p in picks], audience_label=label,
        send_at=clock.now(),
    )
    _store_attachments(message=message, checked=checked)
    _enqueue_fanout(message)
    return message


def _own_scheduled(*, school: School, sender: User, message_id: int) -> Message:
    message = (
        Message.objects.select_for_update()
        .filter(school=school, pk=message_id, sender=sender, cancelled_at__isnull=True)
        .first()
    )
    if message is None:
        raise NotFound()
    if message.send_at <= clock.now():
        raise Conflict(_("This message has been sent already; it can no longer be changed."))
    return message


def _take_back(message: Message) -> None:
    """Removes what an earlier fan-out wrote (recipients and the engine's rows) before a new one."""
    readers = MessageRecipient.objects.filter(school_id=message.school_id, message=message)
    parts.bump(*(inbox_scope(message.school_id, pk) for pk in readers.values_list("user_id", flat=True)))
    readers.delete()
    engine.withdraw(school=message.school, key=message.notification_key)


@transaction.atomic
def message_reschedule(
    *,
    school: School,
    sender: User,
    roles: frozenset[str],
    message_id: int,
    send_at: dt.datetime,
    subject: str,
    body: str,
) -> Message:
    """Changes a scheduled message (time and text) until its send time; its fan-out starts again."""
    message = _own_scheduled(school=school, sender=sender, message_id=message_id)
    subject, body_html, text = _clean_content(subject=subject, body=body)
    moment = _check_send_at(send_at, urgent=False)
    _take_back(message)
    message.subject, message.body_html, message.body_text, message.send_at = subject, body_html, text, moment
    if message.reply_to_id is None:
        Thread.objects.filter(school=school, pk=message.thread_id).update(subject=subject)
    message.generation += 1
    message.fanout_state = Message.Fanout.QUEUED
    message.fanout_done = message.fanout_total = message.fanout_cursor = 0
    message.fanout_heartbeat = None
    message.save()
    _enqueue_fanout(message)
    return message


@transaction.atomic
def message_cancel(*, school: School, sender: User, message_id: int) -> Message:
    """Cancels a scheduled message before its send time: nobody will ever see it."""
    message = _own_scheduled(school=school, sender=sender, message_id=message_id)
    _take_back(message)
    message.cancelled_at = clock.now()
    message.fanout_state = Message.Fanout.CANCELLED
    message.generation += 1
    message.save()
    return message


def _message_url(message: Message, school: School) -> str:
    return school_path(school, "messaging:message", message_id=message.pk)


def _fanout_chunk(*, message_id: int, generation: int, chunk: Sequence[audiences.Recipient]) -> bool:
    """Writes one chunk and its progress in one transaction; False when the message changed meanwhile."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("school", "sender")
            .filter(pk=message_id, generation=generation, cancelled_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        visible = engine.notify_chunk(
            school=message.school, key=message.notification_key, recipients=chunk, subject=message.subject,
            sender_name=message.sender.full_name or message.sender.username,
            url=_message_url(message, message.school), moment=message.send_at, urgent=message.urgent,
            actor=message.sender, reason=message.urgent_reason, audience_label=message.audience_label,
        )
        MessageRecipient.objects.bulk_create(
            [
                MessageRecipient(
                    school_id=message.school_id, message_id=message.pk, user_id=r.user_id, audience=r.audience,
                    visible_at=visible.get(r.user_id) or message.send_at,
                )
                for r in chunk
            ],
            ignore_conflicts=True,
        )
        parts.bump(*(inbox_scope(message.school_id, r.user_id) for r in chunk))
        Message.objects.filter(pk=message.pk).update(
            fanout_cursor=chunk[-1].user_id,
            fanout_done=message.fanout_done + len(chunk),
            fanout_heartbeat=clock.now(),
            fanout_state=Message.Fanout.RUNNING,
        )
    return True


def message_fanout(*, message_id: int, generation: int) -> None:
    """Expands the audience and writes recipients and notifications in chunks (runs in a task).

    Safe to run again at any point, and twice at once: each chunk locks the message row, continues after
    the last committed recipient, and inserts with conflicts ignored.
    """
    message = Message.objects.select_related("school").filter(pk=message_id, generation=generation).first()
    if message is None or message.fanout_state in (Message.Fanout.DONE, Message.Fanout.CANCELLED):
        return
    picks = [audiences.Pick.from_dict(d) for d in message.audience]
    everyone = audiences.expand(school=message.school, picks=picks, exclude_user_id=message.sender_id)
    Message.objects.filter(pk=message.pk, generation=generation, cancelled_at__isnull=True).update(
        fanout_total=len(everyone), fanout_state=Message.Fanout.RUNNING, fanout_heartbeat=clock.now()
    )
    remaining = [r for r in everyone if r.user_id > message.fanout_cursor]
    for start in range(0, len(remaining), FANOUT_CHUNK):
        if not _fanout_chunk(message_id=message.pk, generation=generation, chunk=remaining[start:start + FANOUT_CHUNK]):
            return
    Message.objects.filter(pk=message.pk, generation=generation, cancelled_at__isnull=True).update(
        fanout_state=Message.Fanout.DONE, fanout_done=len(everyone), fanout_heartbeat=clock.now()
    )


def resume_stalled_fanouts(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Queues the fan-out again for messages whose worker died (no progress for STALL_AFTER).

    Called by `manage.py messages_resume` and by the in-process worker's housekeeping; returns how many.
    """
    moment = now or clock.now()
    stalled = list(
        Message.objects.filter(
            fanout_state__in=[Message.Fanout.QUEUED, Message.Fanout.RUNNING],
            cancelled_at__isnull=True,
            created_at__lt=moment - STALL_AFTER,
        )
        .exclude(fanout_heartbeat__gte=moment - STALL_AFTER)
        .order_by("pk")
        .values_list("pk", "generation")[:limit]
    )
    for message_id, generation in stalled:
        with transaction.atomic():
            # Marks the attempt so the next sweep waits STALL_AFTER again before queueing another.
            Message.objects.filter(pk=message_id, generation=generation).update(fanout_heartbeat=moment)
            from krijt.messaging.tasks import message_fanout_task

            message_fanout_task.enqueue(message_id=message_id, generation=generation)
    if stalled:
        logger.info("messages: resumed %s stalled fan-outs", len(stalled))
    return len(stalled)


def _my_rows(*, school: School, user: User, message_id: int) -> Any:
    message = (
        Message.objects.filter(school=school, pk=message_id, cancelled_at__isnull=True)
        .only("pk", "thread_id")
        .first()
    )
    if message is None:
        raise NotFound()
    rows = MessageRecipient.objects.filter(
        school=school, user=user, message__thread_id=message.thread_id, visible_at__lte=clock.now()
    )
    return rows


@transaction.atomic
def message_archive(*, school: School, user: User, message_id: int, archived: bool) -> int:
    """Moves a whole conversation to (or back from) the archive; returns how many messages moved."""
    rows = _my_rows(school=school, user=user, message_id=message_id)
    if archived:
        count = rows.filter(archived_at__isnull=True).update(archived_at=clock.now())
    else:
        count = rows.filter(archived_at__isnull=False).update(archived_at=None)
    parts.bump(inbox_scope(school.pk, user.pk))
    return int(count)


@transaction.atomic
def message_mark_read(*, school: School, user: User, thread_id: int) -> int:
    """Marks the thread's messages read for the reader, and the notifications that told them of those
    messages: what one has read is not still waiting behind the bell."""
    unread = MessageRecipient.objects.filter(
        school=school, user=user, message__thread_id=thread_id, read_at__isnull=True,
        visible_at__lte=clock.now(),
    )
    keys = [f"message:{pk}:{generation}"
            for pk, generation in unread.values_list("message_id", "message__generation")]
    marked = unread.update(read_at=clock.now())
    if marked:
        parts.bump(inbox_scope(school.pk, user.pk))
        engine.notifications_mark_read_about(school=school, user=user, keys=keys)
    return int(marked)


POLICY_FIELDS = (
    "students_to_teachers",
    "students_to_students",
    "parents_to_teachers",
    "teachers_to_own_classes",
    "teachers_to_all_classes",
)


@transaction.atomic
def messaging_policy_update(*, school: School, roles: frozenset[str], values: dict[str, bool]) -> MessagingPolicy:
    from krijt.messaging.permissions import MANAGE_POLICY

    if not roles & MANAGE_POLICY:
        raise Forbidden()
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown setting.")] for k in unknown})
    policy, _created = MessagingPolicy.objects.select_for_update().get_or_create(school=school)
    model_update(policy, {name: bool(values[name]) for name in POLICY_FIELDS if name in values})
    return policy
