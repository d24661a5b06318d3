"""Writes of live lessons: attaching, changing and cancelling a lesson, the school's servers and settings,
joining an occurrence, and creating meetings ahead of the lessons.

Joining is the hot path. A student's click reads cached parts (the occurrence, their class, the servers) and
the occurrence's state from the cache, writes one `Join` row and answers with a redirect to a join address made
there and then: no call to the video service. A teacher's click creates the meeting (idempotent on the server,
usually done minutes before by a worker) and marks it open, which lets the waiting students in.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import User
from krijt.core import clock, parts
from krijt.core.errors import Conflict, NotFound, ValidationFailed
from krijt.live import bbb, breaker, jitsi, permissions, rules, selectors
from krijt.live.models import Fallback, Join, LiveLesson, LiveSettings, Meeting, Provider, VideoServer
from krijt.live.parts import class_scope, lesson_scope, occurrence, servers_scope, takes_place, teacher_scope
from krijt.planner.models import PlannerItem
from krijt.schools.models import Course, LessonPeriod, School, TimetableSlot
from krijt.schools.paths import school_path

logger = logging.getLogger(__name__)

TITLE_MAX = 120
PROBE_THREADS = 8
JITSI_SECRET_MIN = 32  # HS256 keys shorter than the hash are weak (RFC 7518, 3.2)
NAME_MAX = 80


def _bump(lesson: LiveLesson) -> None:
    parts.bump(lesson_scope(lesson.school_id, lesson.pk), class_scope(lesson.school_id, lesson.class_group_id),
               teacher_scope(lesson.school_id, lesson.course.teacher_id))


def _https(url: str, limit: int) -> str | None:
    """The address without surrounding spaces if it is a valid https address of at most `limit` characters
    (Django's URLValidator, as course folders' links), else None."""
    url = url.strip()
    if len(url) > limit or any(ord(c) < 32 or ord(c) == 127 for c in url):  # URLValidator lets NUL through
        return None
    try:
        URLValidator(schemes=["https"])(url)
    except DjangoValidationError:
        return None
    return url


def _check_link(link: str, field_name: str = "link") -> str:
    found = _https(link, 500)
    if found is None:
        raise ValidationFailed(fields={field_name: [_("Give the full address of the video lesson, starting with "
                                                      "https://.")]})
    return found


# --- attaching a live lesson --------------------------------------------------------------------------------


@dataclass
class LessonIn:
    provider: str
    when: str = ""  # "slot:<weekday>-<period>" or "item:<id>" (only when attaching)
    link: str = ""
    title: str = ""
    recording: bool = False
    ends_on: dt.date | None = None


def _provider(school: School, data: LessonIn) -> tuple[str, str, bool]:
    setup = selectors.servers_of(school=school)
    kinds = {s["kind"] for s in setup["servers"] if s["use"] == VideoServer.Use.PRIMARY}
    if data.provider not in Provider.values:
        raise ValidationFailed(fields={"provider": [_("Choose how the lesson is given.")]})
    if data.provider != Provider.LINK and data.provider not in kinds:
        raise ValidationFailed(fields={"provider": [_("The school has no server for this: ask an administrator, "
                                                      "or give a link.")]})
    link = _check_link(data.link) if data.provider == Provider.LINK else ""
    recording = bool(data.recording)
    if recording and (data.provider != Provider.BBB or not setup["settings"]["recordings_allowed"]):
        raise ValidationFailed(fields={"recording": [_("The school does not allow recording live lessons.")]})
    return data.provider, link, recording


def _title(data: LessonIn) -> str:
    title = data.title.strip()
    if len(title) > TITLE_MAX:
        raise ValidationFailed(fields={"title": [_("At most %(n)d characters.") % {"n": TITLE_MAX}]})
    return title


def _ends_on(course: Course, starts_on: dt.date, wanted: dt.date | None) -> dt.date:
    year_end = course.school_year.ends_on
    ends_on = wanted or year_end
    if ends_on < starts_on or ends_on > year_end:
        raise ValidationFailed(fields={"ends_on": [_("Choose a day from today until the end of the school year.")]})
    return ends_on


def _when(school: School, course: Course, when: str, today: dt.date) -> dict[str, Any]:
    kind, _sep, value = when.partition(":")
    if kind == "slot":
        try:
            weekday, period = (int(v) for v in value.split("-"))
        except ValueError:
            weekday = period = 0
        if not TimetableSlot.objects.filter(school=school, course=course, school_year_id=course.school_year_id,
                                            weekday=weekday, lesson_period__number=period).exists():
            raise ValidationFailed(fields={"when": [_("Choose one of the course's lessons in the timetable.")]})
        return {"weekday": weekday, "period": period, "item": None, "starts_on": today}
    if kind == "item" and value.isdigit():
        item = (PlannerItem.objects.filter(school=school, course=course, pk=int(value), due_date__gte=today,
                                           state=PlannerItem.State.PLANNED).select_related("lesson_period").first())
        if item is not None:
            hour: int | None = item.lesson_period.number if item.lesson_period else None
            if hour is None:
                slot = (TimetableSlot.objects.filter(school=school, course=course, weekday=item.due_date.isoweekday(),
                                                     school_year_id=course.school_year_id)
                        .select_related("lesson_period").order_by("lesson_period__number").first())
                hour = slot.lesson_period.number if slot else None
            if hour is None:
                raise ValidationFailed(fields={"when": [_("This task or test has no lesson hour, and the course has "
                                                          "no lesson that day: give it a lesson hour first.")]})
            return {"weekday": None, "period": hour, "item": item, "starts_on": item.due_date}
    raise ValidationFailed(fields={"when": [_("Choose a lesson in the timetable or a task or test in the planner.")]})


def lesson_attach(*, school: School, actor: User, roles: frozenset[str], course_id: int, data: LessonIn) -> LiveLesson:
    course = Course.objects.filter(school=school, pk=course_id).select_related("school_year").first()
    if course is None or not permissions.can_attach(user=actor, roles=roles, course=course):
        raise NotFound()
    today = clock.local_today(school.time_zone)
    provider, link, recording = _provider(school, data)
    when = _when(school, course, data.when, today)
    title = _title(data)
    ends_on = when["item"].due_date if when["item"] else _ends_on(course, today, data.ends_on)
    active = LiveLesson.objects.filter(school=school, course=course, cancelled_at__isnull=True)
    if when["item"] is not None and active.filter(item=when["item"]).exists():
        raise Conflict(_("This task or test already has a live lesson."))
    if when["weekday"] and active.filter(weekday=when["weekday"], period=when["period"],
                                         ends_on__gte=when["starts_on"]).exists():
        raise Conflict(_("This lesson in the timetable already has a live lesson."))
    with transaction.atomic():
        lesson = LiveLesson.objects.create(
            school=school, course=course, class_group_id=course.class_group_id, provider=provider, link=link,
            title=title, weekday=when["weekday"], period=when["period"], starts_on=when["starts_on"],
            ends_on=ends_on, item=when["item"], recording=recording, room=secrets.token_urlsafe(18),
            created_by=actor)
        _bump(lesson)
    return lesson


def lesson_change(*, school: School, actor: User, roles: frozenset[str], lesson_id: int, data: LessonIn) -> LiveLesson:
    """The provider, link, title, recording and (for a weekly lesson) its last day; not what it is attached to."""
    lesson = selectors.lesson_for_editor(school=school, user=actor, roles=roles, lesson_id=lesson_id)
    if lesson.cancelled_at is not None:
        raise Conflict(_("This live lesson was cancelled."))
    provider, link, recording = _provider(school, data)
    lesson.provider, lesson.link, lesson.recording = provider, link, recording
    lesson.title = _title(data)
    if lesson.item_id is None:
        today = clock.local_today(school.time_zone)
        lesson.ends_on = _ends_on(lesson.course, max(today, lesson.starts_on), data.ends_on)
    with transaction.atomic():
        lesson.save()
        _bump(lesson)
    return lesson


def lesson_cancel(*, school: School, actor: User, roles: frozenset[str], lesson_id: int) -> LiveLesson:
    lesson = selectors.lesson_for_editor(school=school, user=actor, roles=roles, lesson_id=lesson_id)
    if lesson.cancelled_at is None:
        lesson.cancelled_at = clock.now()
        with transaction.atomic():
            lesson.save(update_fields=["cancelled_at", "updated_at"])
            _bump(lesson)
    return lesson


def item_changed(*, school: Any, item: Any, **_: Any) -> None:
    """A planner item moved or was cancelled: its live lesson follows (its day and, if it has one, its hour)."""
    lessons = list(LiveLesson.objects.filter(school=school, item=item))
    for lesson in lessons:
        lesson.starts_on = lesson.ends_on = item.due_date
        if item.lesson_period_id is not None:
            lesson.period = item.lesson_period.number
        lesson.save(update_fields=["starts_on", "ends_on", "period", "updated_at"])
        _bump(lesson)


# --- the school's servers and settings ----------------------------------------------------------------------


@dataclass
class ServerIn:
    kind: str
    name: str
    url: str
    secret: str = ""  # empty when changing: keep the saved one
    app_id: str = ""
    use: str = VideoServer.Use.PRIMARY
    active: bool = True


def _server_fields(data: ServerIn, *, adding: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.kind not in (Provider.BBB, Provider.JITSI):
        errors["kind"] = [_("Choose BigBlueButton or Jitsi.")]
    name = data.name.strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [_("Give the server a name of at most %(n)d characters.") % {"n": NAME_MAX}]
    url = _https(data.url, 300) or ""
    if not url:
        errors["url"] = [_("Give the server's full address, starting with https://.")]
    secret = data.secret.strip()
    if data.kind == Provider.BBB and adding and not secret:
        errors["secret"] = [_("BigBlueButton needs its shared secret (bbb-conf --secret shows it).")]
    if data.kind == Provider.JITSI and secret and len(secret) < JITSI_SECRET_MIN:
        errors["secret"] = [_("A Jitsi secret has at least %(n)d characters.") % {"n": JITSI_SECRET_MIN}]
    if data.kind == Provider.JITSI and secret and not data.app_id.strip():
        errors["app_id"] = [_("With a secret, Jitsi needs the application id the tokens are issued by.")]
    if data.use not in VideoServer.Use.values:
        errors["use"] = [_("Choose how the server is used.")]
    if errors:
        raise ValidationFailed(fields=errors)
    base = bbb.base_url(url) if data.kind == Provider.BBB else jitsi.base_url(url)
    found = {"kind": data.kind, "name": name, "url": base, "app_id": data.app_id.strip(), "use": data.use,
             "active": bool(data.active)}
    if secret:
        found["secret"] = secret
    return found


def server_add(*, school: School, roles: frozenset[str], data: ServerIn) -> VideoServer:
    if not permissions.can_configure(roles=roles):
        raise NotFound()
    with transaction.atomic():
        server = VideoServer.objects.create(school=school, **_server_fields(data, adding=True))
        parts.bump(servers_scope(school.pk))
    return server


def server_change(*, school: School, roles: frozenset[str], server_id: int, data: ServerIn) -> VideoServer:
    server = selectors.server_for_admin(school=school, roles=roles, server_id=server_id)
    fields = _server_fields(data, adding=False)
    if fields["kind"] != server.kind and "secret" not in fields:
        raise ValidationFailed(fields={"secret": [_("A server of another kind needs its own secret.")]})
    for name, value in fields.items():
        setattr(server, name, value)
    with transaction.atomic():
        server.save()
        parts.bump(servers_scope(school.pk))
    breaker.succeeded(server.pk)  # a corrected address or secret gets a fresh start
    return server


def server_remove(*, school: School, roles: frozenset[str], server_id: int) -> None:
    server = selectors.server_for_admin(school=school, roles=roles, server_id=server_id)
    with transaction.atomic():
        server.delete()
        parts.bump(servers_scope(school.pk))


@dataclass
class SettingsIn:
    recordings_allowed: bool
    fallback: str
    fallback_link: str = ""
    fallback_note: str = ""


def settings_update(*, school: School, roles: frozenset[str], data: SettingsIn) -> LiveSettings:
    if not permissions.can_configure(roles=roles):
        raise NotFound()
    if data.fallback not in Fallback.values:
        raise ValidationFailed(fields={"fallback": [_("Choose what happens when the video service fails.")]})
    link = _check_link(data.fallback_link, "fallback_link") if data.fallback == Fallback.LINK else ""
    note = data.fallback_note.strip()
    if len(note) > 300:
        raise ValidationFailed(fields={"fallback_note": [_("At most %(n)d characters.") % {"n": 300}]})
    with transaction.atomic():
        chosen, _created = LiveSettings.objects.get_or_create(school=school)
        chosen.recordings_allowed = bool(data.recordings_allowed)
        chosen.fallback, chosen.fallback_link, chosen.fallback_note = data.fallback, link, note
        chosen.save()
        parts.bump(servers_scope(school.pk))
    return chosen


# --- meetings -------------------------------------------------------------------------------------------------


def _bbb(server: dict[str, Any]) -> bbb.Server:
    return bbb.Server(base=server["url"], secret=server["secret"])


def _jitsi(server: dict[str, Any]) -> jitsi.Server:
    return jitsi.Server(base=server["url"], app_id=server["app_id"], secret=server["secret"])


def _meeting_row(school: School, lesson_id: int, room: str, day: dt.date) -> Meeting:
    meeting = Meeting.objects.filter(school=school, lesson_id=lesson_id, day=day).first()
    if meeting is not None:
        return meeting
    try:
        with transaction.atomic():
            return Meeting.objects.create(school=school, lesson_id=lesson_id, day=day,
                                          meeting_id=rules.meeting_key(room, day),
                                          attendee_pw=secrets.token_urlsafe(12), moderator_pw=secrets.token_urlsafe(12))
    except IntegrityError:
        return Meeting.objects.get(school=school, lesson_id=lesson_id, day=day)


def _open_on(school: School, facts: dict[str, Any], meeting: Meeting, setup: dict[str, Any]) -> bool:
    """Creates the meeting on the first server that answers (its current one first); False when none did.
    Jitsi needs no create: a server whose breaker is closed is taken."""
    servers = selectors.candidates(setup, facts["provider"], meeting.meeting_id)
    if meeting.server_id is not None:
        servers.sort(key=lambda s: s["id"] != meeting.server_id)
    path = school_path(school, "live:occurrence", lesson_id=facts["id"], day=meeting.day.isoformat())
    for server in servers:
        if facts["provider"] == Provider.JITSI:
            # Nothing to create: a Jitsi server is judged by the probes that feed its breaker.
            if breaker.is_down(server["id"]):
                continue
        elif not breaker.allow(server["id"]):
            continue
        else:
            try:
                bbb.create(_bbb(server), bbb.MeetingIn(
                    meeting_id=meeting.meeting_id, name=f"{facts['title']} · {facts['class_name']}",
                    attendee_pw=meeting.attendee_pw, moderator_pw=meeting.moderator_pw,
                    record=bool(facts["recording"]) and bool(setup["settings"]["recordings_allowed"]),
                    logout_url=str(settings.KRIJT_SITE_URL).rstrip("/") + path,
                    welcome=_("Welcome to %(title)s.") % {"title": facts["title"]}))
            except (bbb.Unavailable, bbb.Refused) as exc:
                breaker.failed(server["id"])
                meeting.attempts += 1
                meeting.last_error = str(exc)[:200]
                logger.warning("live lesson %s: server %s failed: %s", facts["id"], server["id"], exc)
                continue
            breaker.succeeded(server["id"])
        meeting.server_id = server["id"]
        meeting.state = Meeting.State.CREATED
        meeting.created_at = meeting.created_at or clock.now()
        return True
    return False


def _remember(meeting: Meeting) -> None:
    """The students' buttons read the meeting's state from the cache: set now, and again after the commit (a
    student who read the row in between cached the old state only briefly, and never over this)."""
    selectors.remember_state(meeting)
    transaction.on_commit(lambda: selectors.remember_state(meeting))


def meeting_create(meeting_pk: int) -> None:
    """The worker's create ahead of the lesson (idempotent): a failure is left for the teacher's click."""
    meeting = Meeting.objects.filter(pk=meeting_pk).select_related("school", "lesson").first()
    if meeting is None or meeting.state != Meeting.State.PENDING or meeting.lesson.cancelled_at is not None:
        return
    school = meeting.school
    (facts,) = parts.fetch([occurrence(school, meeting.lesson_id, meeting.day)])
    if facts is None or not facts["occurs"]:
        return
    setup = selectors.servers_of(school=school)
    opened = _open_on(school, facts, meeting, setup)
    meeting.save()
    if opened:
        _remember(meeting)


def precreate_due(*, now: dt.datetime | None = None) -> int:
    """Housekeeping: gives each BigBlueButton occurrence starting within CREATE_FROM a meeting row and queues
    its create at its own spread moment. Idempotent: a row is queued once."""
    from krijt.live.tasks import create_meeting_task

    now = now or clock.now()
    utc_day = now.date()
    days = {utc_day - dt.timedelta(days=1), utc_day, utc_day + dt.timedelta(days=1)}
    lessons = (LiveLesson.objects.filter(provider=Provider.BBB, cancelled_at__isnull=True)
               .filter(starts_on__lte=max(days), ends_on__gte=min(days))
               .select_related("school", "item"))
    periods: dict[int, dict[int, Any]] = {}
    wanted: list[tuple[LiveLesson, dt.date, dt.datetime]] = []
    for lesson in lessons:
        school = lesson.school
        day = now.astimezone(ZoneInfo(school.time_zone)).date()
        if lesson.weekday is not None and lesson.weekday != day.isoweekday():
            continue
        if school.pk not in periods:
            periods[school.pk] = {p.number: p for p in LessonPeriod.objects.filter(school=school)}
        period = periods[school.pk].get(lesson.period)
        if period is None:
            continue
        starts = clock.aware(day, period.starts_at, school.time_zone)
        if not now <= starts <= now + rules.CREATE_FROM:
            continue
        if takes_place(school, lesson, day):
            wanted.append((lesson, day, starts))
    queued = 0
    for lesson, day, starts in wanted:
        meeting = _meeting_row(lesson.school, lesson.pk, lesson.room, day)
        if meeting.queued_at is not None or meeting.state != Meeting.State.PENDING:
            continue
        moment = max(now, rules.create_moment(starts, meeting.meeting_id))
        if Meeting.objects.filter(pk=meeting.pk, queued_at__isnull=True).update(queued_at=now, create_after=moment):
            create_meeting_task.using(run_after=moment).enqueue(meeting.pk)
            queued += 1
    return queued


# --- joining --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the join button does: "go" (redirect to `url`), "wait" (for the teacher), "early", "over", or
    "fallback" (the video service failed: the school's fallback)."""

    kind: str
    url: str = ""
    opens: dt.datetime | None = None
    fallback: dict[str, Any] = field(default_factory=dict)


