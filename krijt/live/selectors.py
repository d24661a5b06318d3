"""Reads of live lessons. Each takes the acting person and answers only what they may see."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from krijt.accounts.models import User
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.parts import fetch
from krijt.core.roles import Role
from krijt.live import breaker, parts, permissions, rules
from krijt.live.models import Join, LiveLesson, LiveSettings, Meeting, Provider, VideoServer
from krijt.planner.models import PlannerItem
from krijt.schools.models import ClassGroup, Course, LessonPeriod, School, TimetableSlot
from krijt.schools.parts import student_place
from krijt.schools.selectors import (
    courses_for_teacher,
    current_school_year,
    school_calendar,
    school_year_on,
    students_of_class,
)

logger = logging.getLogger(__name__)

LIST_DAYS = 7
STATE_SECONDS = 24 * 3600
READ_STATE_SECONDS = 60


@dataclass
class Occurrence:
    """One lesson on one day, as one person sees it: `role` is "moderator" or "viewer"."""

    facts: dict[str, Any]
    day: dt.date
    starts: dt.datetime
    ends: dt.datetime
    role: str
    setup: dict[str, Any]  # the school's servers and live settings (server-side only)

    @property
    def lesson_id(self) -> int:
        return int(self.facts["id"])

    @property
    def moderator(self) -> bool:
        return self.role == "moderator"

    @property
    def opens(self) -> dt.datetime:
        return rules.opens_at(self.starts, moderator=self.moderator)

    @property
    def closes(self) -> dt.datetime:
        return rules.closes_at(self.ends)

    @property
    def item_title(self) -> str:
        """The planner item's title, for students only from the item's own visible moment (a test planned at
        21:00 reaches them at 07:00, here as in the planner)."""
        shown_from = self.facts.get("item_visible_from")
        if self.moderator or shown_from is None or shown_from <= clock.now():
            return str(self.facts["item_title"])
        return ""

    def window(self, now: dt.datetime | None = None) -> rules.Window:
        return rules.window(now or clock.now(), self.starts, self.ends, moderator=self.moderator)


def _moments(school: School, facts: dict[str, Any], day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    starts = dt.time.fromisoformat(facts["starts"])
    ends = dt.time.fromisoformat(facts["ends"])
    return clock.aware(day, starts, school.time_zone), clock.aware(day, ends, school.time_zone)


def occurrence_for(*, school: School, user: User, roles: frozenset[str], lesson_id: int, day: dt.date) -> Occurrence:
    """The occurrence for someone who may join it (its teacher or an administrator as moderator, a student of
    its class as viewer); NotFound for anyone else, or when the lesson does not take place that day. From
    cached parts: no query once the class's first student has asked."""
    wanted = [parts.occurrence(school, lesson_id, day), parts.servers(school)]
    if Role.STUDENT in roles:
        wanted.append(student_place(school, user.pk, day))
    found = fetch(wanted)
    facts, setup = found[0], found[1]
    if facts is None or not facts["occurs"]:
        raise NotFound()
    place = found[2] if len(found) > 2 else None
    role = permissions.joins_as(user=user, roles=roles, teacher_id=facts["teacher_id"],
                                in_class=place is not None and place["class_id"] == facts["class_id"])
    if role is None:
        raise NotFound()
    starts, ends = _moments(school, facts, day)
    return Occurrence(facts=facts, day=day, starts=starts, ends=ends, role=role, setup=setup)


def servers_of(*, school: School) -> dict[str, Any]:
    """The school's active servers and live settings, from a cached part (server-side: it holds secrets)."""
    (found,) = fetch([parts.servers(school)])
    return dict(found)


def candidates(setup: dict[str, Any], provider: str, key: str) -> list[dict[str, Any]]:
    """The servers an occurrence tries, in order: the pool of primary servers of its kind (starting at the
    occurrence's own), then, where the school chose a fallback server, the fallback servers of that kind."""
    kind = [s for s in setup["servers"] if s["kind"] == provider]
    by_id = {s["id"]: s for s in kind}
    primary = rules.pool_order([s["id"] for s in kind if s["use"] == VideoServer.Use.PRIMARY], key)
    ordered = [by_id[pk] for pk in primary]
    if setup["settings"]["fallback"] == "server":
        ordered += [s for s in kind if s["use"] == VideoServer.Use.FALLBACK]
    return ordered


