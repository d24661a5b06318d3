"""Today: what each role sees first, assembled from cached parts (krijt.core.parts).

A warm page reads its parts in one cache round trip per stage and no SQL: a student needs two stages
(where they are, then their class's day), a teacher two, a parent three (their children, where each
is, each class's days). Everything that moves with the clock (a task becoming visible, a result
reaching a parent, a message held by quiet hours) is decided here from the moments the parts keep, so
no part has to expire for the page to be right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from krijt.announcements.selectors import for_today as news_for_today
from krijt.attendance import parts as attendance_parts
from krijt.attendance.permissions import OFFICE_ROLES as ATTENDANCE_OFFICE_ROLES
from krijt.attendance.selectors import office_summary as attendance_office_summary
from krijt.core import clock
from krijt.core.nav import cached_reverse
from krijt.core.parts import fetch
from krijt.documents import parts as documents_parts
from krijt.handin import parts as handin_parts
from krijt.live import parts as live_parts
from krijt.messaging import parts as messaging_parts
from krijt.planner import parts as planner_parts
from krijt.results import parts as results_parts
from krijt.schools import parts as school_parts
from krijt.schools.models import School
from krijt.schools.paths import slug_path

NEW_RESULT_DAYS = 14
SHOWN_MESSAGES = 3


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz)


def _messages(inbox: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The unread messages that reached the person by now (quiet hours may still hold some)."""
    arrived = [r for r in inbox["rows"] if r["visible_at"] <= now]
    for row in arrived:
        row["url"] = cached_reverse("messaging:message", message_id=row["message_id"])
    return {"count": len(arrived), "more": inbox["more"], "rows": arrived[:SHOWN_MESSAGES]}


def _now_and_next(lessons: list[dict[str, Any]], now_time: str, is_today: bool) -> tuple[Any, Any]:
    if not lessons:
        return None, None
    if not is_today:
        return None, lessons[0]
    current = next((lesson for lesson in lessons if lesson["starts"] <= now_time < lesson["ends"]), None)
    upcoming = next((lesson for lesson in lessons if lesson["starts"] > now_time), None)
    return current, upcoming


def _day_is_over(days: dict[str, Any], lessons: list[dict[str, Any]], now_time: str) -> bool:
    """After today's last lesson the page looks at the next school day (an evening's question is
    "what do I have tomorrow?")."""
    return bool(days["is_today"] and lessons and now_time >= lessons[-1]["ends"] and _next_day(days) is not days)


def _next_day(days: dict[str, Any]) -> dict[str, Any]:
    later = [d for d in days["window"] if d > days["today"]]
    if not later:
        return days
    return {**days, "lesson_day": later[0], "is_today": False}


def _visible_items(items: list[dict[str, Any]], now: dt.datetime, done: set[int] | None = None) -> list[dict[str, Any]]:
    shown = []
    for item in planner_parts.visible_to_students(items, now):
        row = dict(item)
        row["done"] = done is not None and item["id"] in done
        row["url"] = cached_reverse("planner:item_detail", item_id=item["id"])
        if item["kind"] == "task" and done is not None:
            row["hand_in_url"] = cached_reverse("handin:hand_in", item_id=item["id"])
        shown.append(row)
    return shown


NEW_DOCUMENT_DAYS = 7
DOCUMENTS_SHOWN = 3