def _fallback(setup: dict[str, Any]) -> dict[str, Any]:
    chosen = setup["settings"]
    kind = chosen["fallback"]
    if kind == Fallback.LINK and not chosen["fallback_link"]:
        kind = Fallback.PLANNER
    if kind == Fallback.SERVER:  # the fallback server failed too: the planner is what is left
        kind = Fallback.PLANNER
    return {"kind": kind, "note": chosen["fallback_note"], "has_link": kind == Fallback.LINK}


def _record(school: School, actor: User, lesson_id: int, day: dt.date, moderator: bool) -> None:
    Join.objects.bulk_create([Join(school=school, lesson_id=lesson_id, day=day, person=actor, moderator=moderator,
                                   first_at=clock.now())], ignore_conflicts=True)


def _name(actor: User) -> str:
    return actor.full_name or actor.username


def join(*, school: School, actor: User, roles: frozenset[str], lesson_id: int, day: dt.date) -> Outcome:
    shown = selectors.occurrence_for(school=school, user=actor, roles=roles, lesson_id=lesson_id, day=day)
    facts = shown.facts
    now = clock.now()
    window = shown.window(now)
    if window == rules.Window.EARLY:
        return Outcome("early", opens=shown.opens)
    if window == rules.Window.OVER:
        return Outcome("over")
    if facts["provider"] == Provider.LINK:
        link = LiveLesson.objects.filter(school=school, pk=lesson_id).values_list("link", flat=True).first()
        _record(school, actor, lesson_id, day, shown.moderator)
        return Outcome("go", url=link or "")
    setup = shown.setup
    if shown.moderator:
        return _join_as_moderator(school, actor, shown, setup)
    state = selectors.state_of(school=school, lesson_id=lesson_id, day=day)
    servers = {s["id"]: s for s in setup["servers"]}
    server = servers.get(state["server_id"]) if state["server_id"] else None
    if state["state"] == Meeting.State.FALLBACK:
        return Outcome("fallback", fallback=_fallback(setup))
    if not state["teacher"] or server is None:
        key = rules.meeting_key(facts["room"], day)
        if selectors.all_down(selectors.candidates(setup, facts["provider"], key)):
            return Outcome("fallback", fallback=_fallback(setup))
        return Outcome("wait")
    if breaker.is_down(server["id"]):
        return Outcome("fallback", fallback=_fallback(setup))
    _record(school, actor, lesson_id, day, False)
    return Outcome("go", url=_address(server, facts, state["meeting_id"], state["attendee_pw"], actor, False, now))


