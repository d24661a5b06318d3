"""Reads of announcements: a reader's list (from cached parts), one announcement for its reader, the
author's list and the answers per class."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from krijt.accounts.models import User
from krijt.announcements import audiences, parts, permissions
from krijt.announcements.models import Announcement, AnnouncementFile, Answer, AudienceRule, answers_open
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.parts import fetch
from krijt.core.roles import STAFF_ROLES, Role
from krijt.schools.models import ClassGroup, Enrollment, School

TODAY_SHOWN = 3


def reader_keys(*, school: School, user_id: int, roles: frozenset[str]) -> dict[str, Any]:
    """A reader's audience keys and, for a parent, which children each is for (krijt.announcements.audiences),
    from its cached part: what news and the school calendar both match their rules against."""
    (found,) = fetch([parts.audience(school, user_id, roles, clock.local_today(school.time_zone))])
    return dict(found)


def _shown_now(row: dict[str, Any], now: dt.datetime) -> bool:
    return row["publish_at"] <= now and (row["expires_at"] is None or now < row["expires_at"])


def _own_keys(keys: set[str], found: dict[str, Any], roles: frozenset[str]) -> set[str]:
    """The keys by which an announcement asks the reader themselves (not as a parent, and not a teacher for
    what went to their classes)."""
    own = keys & set(found["keys"]) - set(found["children"])
    if roles & STAFF_ROLES and Role.STUDENT not in roles:
        own &= {"school", "staff", "teachers"}
    return own


def feed(*, school: School, user: Any, roles: frozenset[str], language: str) -> list[dict[str, Any]]:
    """What a reader sees now, pinned first, then unread, then the rest, newest first. A parent sees each
    announcement once, with the children it is about. From cached parts: no SQL when warm."""
    found = reader_keys(school=school, user_id=user.pk, roles=roles)
    listing, mine = fetch([parts.listing(school, found["keys"]), parts.mine(school, user.pk)])
    now = clock.now()
    today = now.astimezone(ZoneInfo(school.time_zone)).date()
    read = set(mine["read"])
    answered = {int(k): set(v) for k, v in mine["answered"].items()}
    rows = []
    for row in listing:
        if not _shown_now(row, now):
            continue
        shown = dict(row)
        translated = row["languages"].get(language) or {}
        shown["title"] = translated.get("title") or row["title"]
        shown["excerpt"] = translated.get("excerpt") or row["excerpt"]
        shown["read"] = row["id"] in read or row["author_id"] == user.pk
        shown["pinned"] = row["pinned_until"] is not None and today <= row["pinned_until"]
        kids = sorted({c for k in row["keys"] for c in found["children"].get(k, [])})
        shown["children"] = sorted(found["names"][c] for c in kids if c in found["names"])
        expected = ({0} if _own_keys(set(row["keys"]), found, roles) else set()) | set(kids)
        open_answer = row["reply"] != Announcement.Reply.NONE and answers_open(row["answer_by"], today)
        shown["needs_answer"] = open_answer and bool(expected - answered.get(row["id"], set())) and (
            row["author_id"] != user.pk)
        rows.append(shown)
    rows.sort(key=lambda r: (not r["pinned"], r["read"] and not r["needs_answer"], -r["publish_at"].timestamp()))
    return rows


def for_today(*, school: School, user: Any, roles: frozenset[str], language: str) -> dict[str, Any]:
    """Today's block: pinned announcements and unread or unanswered ones, at most TODAY_SHOWN."""
    rows = [r for r in feed(school=school, user=user, roles=roles, language=language)
            if r["pinned"] or not r["read"] or r["needs_answer"]]
    return {"rows": rows[:TODAY_SHOWN], "more": max(0, len(rows) - TODAY_SHOWN)}


def _reader_matches(*, school: School, user: Any, roles: frozenset[str], item: Announcement) -> bool:
    keys = set(reader_keys(school=school, user_id=user.pk, roles=roles)["keys"])
    return AudienceRule.objects.filter(school=school, announcement=item, key__in=keys).exists()


