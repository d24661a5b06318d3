"""Benchmark fixtures made straight in the database, run inside `manage.py shell` of the served settings.

Device sessions are written as the session engine stores them (a row and the cached copy), without a
password hash: that is what a returning "keep me signed in" device brings on a Monday morning.
"""

from __future__ import annotations

import json
from typing import Any


def students_of(slugs: list[str], count: int, out: str) -> None:
    """The first `count` students of these schools, interleaved school by school: [[slug, username], ...]."""
    from krijt.accounts.models import Membership

    by_school: dict[str, list[str]] = {}
    for slug, name in (
        Membership.objects.filter(school__slug__in=slugs, role="student")
        .order_by("school__slug", "user__username")
        .values_list("school__slug", "user__username")
    ):
        by_school.setdefault(slug, []).append(name)
    mixed = [[slug, names[i]] for i in range(max(map(len, by_school.values()), default=0))
             for slug, names in by_school.items() if i < len(names)]
    with open(out, "w") as handle:
        json.dump(mixed[:count], handle)


def device_sessions(count: int, slugs: list[str], out: str) -> None:
    """`count` sessions of distinct students of the given schools; writes [[slug, username, key], ...]."""
    from krijt.accounts.models import Membership

    members = (
        Membership.objects.filter(school__slug__in=slugs, role="student")
        .order_by("school__slug", "user__username")
        .values_list("school__slug", "user__username")[:count]
    )
    _sessions([list(m) for m in members], out)


def device_sessions_for(people_file: str, out: str) -> None:
    """Sessions for the [[slug, username], ...] in people_file; writes [[slug, username, key], ...]."""
    with open(people_file) as handle:
        _sessions(json.load(handle), out)


def _sessions(people: list[list[str]], out: str) -> None:
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.cache import caches
    from django.utils import timezone

    from krijt.accounts.models import DeviceSession as Session
    from krijt.accounts.models import User
    from krijt.accounts.session_backend import SessionStore

    users = User.objects.in_bulk([name for _slug, name in people], field_name="username")
    backend = settings.AUTHENTICATION_BACKENDS[0]
    age = settings.SESSION_COOKIE_AGE
    expire = timezone.now() + dt.timedelta(seconds=age)
    cache = caches[settings.SESSION_CACHE_ALIAS]
    rows, cached, keys = [], {}, []
    for slug, name in people:
        user = users[name]
        store = SessionStore()
        key = store._get_new_session_key()  # type: ignore[attr-defined]
        data: dict[str, Any] = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "_session_expiry": age,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        cached[store.cache_key_prefix + key] = data
        keys.append([slug, name, key])
    Session.objects.bulk_create(rows, batch_size=2000)
    items = list(cached.items())
    for start in range(0, len(items), 2000):
        cache.set_many(dict(items[start : start + 2000]), age)
    with open(out, "w") as handle:
        json.dump(keys, handle)


def forget_sessions(keys_file: str) -> None:
    """Deletes the device sessions a run wrote, so repeated runs do not pile them up."""
    from krijt.accounts.models import DeviceSession as Session

    with open(keys_file) as handle:
        keys = json.load(handle)
    for start in range(0, len(keys), 5000):
        Session.objects.filter(session_key__in=keys[start : start + 5000]).delete()


def planner_items(slug: str, per_class: int, out: str) -> None:
    """`per_class` planned tasks per class, visible now; writes {username: [item ids of their class]}."""
    import datetime as dt

    from krijt.core import clock
    from krijt.planner.models import PlannerItem
    from krijt.schools.models import Course, Enrollment, School

    school = School.objects.get(slug=slug)
    now = clock.now()
    courses = {c.class_group_id: c for c in Course.objects.filter(school=school).order_by("pk")}
    made: dict[int, list[int]] = {}
    for class_id, course in courses.items():
        items = PlannerItem.objects.bulk_create(
            PlannerItem(
                school=school, school_year_id=course.school_year_id, class_group_id=class_id, course=course,
                teacher_id=course.teacher_id, kind=PlannerItem.Kind.TASK, title=f"Benchmark task {i + 1}",
                due_date=(now + dt.timedelta(days=7)).date(), visible_from=now - dt.timedelta(hours=1),
            )
            for i in range(per_class)
        )
        made[class_id] = [i.pk for i in items]
    result = {
        e.student.username: made.get(e.class_group_id, [])
        for e in Enrollment.objects.filter(school=school, class_group_id__in=made).select_related("student")
    }
    with open(out, "w") as handle:
        json.dump(result, handle)


def done_marks(slug: str) -> list[list[Any]]:
    from krijt.planner.models import DoneMark

    return [
        [u, i]
        for u, i in DoneMark.objects.filter(school__slug=slug).values_list("student__username", "item_id")
    ]
