"""Writes for announcements: post (one row, its audience rules, a queued fan-out), change, withdraw, open,
answer, remind, and the fan-out that tells the audience through the notification engine.

Posting never expands the audience in the request: a whole-school announcement is one Announcement row, one
AudienceRule row and one task row, whatever the school's size. The task tells people in chunks ordered by
user id; each chunk commits with its progress, so a task that runs again continues after the last chunk,
and the engine's keys make a chunk written twice come out once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.accounts.selectors import actor_roles
from krijt.announcements import audiences, kinds, permissions
from krijt.announcements.models import Announcement, AnnouncementFile, Answer, AudienceRule, ReadMark
from krijt.announcements.parts import mine_scope, rule_scope
from krijt.announcements.selectors import announcement_for_reader, asked_of_self, children_reached, keys_of
from krijt.core import clock, parts
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.richtext import plain_text, sanitise
from krijt.core.uploads import DOCUMENTS, IMAGES, CheckedFile, Use, check
from krijt.schools.models import School
from krijt.schools.paths import school_path

logger = logging.getLogger(__name__)

FANOUT_CHUNK: int = getattr(settings, "KRIJT_ANNOUNCEMENT_FANOUT_CHUNK", 1000)
STALL_AFTER = dt.timedelta(seconds=getattr(settings, "KRIJT_ANNOUNCEMENT_STALL_SECONDS", 300))
NOW_TOLERANCE = dt.timedelta(minutes=1)
TITLE_MAX = 200
BODY_MAX = 50_000
MAX_FILES = 5
FILE = Use(extensions=DOCUMENTS | IMAGES, max_bytes=10 * 1024 * 1024, field="files")
MAX_OPTIONS = 6
OPTION_MAX = 120
# A reminder reaches those who have not answered at most once a day.
REMINDER_GAP = dt.timedelta(hours=20)
READ = "read"


@dataclass(frozen=True)
class AnnouncementIn:
    title: str
    body: str
    audience: Sequence[str]
    publish_at: dt.datetime | None = None
    pinned_until: dt.date | None = None
    expires_at: dt.datetime | None = None
    urgent: bool = False
    urgent_reason: str = ""
    reply: str = Announcement.Reply.NONE
    slip_question: str = ""
    slip_options: Sequence[str] = ()
    answer_by: dt.date | None = None
    language: str = "nl"
    # {"fr": ("titre", "texte"), ...}: the author's translations, each optional.
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)


def _content(data: AnnouncementIn, errors: dict[str, list[str]]) -> tuple[str, str, str, dict[str, Any]]:
    title = " ".join((data.title or "").split())
    if not title:
        errors["title"] = [_("Write a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("A title has at most %(n)s characters.") % {"n": TITLE_MAX}]
    body_html = sanitise(data.body or "") if len(data.body or "") <= BODY_MAX else ""
    if len(data.body or "") > BODY_MAX:
        errors["body"] = [_("The text is too long.")]
    elif not plain_text(body_html):
        errors["body"] = [_("Write the announcement.")]
    languages = {code for code, _name in settings.LANGUAGES}
    if data.language not in languages:
        errors["language"] = [_("Choose a language from the list.")]
    translations: dict[str, Any] = {}
    for code, (typed_title, t_body) in data.translations.items():
        t_title = " ".join((typed_title or "").split())
        if code not in languages or code == data.language or not (t_title or (t_body or "").strip()):
            continue
        t_html = sanitise(t_body or "") if len(t_body or "") <= BODY_MAX else ""
        if not t_title or len(t_title) > TITLE_MAX or not plain_text(t_html):
            errors[f"title_{code}"] = [_("A translation needs its own title and text.")]
            continue
        translations[code] = {"title": t_title, "body_html": t_html, "body_text": plain_text(t_html),
                              "body_source": (t_body or "").strip()}
    return title, body_html, plain_text(body_html), translations


def _moments(data: AnnouncementIn, *, school: School, now: dt.datetime, errors: dict[str, list[str]],
             published: dt.datetime | None = None) -> dt.datetime:
    publish_at = published or data.publish_at or now
    if published is None and data.publish_at is not None:
        if data.publish_at.tzinfo is None:
            errors["publish_at"] = [_("Choose a date and time.")]
            return now
        if data.publish_at < now - NOW_TOLERANCE:
            errors["publish_at"] = [_("Choose a moment in the future.")]
        elif data.urgent and data.publish_at > now + NOW_TOLERANCE:
            errors["publish_at"] = [_("An urgent announcement goes out at once; it cannot be scheduled.")]
        publish_at = max(data.publish_at, now)
    local_publish = publish_at.astimezone(ZoneInfo(school.time_zone)).date()
    if data.expires_at is not None and data.expires_at <= publish_at:
        errors["expires_at"] = [_("An announcement expires after it is published.")]
    if data.pinned_until is not None and data.pinned_until < local_publish:
        errors["pinned_until"] = [_("Pin it until a day after it is published.")]
    if data.answer_by is not None and data.answer_by < local_publish:
        errors["answer_by"] = [_("Ask for answers by a day after it is published.")]
    return publish_at


def _reply(data: AnnouncementIn, errors: dict[str, list[str]]) -> tuple[str, str, list[str]]:
    if data.reply not in Announcement.Reply.values:
        errors["reply"] = [_("Choose from the list.")]
        return Announcement.Reply.NONE, "", []
    if data.reply != Announcement.Reply.SLIP:
        return data.reply, "", []
    question = " ".join((data.slip_question or "").split())
    options = list(dict.fromkeys(" ".join(o.split()) for o in data.slip_options if o and o.strip()))
    if not question or len(question) > 300:
        errors["slip_question"] = [_("Write the question of the reply slip.")]
    if not 2 <= len(options) <= MAX_OPTIONS or any(len(o) > OPTION_MAX for o in options):
        errors["slip_options"] = [_("Give two to %(n)s answers to choose from.") % {"n": MAX_OPTIONS}]
    return data.reply, question, options


def _check_urgent(*, school: School, roles: frozenset[str], data: AnnouncementIn,
                  errors: dict[str, list[str]]) -> str:
    if not data.urgent:
        return ""
    from krijt.notifications.selectors import policy_for

    if not roles & policy_for(school=school).urgent_roles:
        raise Forbidden(_("You may not send urgent messages in this school."))
    reason = " ".join((data.urgent_reason or "").split())
    if not reason:
        errors["urgent_reason"] = [_("Say why this announcement is urgent.")]
    return reason[:300]


def _checked_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    if len(files) > MAX_FILES:
        message = _("Add at most %(n)d files.") % {"n": MAX_FILES}
        raise ValidationFailed(message, fields={"files": [message]})
    return [check(upload, FILE) for upload in files]


def _bump(school_id: int, keys: Sequence[str]) -> None:
    parts.bump(*(rule_scope(school_id, k) for k in keys))


def _enqueue_fanout(item: Announcement) -> None:
    from krijt.announcements.tasks import announcement_fanout_task

    item_id, generation = item.pk, item.generation
    transaction.on_commit(lambda: announcement_fanout_task.enqueue(announcement_id=item_id, generation=generation))


@transaction.atomic
def announcement_post(*, school: School, author: User, data: AnnouncementIn,
                      files: Sequence[UploadedFile] = (), roles: frozenset[str] | None = None) -> Announcement:
    """Posts an announcement now or at a moment to come. A fixed number of queries, whatever the audience."""
    known = actor_roles(school=school, actor=author, roles=roles)
    if not known & permissions.WRITE_ROLES:
        raise Forbidden()
    keys = audiences.parse(data.audience)
    now = clock.now()
    errors: dict[str, list[str]] = {}
    title, body_html, body_text, translations = _content(data, errors)
    publish_at = _moments(data, school=school, now=now, errors=errors)
    reply, question, options = _reply(data, errors)
    reason = _check_urgent(school=school, roles=known, data=data, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    checked = _checked_files(files)
    year = audiences.year_of(school, clock.local_today(school.time_zone))
    label = audiences.check(school=school, keys=keys, everything=permissions.may_address_everything(known),
                            user_id=author.pk, year=year)
    item = Announcement.objects.create(
        school=school, author=author, title=title, body_html=body_html, body_text=body_text,
        body_source=(data.body or "").strip(), language=data.language,
        translations=translations, audience_label=label, publish_at=publish_at, pinned_until=data.pinned_until,
        expires_at=data.expires_at, urgent=data.urgent, urgent_reason=reason, reply=reply, slip_question=question,
        slip_options=options, answer_by=data.answer_by if reply != Announcement.Reply.NONE else None)
    AudienceRule.objects.bulk_create([AudienceRule(school=school, announcement=item, key=k) for k in keys])
    for upload in checked:
        row = AnnouncementFile(school=school, announcement=item, name=upload.name, size=upload.size,
                               content_type=upload.content_type)
        row.file.save(upload.name, upload.upload, save=False)
        row.save()
    _bump(school.pk, keys)
    _enqueue_fanout(item)
    return item


def _managed(*, school: School, actor: User, roles: frozenset[str], announcement_id: int,
             lock: bool = True) -> Announcement:
    qs = Announcement.objects.select_for_update() if lock else Announcement.objects
    item = qs.filter(school=school, pk=announcement_id, withdrawn_at__isnull=True).first()
    if item is None or not permissions.may_manage(roles, author_id=item.author_id, user_id=actor.pk):
        raise NotFound()
    return item


@transaction.atomic
def announcement_change(*, school: School, actor: User, announcement_id: int, data: AnnouncementIn,
                        roles: frozenset[str] | None = None) -> Announcement:
    """Changes an announcement. Before its moment everything may change: what the engine had queued is taken
    back and queued again. Once published, its text, pinning, expiry and answer date may change, not its
    audience, moment or reply slip (people may have answered); nobody is told again."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    item = _managed(school=school, actor=actor, roles=known, announcement_id=announcement_id)
    now = clock.now()
    published = item.publish_at <= now
    old_keys = keys_of(item=item)
    keys = audiences.parse(data.audience) if not published else old_keys
    errors: dict[str, list[str]] = {}
    title, body_html, body_text, translations = _content(data, errors)
    publish_at = _moments(data, school=school, now=now, errors=errors, published=item.publish_at if published else None)
    if published:
        if sorted(keys) != sorted(audiences.parse(data.audience)) or data.reply != item.reply or (
                item.reply == Announcement.Reply.SLIP and list(data.slip_options) != item.slip_options):
            raise Conflict(_("It is published: its audience and its reply slip can no longer change."))
        reply, question, options = item.reply, item.slip_question, item.slip_options
        reason = item.urgent_reason
        if data.urgent != item.urgent:
            raise Conflict(_("It is published: whether it is urgent can no longer change."))
    else:
        reply, question, options = _reply(data, errors)
        reason = _check_urgent(school=school, roles=known, data=data, errors=errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if not published:
        year = audiences.year_of(school, clock.local_today(school.time_zone))
        item.audience_label = audiences.check(school=school, keys=keys, user_id=item.author_id or actor.pk,
                                              everything=permissions.may_address_everything(known), year=year)
        _take_back(item)
        item.generation += 1
        item.fanout_state, item.fanout_cursor, item.fanout_done = Announcement.Fanout.QUEUED, 0, 0
        item.publish_at, item.urgent, item.urgent_reason = publish_at, data.urgent, reason
        item.reply, item.slip_question, item.slip_options = reply, question, options
        if set(keys) != set(old_keys):
            AudienceRule.objects.filter(school=school, announcement=item).delete()
            AudienceRule.objects.bulk_create([AudienceRule(school=school, announcement=item, key=k) for k in keys])
    item.title, item.body_html, item.body_text, item.translations = title, body_html, body_text, translations
    item.body_source = (data.body or "").strip()
    item.language = data.language
    item.pinned_until, item.expires_at = data.pinned_until, data.expires_at
    item.answer_by = data.answer_by if item.reply != Announcement.Reply.NONE else None
    item.save()
    _bump(school.pk, sorted(set(keys) | set(old_keys)))
    if not published:
        _enqueue_fanout(item)
    return item


def _take_back(item: Announcement) -> None:
    from krijt.notifications import services as engine

    engine.withdraw(school=item.school, key=item.notification_key)


@transaction.atomic
def announcement_withdraw(*, school: School, actor: User, announcement_id: int,
                          roles: frozenset[str] | None = None) -> Announcement:
    """Takes an announcement back: it leaves every list, and what the engine had not sent yet goes too."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    item = _managed(school=school, actor=actor, roles=known, announcement_id=announcement_id)
    _take_back(item)
    from krijt.notifications import services as engine

    for n in range(1, item.reminders + 1):
        engine.withdraw(school=school, key=f"announcement:{item.pk}:reminder:{n}")
    item.withdrawn_at = clock.now()
    item.generation += 1
    item.save(update_fields=["withdrawn_at", "generation", "updated_at"])
    _bump(school.pk, keys_of(item=item))
    return item


def _url(item: Announcement) -> str:
    return school_path(item.school, "announcements:detail", announcement_id=item.pk)


def _params(item: Announcement) -> dict[str, Any]:
    author = item.author
    return {"title": item.title, "titles": {k: v.get("title", "") for k, v in item.translations.items()},
            "author": (author.full_name or author.username) if author is not None else ""}


def announcement_fanout(*, announcement_id: int, generation: int) -> None:
    """Tells the audience through the engine, in chunks (runs in a task). Safe to run again at any point."""
    item = Announcement.objects.select_related("school").filter(pk=announcement_id, generation=generation,
                                                                withdrawn_at__isnull=True).first()
    if item is None or item.fanout_state == Announcement.Fanout.DONE:
        return
    day = item.publish_at.astimezone(ZoneInfo(item.school.time_zone)).date()
    everyone = [p for p in audiences.expand(school=item.school, keys=keys_of(item=item), day=day)
                if p.user_id != item.author_id]
    remaining = [p for p in everyone if p.user_id > item.fanout_cursor]
    for start in range(0, len(remaining), FANOUT_CHUNK):
        chunk = remaining[start:start + FANOUT_CHUNK]
        if not _fanout_chunk(announcement_id=item.pk, generation=generation, chunk=chunk):
            return
    Announcement.objects.filter(pk=item.pk, generation=generation).update(
        fanout_state=Announcement.Fanout.DONE, fanout_heartbeat=clock.now())


def _fanout_chunk(*, announcement_id: int, generation: int, chunk: Sequence[audiences.Person]) -> bool:
    from krijt.notifications.services import Target, notify

    with transaction.atomic():
        item = (Announcement.objects.select_for_update(of=("self",)).select_related("school", "author")
                .filter(pk=announcement_id, generation=generation, withdrawn_at__isnull=True).first())
        if item is None:
            return False
        extra: dict[str, Any] = {"reason": item.urgent_reason, "audience_label": item.audience_label,
                                 "actor": item.author} if item.urgent else {}
        notify(school=item.school, kind=kinds.KIND, key=item.notification_key, params=_params(item),
               targets=[Target(p.user_id, p.audience, p.about_student_id) for p in chunk], url=_url(item),
               moment=item.publish_at, urgent=item.urgent, **extra)
        Announcement.objects.filter(pk=item.pk).update(
            fanout_cursor=chunk[-1].user_id, fanout_done=item.fanout_done + len(chunk),
            fanout_heartbeat=clock.now(), fanout_state=Announcement.Fanout.RUNNING)
    return True


def resume_stalled_fanouts(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Queues the fan-out again for announcements whose worker died (no progress for STALL_AFTER)."""
    moment = now or clock.now()
    stalled = list(
        Announcement.objects.filter(fanout_state__in=[Announcement.Fanout.QUEUED, Announcement.Fanout.RUNNING],
                                    withdrawn_at__isnull=True, created_at__lt=moment - STALL_AFTER)
        .exclude(fanout_heartbeat__gte=moment - STALL_AFTER).order_by("pk").values_list("pk", "generation")[:limit])
    from krijt.announcements.tasks import announcement_fanout_task

    for announcement_id, generation in stalled:
        with transaction.atomic():
            Announcement.objects.filter(pk=announcement_id, generation=generation).update(fanout_heartbeat=moment)
            announcement_fanout_task.enqueue(announcement_id=announcement_id, generation=generation)
    if stalled:
        logger.info("announcements: resumed %s stalled fan-outs", len(stalled))
    return len(stalled)


def announcement_opened(*, school: School, user: User, announcement_id: int,
                        roles: frozenset[str] | None = None) -> Announcement:
    """The announcement for its reader, marked read (and the notification that announced it)."""
    from krijt.notifications.services import notifications_mark_read_about

    known = actor_roles(school=school, actor=user, roles=roles)
    item = announcement_for_reader(school=school, user=user, roles=known, announcement_id=announcement_id)
    _, created = ReadMark.objects.get_or_create(school=school, user=user, announcement=item,
                                                defaults={"read_at": clock.now()})
    if created:
        notifications_mark_read_about(school=school, user=user, keys=[item.notification_key])
        parts.bump(mine_scope(school.pk, user.pk))
    return item


@transaction.atomic
def answer_give(*, school: School, user: User, announcement_id: int, choice: str, student_id: int | None = None,
                roles: frozenset[str] | None = None) -> Answer:
    """A reader's acknowledgement or slip answer: a student for themselves, a parent for one child the
    announcement reaches, staff for themselves. It may change until the answer date has passed."""
    known = actor_roles(school=school, actor=user, roles=roles)
    item = announcement_for_reader(school=school, user=user, roles=known, announcement_id=announcement_id)
    if item.reply == Announcement.Reply.NONE:
        raise ValidationFailed(_("This announcement asks for no answer."))
    if not item.answers_open_on(clock.local_today(school.time_zone)):
        raise Conflict(_("Answers were asked by %(day)s.") % {
            "day": formats.date_format(item.answer_by or "", "SHORT_DATE_FORMAT")})
    choice = " ".join((choice or "").split())
    if item.reply == Announcement.Reply.READ:
        choice = READ
    elif choice not in item.slip_options:
        raise ValidationFailed(fields={"choice": [_("Choose one of the answers.")]})
    keys = set(keys_of(item=item))
    if student_id:
        if student_id not in children_reached(school=school, user=user, roles=known, item=item, keys=keys):
            raise NotFound()
        by_parent = True
    elif asked_of_self(school=school, user=user, roles=known, item=item, keys=keys):
        by_parent = False
    else:
        raise ValidationFailed(fields={"student": [_("Choose the child you answer for.")]})
    now = clock.now()
    try:
        with transaction.atomic():
            row, _created = Answer.objects.update_or_create(
                school=school, announcement=item, user=user, student_id=student_id or None,
                defaults={"choice": choice, "answered_at": now, "by_parent": by_parent})
    except IntegrityError as error:  # two taps at once: the other one's row stands
        raise Conflict() from error
    parts.bump(mine_scope(school.pk, user.pk))
    return row


@transaction.atomic
def reminder_send(*, school: School, actor: User, announcement_id: int,
                  roles: frozenset[str] | None = None) -> Announcement:
    """Queues a reminder to those who have not answered yet; the engine tells them inside their allowed
    hours (parents in their digest). At most one a day, and only until the answer date."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    item = _managed(school=school, actor=actor, roles=known, announcement_id=announcement_id)
    now = clock.now()
    if item.reply == Announcement.Reply.NONE:
        raise ValidationFailed(_("This announcement asks for no answer."))
    if item.publish_at > now:
        raise Conflict(_("It is not published yet."))
    if not item.answers_open_on(clock.local_today(school.time_zone)):
        raise Conflict(_("The answer date has passed."))
    if item.reminded_at is not None and now - item.reminded_at < REMINDER_GAP:
        raise Conflict(_("A reminder went out less than a day ago."))
    item.reminded_at, item.reminders = now, item.reminders + 1
    item.save(update_fields=["reminded_at", "reminders", "updated_at"])
    from krijt.announcements.tasks import announcement_reminder_task

    item_id, number = item.pk, item.reminders
    transaction.on_commit(lambda: announcement_reminder_task.enqueue(announcement_id=item_id, number=number))
    return item


def reminder_fanout(*, announcement_id: int, number: int) -> int:
    """Tells those who have not answered (runs in a task): students and staff for themselves, parents about a
    child nobody answered for. Returns how many were told."""
    from krijt.notifications.services import Event, Target, notify_events

    item = Announcement.objects.select_related("school", "author").filter(
        pk=announcement_id, withdrawn_at__isnull=True).first()
    if item is None:
        return 0
    day = item.publish_at.astimezone(ZoneInfo(item.school.time_zone)).date()
    keys = keys_of(item=item)
    everyone = audiences.expand(school=item.school, keys=keys, day=day)
    answered = set(Answer.objects.filter(school=item.school, announcement=item).values_list("user_id", "student_id"))
    own = {u for u, s in answered if s is None}
    children = {s for _u, s in answered if s is not None}
    # A parent is reminded about a child of theirs in the audience nobody answered for, if there is one.
    unanswered: dict[int, int] = {}
    for parent_id, child_id in audiences.parent_pairs(school=item.school, keys=keys,
                                                      year=audiences.year_of(item.school, day)):
        if child_id not in children:
            unanswered.setdefault(parent_id, child_id)
    waiting = []
    for p in everyone:
        if p.user_id == item.author_id:
            continue
        if p.audience == audiences.PARENT:
            if p.user_id in unanswered:
                waiting.append(audiences.Person(p.user_id, p.audience, unanswered[p.user_id]))
        elif p.user_id not in own:
            waiting.append(p)
    if not waiting:
        return 0
    key = f"announcement:{item.pk}:reminder:{number}"
    for start in range(0, len(waiting), FANOUT_CHUNK):
        chunk = waiting[start:start + FANOUT_CHUNK]
        notify_events(school=item.school, events=[Event(
            kind=kinds.REMINDER, key=key, params=_params(item), url=_url(item),
            targets=[Target(p.user_id, p.audience, p.about_student_id) for p in chunk])])
    return len(waiting)