def _address(server: dict[str, Any], facts: dict[str, Any], meeting_id: str, password: str, actor: User,
             moderator: bool, now: dt.datetime) -> str:
    if server["kind"] == Provider.BBB:
        return bbb.join_url(_bbb(server), meeting_id=meeting_id, full_name=_name(actor), user_id=actor.pk,
                            moderator=moderator, password=password)
    return jitsi.join_url(_jitsi(server), room=meeting_id, user_id=actor.pk, name=_name(actor), moderator=moderator,
                          now=now)


def _join_as_moderator(school: School, actor: User, shown: selectors.Occurrence, setup: dict[str, Any]) -> Outcome:
    facts = shown.facts
    meeting = _meeting_row(school, shown.lesson_id, facts["room"], shown.day)
    opened = _open_on(school, facts, meeting, setup)
    now = clock.now()
    if opened:
        meeting.teacher_joined_at = meeting.teacher_joined_at or now
    else:
        meeting.state = Meeting.State.FALLBACK
    meeting.save()
    _remember(meeting)
    if not opened:
        return Outcome("fallback", fallback=_fallback(setup))
    _record(school, actor, shown.lesson_id, shown.day, True)
    server = next(s for s in setup["servers"] if s["id"] == meeting.server_id)
    return Outcome("go", url=_address(server, facts, meeting.meeting_id, meeting.moderator_pw, actor, True, now))


def probe_servers() -> int:
    """Housekeeping: asks every active server whether it answers, so the breaker (and the status page) notice a
    server coming back or going away when nobody clicks. Returns how many are down."""
    servers = list(VideoServer.objects.filter(active=True).only("pk", "kind", "url", "secret", "app_id"))

    def answers(server: VideoServer) -> bool:
        try:
            if server.kind == Provider.BBB:
                bbb.probe(bbb.Server(base=server.url, secret=server.secret))
            else:
                jitsi.probe(jitsi.Server(base=server.url, app_id=server.app_id, secret=server.secret))
        except bbb.Unavailable:
            return False
        return True

    # In parallel: a few servers that time out cost the chore one timeout, not one each.
    with ThreadPoolExecutor(max_workers=PROBE_THREADS, thread_name_prefix="krijt-live-probe") as pool:
        results = list(pool.map(answers, servers))
    for server, ok in zip(servers, results, strict=True):
        if ok:
            breaker.succeeded(server.pk)
        else:
            breaker.failed(server.pk)
    return results.count(False)
