"""Announcements as cached parts for the hot pages (krijt.core.parts).

- `audience`: a reader's keys (krijt.announcements.audiences), kept with the school's structure and the
  parent's family links.
- `listing`: the announcements for a set of keys. Its cache key is the set itself, so the students of one
  class (the same keys) share one part, and it depends on one scope per key: a new or changed announcement
  bumps the scopes of its own keys only. A whole-school announcement makes every listing stale, and each
  is built again once, however many readers share it.
- `mine`: what a person read and answered, bumped when they do.

Rows keep their moments (publication, expiry, pinning), so the page decides what shows now and nothing
has to expire.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce

from krijt.announcements import audiences
from krijt.announcements.models import Announcement, Answer, AudienceRule, ReadMark
from krijt.core import parts
from krijt.schools.models import School
from krijt.schools.parts import family_scope, structure_scope

LISTED = 60
EXCERPT = 160


def rule_scope(school_id: int, key: str) -> str:
    return parts.scope(school_id, "news", key)


def mine_scope(school_id: int, user_id: int) -> str:
    return parts.scope(school_id, "news-mine", user_id)


def audience(school: School, user_id: int, roles: frozenset[str], day: dt.date) -> parts.Part:
    return parts.Part(
        parts.key(school.pk, "news-audience", user_id, "-".join(sorted(roles)), day.isoformat()),
        (structure_scope(school.pk), family_scope(user_id)),
        lambda: audiences.reader_keys(school=school, user_id=user_id, roles=roles, day=day))


def _row(item: Announcement, keys: list[str]) -> dict[str, Any]:
    author = item.author
    languages = {lang: {"title": str(t.get("title") or item.title),
                        "excerpt": _excerpt(str(t.get("body_text") or item.body_text))}
                 for lang, t in item.translations.items()}
    return {"id": item.pk, "title": item.title, "excerpt": _excerpt(item.body_text), "languages": languages,
            "publish_at": item.publish_at, "expires_at": item.expires_at, "pinned_until": item.pinned_until,
            "urgent": item.urgent, "reply": item.reply, "answer_by": item.answer_by, "keys": keys,
            "author": (author.full_name or author.username) if author is not None else "",
            "author_id": item.author_id}


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1].rstrip() + "…"


def listing(school: School, keys: list[str]) -> parts.Part:
    """[row, ...], newest publication first, those still to come included (the page holds them back)."""
    wanted = sorted(set(keys))
    digest = hashlib.sha1(",".join(wanted).encode()).hexdigest()[:20]  # noqa: S324 - a cache key, not security

    def build() -> list[dict[str, Any]]:
        # One query: the matching rules with their announcements, newest first (an announcement matched by
        # several of the keys comes once per key, hence the wider slice).
        rules = (AudienceRule.objects.filter(school=school, key__in=wanted, announcement__withdrawn_at__isnull=True)
                 .select_related("announcement", "announcement__author")
                 .order_by("-announcement__publish_at", "-announcement_id")[:LISTED * len(wanted)])
        items: dict[int, Announcement] = {}
        matched: dict[int, list[str]] = {}
        for rule in rules:
            if rule.announcement_id not in items and len(items) == LISTED:
                break
            items.setdefault(rule.announcement_id, rule.announcement)
            matched.setdefault(rule.announcement_id, []).append(rule.key)
        return [_row(item, sorted(matched[pk])) for pk, item in items.items()]

    return parts.Part(parts.key(school.pk, "news-list", digest), tuple(rule_scope(school.pk, k) for k in wanted),
                      build)


def mine(school: School, user_id: int) -> parts.Part:
    """{"read": [announcement ids], "answered": {announcement id: [student ids, 0 for one's own]}}."""

    def build() -> dict[str, Any]:
        # One query: the read marks (as -1) and the answers (the child, 0 for one's own), newest first.
        marks = ReadMark.objects.filter(school=school, user_id=user_id).annotate(
            who=Value(-1), at=F("read_at")).values_list("announcement_id", "who", "at")
        answers = Answer.objects.filter(school=school, user_id=user_id).annotate(
            who=Coalesce("student_id", 0), at=F("answered_at")).values_list("announcement_id", "who", "at")
        read: list[int] = []
        answered: dict[int, list[int]] = {}
        for announcement_id, who, _at in marks.union(answers, all=True).order_by("-at")[:1000]:
            if who == -1:
                read.append(announcement_id)
            else:
                answered.setdefault(announcement_id, []).append(who)
        return {"read": read, "answered": answered}

    return parts.Part(parts.key(school.pk, "news-mine", user_id), (mine_scope(school.pk, user_id),), build)