def form_targets(setup: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """The origins a join button's answer may send the browser to: the lesson's link, or the servers of its kind.
    A page with a join button allows these in its form-action: browsers hold a form's redirect to the policy."""
    if facts["provider"] == Provider.LINK:
        return [facts["link_origin"]] if facts.get("link_origin") else []
    return sorted({parts.origin(s["url"]) for s in setup["servers"] if s["kind"] == facts["provider"]} - {""})


def all_down(servers: list[dict[str, Any]]) -> bool:
    """Every server the occurrence could use is known to be down (or it has none)."""
    if not servers:
        return True
    found = breaker.states([s["id"] for s in servers])
    return all(state.down for state in found.values())


# --- an occurrence's meeting, as the join button reads it -------------------------------------------------


def state_key(school_id: int, lesson_id: int, day: dt.date) -> str:
    return f"live:occ:{school_id}:{lesson_id}:{day.isoformat()}"


def meeting_state(meeting: Meeting | None) -> dict[str, Any]:
    if meeting is None:
        return {"state": Meeting.State.PENDING, "teacher": False, "server_id": None, "meeting_id": "",
                "attendee_pw": ""}
    return {"state": meeting.state, "teacher": meeting.teacher_joined_at is not None, "server_id": meeting.server_id,
            "meeting_id": meeting.meeting_id, "attendee_pw": meeting.attendee_pw}


def state_of(*, school: School, lesson_id: int, day: dt.date) -> dict[str, Any]:
    """What students' join buttons need of the occurrence's meeting: from the cache, which every write of the
    meeting sets after its commit; on a miss from its row, remembered briefly (`add`: never over a write)."""
    key = state_key(school.pk, lesson_id, day)
    try:
        found = cache.get(key)
    except Exception:
        found = None
    if isinstance(found, dict):
        return found
    state = meeting_state(Meeting.objects.filter(school=school, lesson_id=lesson_id, day=day).first())
    try:
        cache.add(key, state, timeout=READ_STATE_SECONDS)
    except Exception:
        logger.warning("live lesson state not cached", exc_info=True)
    return state


def remember_state(meeting: Meeting) -> None:
    try:
        cache.set(state_key(meeting.school_id, meeting.lesson_id, meeting.day), meeting_state(meeting),
                  timeout=STATE_SECONDS)
    except Exception:
        # The students' next read finds the row instead (READ_STATE_SECONDS later at most).
        logger.warning("live lesson state not cached", exc_info=True)


# --- pages ------------------------------------------------------------------------------------------------


def settings_for(*, school: School) -> LiveSettings:
    return LiveSettings.objects.filter(school=school).first() or LiveSettings(school=school)


@dataclass
class Listed:
    lesson: LiveLesson
    day: dt.date
    starts: dt.datetime
    ends: dt.datetime
    moderator: bool


def _existing_slots(school: School, lessons: list[LiveLesson], start: dt.date) -> set[tuple[int, int, int]]:
    year = school_year_on(school=school, day=start)
    if year is None:
        return set()
    course_ids = {lesson.course_id for lesson in lessons if lesson.weekday}
    return set(TimetableSlot.objects.filter(school=school, school_year=year, course_id__in=course_ids)
               .values_list("course_id", "weekday", "lesson_period__number"))


def _expand(school: School, lessons: list[LiveLesson], start: dt.date, end: dt.date,
            moderator_of: set[int]) -> list[Listed]:
    calendar = school_calendar(school=school)
    slots = _existing_slots(school, lessons, start)
    periods = {p.number: p for p in LessonPeriod.objects.filter(school=school)}
    found = []
    for lesson in lessons:
        period = periods.get(lesson.period)
        if period is None:
            continue
        days: list[dt.date] = []
        if lesson.item_id is not None:
            item = lesson.item
            if item is not None and item.state == PlannerItem.State.PLANNED and start <= item.due_date <= end:
                days.append(item.due_date)
        elif (lesson.course_id, lesson.weekday, lesson.period) in slots:
            day = start
            while day <= end:
                if (day.isoweekday() == lesson.weekday and lesson.starts_on <= day <= lesson.ends_on
                        and calendar.is_school_day(day)):
                    days.append(day)
                day += dt.timedelta(days=1)
        for day in days:
            found.append(Listed(lesson, day, clock.aware(day, period.starts_at, school.time_zone),
                                clock.aware(day, period.ends_at, school.time_zone), lesson.pk in moderator_of))
    found.sort(key=lambda row: (row.starts, row.lesson.class_group.name))
    return found


def upcoming_for(*, school: School, user: User, roles: frozenset[str], today: dt.date | None = None) -> list[Listed]:
    """The person's live lessons of the coming week: a teacher's own courses', a student's class's; an
    administrator who does not teach sees the whole school's of today."""
    today = today or clock.local_today(school.time_zone)
    end = today + dt.timedelta(days=LIST_DAYS - 1)
    base = (LiveLesson.objects.filter(school=school, cancelled_at__isnull=True)
            .filter(Q(item__isnull=True, ends_on__gte=today) | Q(item__due_date__range=(today, end)))
            .select_related("course", "course__teacher", "class_group", "item"))
    lessons: list[LiveLesson] = []
    moderator_of: set[int] = set()
    if Role.TEACHER in roles:
        own = list(base.filter(course__teacher=user))
        lessons += own
        moderator_of |= {lesson.pk for lesson in own}
    if Role.STUDENT in roles:
        year = current_school_year(school=school)
        group = ClassGroup.objects.filter(school=school, school_year=year, enrollments__student=user).first()
        if group is not None:
            lessons += list(base.filter(class_group=group))
    if Role.ADMIN in roles and not lessons:
        every = list(base)
        lessons += every
        moderator_of |= {lesson.pk for lesson in every}
        end = today
    return _expand(school, lessons, today, end, moderator_of)


def lesson_for_editor(*, school: School, user: User, roles: frozenset[str], lesson_id: int) -> LiveLesson:
    lesson = (LiveLesson.objects.filter(school=school, pk=lesson_id)
              .select_related("course", "course__teacher", "class_group", "item").first())
    if lesson is None or not permissions.can_attach(user=user, roles=roles, course=lesson.course):
        raise NotFound()
    return lesson


def attachable_courses(*, school: School, user: User, roles: frozenset[str]) -> list[Course]:
    year = current_school_year(school=school)
    if year is None:
        return []
    if Role.ADMIN in roles:
        return list(Course.objects.filter(school=school, school_year=year).select_related("class_group")
                    .order_by("class_group__name", "name"))
    return list(courses_for_teacher(school=school, teacher=user, school_year=year).select_related("class_group")
                .order_by("class_group__name", "name"))


@dataclass
class Choices:
    course: Course
    slots: list[TimetableSlot]
    items: list[PlannerItem]
    providers: list[tuple[str, Any]]
    recordings: bool


def attach_choices(*, school: School, user: User, roles: frozenset[str], course_id: int) -> Choices:
    """What a live lesson of this course can be attached to (its timetable slots, its planned items from
    today) and which providers the school offers."""
    course = Course.objects.filter(school=school, pk=course_id).select_related("class_group").first()
    if course is None or not permissions.can_attach(user=user, roles=roles, course=course):
        raise NotFound()
    today = clock.local_today(school.time_zone)
    slots = list(TimetableSlot.objects.filter(school=school, course=course, school_year_id=course.school_year_id)
                 .select_related("lesson_period").order_by("weekday", "lesson_period__number"))
    items = list(PlannerItem.objects.filter(school=school, course=course, due_date__gte=today,
                                            state=PlannerItem.State.PLANNED)
                 .select_related("lesson_period").order_by("due_date", "pk")[:50])
    setup = servers_of(school=school)
    kinds = {s["kind"] for s in setup["servers"] if s["use"] == VideoServer.Use.PRIMARY}
    providers = [(value, label) for value, label in Provider.choices if value == Provider.LINK or value in kinds]
    return Choices(course=course, slots=slots, items=items, providers=providers,
                   recordings=bool(setup["settings"]["recordings_allowed"]) and Provider.BBB in kinds)


@dataclass
class Attendee:
    student: User
    joined_at: dt.datetime | None


@dataclass
class Joined:
    occurrence: Occurrence
    rows: list[Attendee] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(1 for row in self.rows if row.joined_at is not None)


def joins_of(*, school: School, user: User, roles: frozenset[str], lesson_id: int, day: dt.date) -> Joined:
    """Who of the class went through the join button of an occurrence (its moderators only). Two queries."""
    shown = occurrence_for(school=school, user=user, roles=roles, lesson_id=lesson_id, day=day)
    if not shown.moderator:
        raise NotFound()
    group = ClassGroup(pk=shown.facts["class_id"], school=school)
    students = list(students_of_class(school=school, class_group=group))
    joined = dict(Join.objects.filter(school=school, lesson_id=lesson_id, day=day, moderator=False)
                  .values_list("person_id", "first_at"))
    return Joined(occurrence=shown, rows=[Attendee(s, joined.get(s.pk)) for s in students])


def joined_for_register(*, school: School, course_id: int, day: dt.date, period: int) -> set[int] | None:
    """The students who went through the join button of a live lesson of this course's lesson (day and period),
    or None when nobody joined one (there was none, or it was not used). For the register's suggestion; the
    register checks who may read it."""
    lessons = list(LiveLesson.objects.filter(school=school, course_id=course_id, period=period)
                   .values_list("pk", flat=True))
    if not lessons:
        return None
    rows = list(Join.objects.filter(school=school, lesson_id__in=lessons, day=day).values_list("person_id",
                                                                                               "moderator"))
    if not rows:
        return None
    return {person for person, moderator in rows if not moderator}


@dataclass
class ServerRow:
    server: VideoServer
    down: bool
    since: dt.datetime | None


def settings_view(*, school: School, roles: frozenset[str]) -> tuple[LiveSettings, list[ServerRow]]:
    if not permissions.can_configure(roles=roles):
        raise NotFound()
    servers = list(VideoServer.objects.filter(school=school).order_by("kind", "use", "pk"))
    states = breaker.states([s.pk for s in servers])
    rows = []
    for server in servers:
        since = states[server.pk].since
        rows.append(ServerRow(server, states[server.pk].down,
                              dt.datetime.fromtimestamp(since, tz=dt.UTC) if since else None))
    return settings_for(school=school), rows


def server_for_admin(*, school: School, roles: frozenset[str], server_id: int) -> VideoServer:
    server = VideoServer.objects.filter(school=school, pk=server_id).first()
    if server is None or not permissions.can_configure(roles=roles):
        raise NotFound()
    return server