def announcement_for_reader(*, school: School, user: Any, roles: frozenset[str], announcement_id: int) -> Announcement:
    """The announcement if it reaches `user` and is published (its author and the office see it before)."""
    item = (Announcement.objects.filter(school=school, pk=announcement_id, withdrawn_at__isnull=True)
            .select_related("author").first())
    if item is None:
        raise NotFound()
    if permissions.may_manage(roles, author_id=item.author_id, user_id=user.pk):
        return item
    if item.publish_at > clock.now() or not _reader_matches(school=school, user=user, roles=roles, item=item):
        raise NotFound()
    return item


def children_reached(*, school: School, user: Any, roles: frozenset[str], item: Announcement,
                     keys: set[str] | None = None) -> list[int]:
    """The reader's children an announcement is about (for a parent), in the order of their names. `keys`:
    the announcement's, when the caller has them."""
    found = reader_keys(school=school, user_id=user.pk, roles=roles)
    keys = set(keys_of(item=item)) if keys is None else keys
    return sorted({c for k in keys for c in found["children"].get(k, [])},
                  key=lambda c: found["names"].get(c, ""))


def asked_of_self(*, school: School, user: Any, roles: frozenset[str], item: Announcement,
                  keys: set[str] | None = None) -> bool:
    """Whether the announcement asks the reader for their own answer (not only as a parent)."""
    found = reader_keys(school=school, user_id=user.pk, roles=roles)
    rule_keys = set(keys_of(item=item)) if keys is None else keys
    return bool(_own_keys(rule_keys, found, roles)) and item.author_id != user.pk


@dataclass(frozen=True)
class ReaderView:
    item: Announcement
    title: str
    body_html: str
    files: list[AnnouncementFile]
    children: list[tuple[int, str, str]]  # (id, first name, current answer or "")
    own_answer: str | None  # None: not asked of them
    may_manage: bool


def reader_view(*, school: School, user: Any, roles: frozenset[str], item: Announcement, language: str) -> ReaderView:
    """An opened announcement as its reader sees it, in their language where the author gave it, with the
    answers asked of them: their own, or one per child for a parent (a child's answer by either parent)."""
    found = reader_keys(school=school, user_id=user.pk, roles=roles)
    rule_keys = set(keys_of(item=item))
    kids = children_reached(school=school, user=user, roles=roles, item=item, keys=rule_keys)
    answers = {}
    for student_id, choice in Answer.objects.filter(school=school, announcement=item, student_id__in=kids).order_by(
            "answered_at").values_list("student_id", "choice"):
        answers[student_id] = choice
    own_answer: str | None = None
    manage = permissions.may_manage(roles, author_id=item.author_id, user_id=user.pk)
    if item.reply != Announcement.Reply.NONE and _own_keys(rule_keys, found, roles) and item.author_id != user.pk:
        own = Answer.objects.filter(school=school, announcement=item, user=user, student__isnull=True).first()
        own_answer = own.choice if own is not None else ""
    return ReaderView(
        item=item, title=item.title_in(language), body_html=item.body_in(language),
        files=list(AnnouncementFile.objects.filter(school=school, announcement=item).order_by("pk")),
        children=[(c, found["names"].get(c, ""), answers.get(c, "")) for c in kids] if item.reply != "none" else [],
        own_answer=own_answer, may_manage=manage)


def file_for_reader(*, school: School, user: Any, roles: frozenset[str], announcement_id: int,
                    file_id: int) -> AnnouncementFile:
    item = announcement_for_reader(school=school, user=user, roles=roles, announcement_id=announcement_id)
    found = AnnouncementFile.objects.filter(school=school, announcement=item, pk=file_id).first()
    if found is None:
        raise NotFound()
    return found


def managed_list(*, school: School, user: Any, roles: frozenset[str], limit: int = 100) -> QuerySet[Announcement]:
    """The announcements a person manages: the office every one, a teacher their own; newest first."""
    if not roles & permissions.WRITE_ROLES:
        return Announcement.objects.none()
    qs = Announcement.objects.filter(school=school, withdrawn_at__isnull=True)
    if not permissions.may_address_everything(roles):
        qs = qs.filter(author=user)
    return qs.select_related("author").annotate(answered=Count("answers")).order_by("-publish_at", "-pk")[:limit]