def _new_documents(rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The newest documents of the student's course folders visible now, of the last week, at most three."""
    since = now - dt.timedelta(days=NEW_DOCUMENT_DAYS)
    return [r for r in rows if since <= r["visible_from"] <= now][:DOCUMENTS_SHOWN]


def _mark_live(lessons: list[dict[str, Any]], live: list[dict[str, int]], day: dt.date) -> None:
    """Gives each lesson of the day that has a live lesson the address of its join page."""
    found: dict[str, int] = {}
    for part in live:
        found.update(part)
    for lesson in lessons:
        lesson_id = found.get(f"{lesson['course_id']}-{lesson['period']}")
        if lesson_id is not None:
            lesson["live_url"] = cached_reverse("live:occurrence", lesson_id=lesson_id, day=day.isoformat())


def news(school: School, user: Any, roles: frozenset[str], language: str) -> dict[str, Any]:
    """Pinned announcements and those still unread or waiting for an answer (announcement parts)."""
    return news_for_today(school=school, user=user, roles=roles, language=language)


def student(school: School, user: Any) -> dict[str, Any]:
    now = clock.now()
    tz = ZoneInfo(school.time_zone)
    today = clock.local_today(school.time_zone)
    days, place, latest, inbox = fetch([
        school_parts.school_days(school, today),
        school_parts.student_place(school, user.pk, today),
        results_parts.student_latest(school, user),
        messaging_parts.unread(school, user.pk),
    ])
    window: list[dt.date] = days["window"] or [today]
    end = window[-1]
    lessons: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    done: set[int] = set()
    documents: list[dict[str, Any]] = []
    live: dict[str, int] = {}
    if place is not None:
        lessons, items, done_list, recent, live = fetch([
            school_parts.class_day(school, place["class_id"], days["lesson_day"]),
            planner_parts.class_items(school, place["class_id"], today, end),
            planner_parts.done_ids(school, user.pk, today, end),
            documents_parts.class_recent(school, place["class_id"], today),
            live_parts.class_day(school, place["class_id"], days["lesson_day"]),
        ])
        done = set(done_list)
        documents = _new_documents(recent, now)
    now_time = _local(now, tz).strftime("%H:%M")
    if place is not None and _day_is_over(days, lessons, now_time):
        days = _next_day(days)
        lessons, live = fetch([school_parts.class_day(school, place["class_id"], days["lesson_day"]),
                               live_parts.class_day(school, place["class_id"], days["lesson_day"])])
    _mark_live(lessons, [live], days["lesson_day"])
    current, upcoming = _now_and_next(lessons, now_time, days["is_today"])
    results = results_parts.new_for_student(latest, now=now, days=NEW_RESULT_DAYS)
    return {
        "days": days, "place": place, "lessons": lessons, "current": current, "upcoming": upcoming,
        "items": _visible_items(items, now, done), "results": results, "messages": _messages(inbox, now),
        "documents": documents,
    }


def teacher(school: School, user: Any) -> dict[str, Any]:
    now = clock.now()
    today = clock.local_today(school.time_zone)
    days, classes, waiting, unpublished, inbox, taken = fetch([
        school_parts.school_days(school, today),
        school_parts.teacher_classes(school, user, today),
        handin_parts.waiting_feedback(school, user.pk),
        results_parts.teacher_unpublished(school, user.pk),
        messaging_parts.unread(school, user.pk),
        attendance_parts.taken_by_teacher(school, user.pk, today),
    ])
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    lessons, live, *weeks = fetch([school_parts.teacher_day(school, user, days["lesson_day"]),
                                   live_parts.teacher_day(school, user.pk, days["lesson_day"])]
                                  + [planner_parts.class_items(school, c["id"], monday, sunday) for c in classes])
    now_time = _local(now, ZoneInfo(school.time_zone)).strftime("%H:%M")
    if _day_is_over(days, lessons, now_time):
        days = _next_day(days)
        lessons, live = fetch([school_parts.teacher_day(school, user, days["lesson_day"]),
                               live_parts.teacher_day(school, user.pk, days["lesson_day"])])
    _mark_live(lessons, [live], days["lesson_day"])
    week: list[dict[str, Any]] = []
    for group, items in zip(classes, weeks, strict=True):
        group["url"] = cached_reverse("planner:class_week", class_id=group["id"])
        tests = [i for i in items if i["kind"] == "test"]
        if tests:
            week.append({"class": group, "tests": tests, "minutes": sum(i["minutes"] for i in items)})
    registers = {(course, period) for course, period in taken}
    for lesson in lessons:
        lesson["url"] = cached_reverse("planner:class_week", class_id=lesson["class_id"])
        if days["is_today"]:
            lesson["register_url"] = cached_reverse("attendance:register", course_id=lesson["course_id"],
                                                    day=today.isoformat(), period=lesson["period"])
            lesson["taken"] = (lesson["course_id"], lesson["period"]) in registers
    for row in waiting:
        row["url"] = cached_reverse("handin:task_submissions", item_id=row["item_id"])
    for row in unpublished:
        row["url"] = cached_reverse("results:evaluation", evaluation_id=row["id"])
    current, upcoming = _now_and_next(lessons, now_time, days["is_today"])
    return {"days": days, "lessons": lessons, "current": current, "upcoming": upcoming, "classes": classes,
            "waiting": waiting, "unpublished": unpublished, "week": week, "messages": _messages(inbox, now)}


def parent(school: School, user: Any) -> dict[str, Any]:
    now = clock.now()
    kids, inbox = fetch([school_parts.children(user), messaging_parts.unread(school, user.pk)])
    schools = {k["school_id"]: School(pk=k["school_id"], slug=k["school_slug"], time_zone=k["time_zone"])
               for k in kids}
    stage: list[Any] = []
    for kid in kids:
        home = schools[kid["school_id"]]
        today = clock.local_today(home.time_zone)
        kid["today"], kid["tomorrow"] = today, today + dt.timedelta(days=1)
        stage += [school_parts.student_place(home, kid["id"], today), results_parts.student_latest(home, _Kid(kid))]
    found = fetch(stage)
    places = found[0::2]
    latests = found[1::2]
    items_of = fetch([planner_parts.class_items(schools[k["school_id"]], p["class_id"], k["today"], k["tomorrow"])
                      for k, p in zip(kids, places, strict=True) if p is not None])
    cards = []
    queue = iter(items_of)
    for kid, place, latest in zip(kids, places, latests, strict=True):
        items = _visible_items(next(queue), now) if place is not None else []
        for item in items:
            item["url"] = slug_path(kid["school_slug"], "planner:item_detail", item_id=item["id"])
        seen = results_parts.for_parents(latest, now=now, today=kid["today"])
        cards.append({
            "child": kid, "place": place, "other_school": kid["school_id"] != school.pk,
            "today_items": [i for i in items if i["due_date"] == kid["today"]],
            "tomorrow_items": [i for i in items if i["due_date"] == kid["tomorrow"]],
            "results": seen["scores"], "private": seen["private"], "next_result_at": seen["next_at"],
            "planner_url": slug_path(kid["school_slug"], "planner:child", student_id=kid["id"]),
            "results_url": slug_path(kid["school_slug"], "results:student", student_id=kid["id"]),
        })
    return {"cards": cards, "messages": _messages(inbox, now)}


class _Kid:
    """What results_parts.student_latest needs of a child: their id and birth date."""

    def __init__(self, kid: dict[str, Any]) -> None:
        self.pk = kid["id"]
        self.birth_date = kid["birth_date"]


def staff(school: School, user: Any, roles: frozenset[str]) -> dict[str, Any]:
    """What the office watches today: imports running, deliveries failing or waiting, incidents, the
    workload rules overridden today and urgent messages sent today. Not a peak page (a few people per
    school): read from the database, a fixed number of queries, each block only for who may act on it."""
    from krijt.imports.models import ImportJob
    from krijt.imports.permissions import MANAGE_IMPORTS
    from krijt.imports.selectors import job_list
    from krijt.notifications.permissions import SEE_FAILED, SEE_URGENT_LOG
    from krijt.notifications.selectors import delivery_counts, urgent_log
    from krijt.ops.selectors import open_incidents
    from krijt.planner.permissions import SEE_ALL_ROLES
    from krijt.planner.selectors import overrides
    from krijt.schools.selectors import school_overview

    today = clock.local_today(school.time_zone)
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=ZoneInfo(school.time_zone))
    context: dict[str, Any] = {"overview": school_overview(school=school), "incidents": open_incidents()}
    if roles & MANAGE_IMPORTS:
        context["imports"] = list(job_list(school=school).filter(status__in=ImportJob.RUNNING)[:20])
    if roles & SEE_FAILED:
        context["deliveries"] = delivery_counts(school=school)
    if roles & SEE_ALL_ROLES:
        context["overrides"] = overrides(school=school, since=midnight, limit=10)
    if roles & SEE_URGENT_LOG:
        context["urgent"] = list(urgent_log(school=school, since=today, until=today, page_size=5).object_list)
    if roles & ATTENDANCE_OFFICE_ROLES:
        context["attendance"] = attendance_office_summary(school=school, user=user, roles=roles, day=today)
    return context