def managed(*, school: School, user: Any, roles: frozenset[str], announcement_id: int) -> Announcement:
    item = Announcement.objects.filter(school=school, pk=announcement_id, withdrawn_at__isnull=True).first()
    if item is None or not permissions.may_manage(roles, author_id=item.author_id, user_id=user.pk):
        raise NotFound()
    return item


def keys_of(*, item: Announcement) -> list[str]:
    return list(AudienceRule.objects.filter(school_id=item.school_id, announcement=item).order_by("pk")
                .values_list("key", flat=True))


@dataclass(frozen=True)
class ClassAnswers:
    class_id: int
    name: str
    expected: int
    answered: int
    by_choice: dict[str, int]
    waiting: list[str]  # the students (or whose parents) not answered yet, by name


@dataclass(frozen=True)
class Answers:
    classes: list[ClassAnswers]
    staff_expected: int
    staff_answered: int
    total_expected: int
    total_answered: int


def answers_by_class(*, school: School, user: Any, roles: frozenset[str], announcement_id: int) -> Answers:
    """For the author and the office: per class, how many of the students (or, for the parents, how many
    families) the announcement asks have answered, per choice, and who has not. A fixed number of queries."""
    item = managed(school=school, user=user, roles=roles, announcement_id=announcement_id)
    keys = set(keys_of(item=item))
    day = item.publish_at.astimezone(ZoneInfo(school.time_zone)).date()
    year = audiences.year_of(school, day)
    for_students = audiences.students_filter(year, keys)
    if keys & {"school", "students"}:
        for_students = Q()
    for_parents = audiences.parents_filter(keys)
    if keys & {"school", "parents"}:
        for_parents = Q()
    latest: dict[int, str] = {}  # student id -> answer
    for who, student_id, choice in Answer.objects.filter(school=school, announcement=item).order_by(
            "answered_at").values_list("user_id", "student_id", "choice"):
        latest[student_id or who] = choice
    asked: dict[int, tuple[int, str, str]] = {}  # student id -> (class id, class name, student name)
    if year is not None:
        for condition in (c for c in (for_students, for_parents) if c is not None):
            for e in Enrollment.objects.filter(condition, school=school, school_year=year).select_related(
                    "class_group", "student"):
                asked[e.student_id] = (e.class_group_id, e.class_group.name, e.student.full_name or e.student.username)
    classes: dict[int, dict[str, Any]] = {}
    for student_id, (class_id, name, person) in asked.items():
        row = classes.setdefault(class_id, {"name": name, "expected": 0, "answered": 0, "by": {}, "waiting": []})
        row["expected"] += 1
        if student_id in latest:
            row["answered"] += 1
            row["by"][latest[student_id]] = row["by"].get(latest[student_id], 0) + 1
        else:
            row["waiting"].append(person)
    groups = {g.pk: g for g in ClassGroup.objects.filter(school=school, pk__in=list(classes))}
    ordered = sorted(classes, key=lambda c: (groups[c].grade, groups[c].name) if c in groups else (0, ""))
    staff_ids: set[int] = set()
    if keys & {"school", "staff", "teachers"}:
        from krijt.accounts.models import Membership

        wanted = STAFF_ROLES if keys & {"school", "staff"} else {Role.TEACHER}
        staff_ids = set(Membership.objects.filter(school=school, role__in=wanted).values_list("user_id", flat=True))
        staff_ids.discard(item.author_id or 0)
    staff_answered = len(staff_ids & set(latest))
    result = [ClassAnswers(c, classes[c]["name"], classes[c]["expected"], classes[c]["answered"], classes[c]["by"],
                           sorted(classes[c]["waiting"])) for c in ordered]
    return Answers(classes=result, staff_expected=len(staff_ids), staff_answered=staff_answered,
                   total_expected=sum(r.expected for r in result) + len(staff_ids),
                   total_answered=sum(r.answered for r in result) + staff_answered)


def author_choices(*, school: School, user: User, roles: frozenset[str]) -> list[tuple[str, str]]:
    year = audiences.year_of(school, clock.local_today(school.time_zone))
    return audiences.choices(school=school, year=year, everything=permissions.may_address_everything(roles),
                             user_id=user.pk)
