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


def students_at_least(slug: str, count: int) -> None:
    """Enrols newcomers (bench.<slug>.extra<n>) in the school's classes, in turn, until it has `count` students."""
    from krijt.accounts.models import Membership, User
    from krijt.schools.models import ClassGroup, Enrollment, School

    school = School.objects.get(slug=slug)
    have = Membership.objects.filter(school=school, role="student").count()
    classes = list(ClassGroup.objects.filter(school=school).order_by("school_year__starts_on", "pk"))
    year_id = classes[-1].school_year_id
    classes = [c for c in classes if c.school_year_id == year_id]
    for n in range(have, count):
        user, _ = User.objects.get_or_create(username=f"bench.{slug}.extra{n}",
                                             defaults={"first_name": "Extra", "last_name": f"Leerling {n}"})
        Membership.objects.get_or_create(school=school, user=user, role="student")
        Enrollment.objects.get_or_create(school=school, school_year_id=year_id, student=user,
                                         defaults={"class_group": classes[n % len(classes)]})


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


def news_readers(slug: str, students: int, parents: int, out: str) -> None:
    """[[slug, username], ...]: `students` students spread over the classes and `parents` of their parents."""
    from krijt.accounts.models import Membership, ParentLink
    from krijt.schools.models import Enrollment

    by_class: dict[int, list[str]] = {}
    for class_id, name in (Enrollment.objects.filter(school__slug=slug).order_by("class_group_id", "student__username")
                           .values_list("class_group_id", "student__username")):
        by_class.setdefault(class_id, []).append(name)
    spread = [names[i] for i in range(max(map(len, by_class.values()), default=0))
              for names in by_class.values() if i < len(names)][:students]
    student_roles = set(Membership.objects.filter(school__slug=slug, role="student", user__username__in=spread)
                        .values_list("user__username", flat=True))
    chosen = [n for n in spread if n in student_roles]
    mothers = list(ParentLink.objects.filter(school__slug=slug, student__username__in=chosen).order_by(
        "parent__username").values_list("parent__username", flat=True).distinct()[:parents])
    with open(out, "w") as handle:
        json.dump([[slug, n] for n in chosen] + [[slug, n] for n in mothers], handle)


def news_post(slug: str) -> None:
    """A whole-school announcement through the service, as the school's administrator posts it."""
    from krijt.accounts.models import Membership
    from krijt.announcements.services import AnnouncementIn, announcement_post
    from krijt.schools.models import School

    school = School.objects.get(slug=slug)
    admin = Membership.objects.filter(school=school, role="admin").select_related("user").first()
    assert admin is not None
    announcement_post(school=school, author=admin.user, roles=frozenset({"admin"}), data=AnnouncementIn(
        title="Warme truien gezocht", audience=["school"],
        body="Voor de inzameling van de leerlingenraad zoeken we warme truien. Breng ze mee naar het onthaal."))


def news_clear(slug: str) -> None:
    """No announcement in the school any more; the cached lists of every audience key are dropped with them."""
    from krijt.announcements.models import Announcement, AudienceRule
    from krijt.announcements.parts import rule_scope
    from krijt.core import parts
    from krijt.schools.models import School

    school = School.objects.get(slug=slug)
    keys = set(AudienceRule.objects.filter(school=school).values_list("key", flat=True))
    Announcement.objects.filter(school=school).delete()
    parts.bump(*(rule_scope(school.pk, key) for key in keys))


def news_queries(readers_file: str, out: str) -> None:
    """Queries of one Today page, in this process: without announcements (warm), for the first reader right after
    a whole-school announcement, for a classmate right after them, and for the first reader again."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from krijt.accounts.models import User

    with open(readers_file) as handle:
        people = json.load(handle)
    slug = people[0][0]
    first = User.objects.get(username=people[0][1])
    classmate = User.objects.filter(enrollments__class_group__enrollments__student=first).exclude(
        pk=first.pk).order_by("username").first()

    def signed_in(user: Any) -> Any:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        client.get(f"/s/{slug}/", secure=True)  # the session's own first reads (roles, school, parts) made
        return client

    def count(client: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/s/{slug}/", secure=True)
        assert response.status_code == 200, response.status_code
        return len(captured.captured_queries)

    news_clear(slug)
    reader, mate = signed_in(first), signed_in(classmate)
    result = {"without": count(reader)}
    news_post(slug)
    result["first_after"] = count(reader)
    result["classmate_after"] = count(mate)
    result["again_after"] = count(reader)
    news_clear(slug)
    with open(out, "w") as handle:
        json.dump(result, handle)


def folder_for_all(slug: str, files: int, out: str) -> None:
    """A course's folder with `files` worksheets, shared with every class of the school; writes
    {"folder_id": ..., "course": ...}."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from krijt.demo.documents import pdf
    from krijt.documents import services
    from krijt.documents.models import Document
    from krijt.schools.models import ClassGroup, Course, School

    school = School.objects.get(slug=slug)
    course = Course.objects.filter(school=school, teacher__isnull=False).order_by("pk").first()
    assert course is not None
    assert course.teacher is not None
    teacher = course.teacher
    roles = frozenset({"teacher"})
    folder = services.root_folder(school=school, actor=teacher, roles=roles, course_id=course.pk)
    if not Document.objects.filter(school=school, folder=folder).exists():
        services.files_add(school=school, actor=teacher, roles=roles, folder_id=folder.pk, files=[
            SimpleUploadedFile(f"Werkblad {n + 1}.pdf", pdf(f"Werkblad {n + 1}", ["Oefening 1", "Oefening 2"]))
            for n in range(files)])
    classes = list(ClassGroup.objects.filter(school=school, school_year_id=course.school_year_id)
                   .exclude(pk=course.class_group_id).values_list("pk", flat=True))
    services.sharing_set(school=school, actor=teacher, roles=roles, course_id=course.pk, class_ids=classes,
                         coteachers={})
    with open(out, "w") as handle:
        json.dump({"folder_id": folder.pk, "course": course.name}, handle)


def exercise_for_all(slug: str, out: str) -> None:
    """An exercise of ten items assigned to every class's first course (the whole class); writes
    {"by_student": {username: assignment id}, "answers": [[revision, response], ...], "rule": [m, n]}."""
    import datetime as dt

    from krijt.core import clock
    from krijt.exercises import items, partitions, rules, services
    from krijt.exercises.models import Assignment, Exercise, Item
    from krijt.schools.models import Course, School

    partitions.maintain()
    partitions.ensure_week(rules.week_of(clock.now() - dt.timedelta(hours=1)))
    school = School.objects.get(slug=slug)
    teacher = Course.objects.filter(school=school, teacher__isnull=False).order_by("pk").first().teacher
    roles = frozenset({"admin"})
    exercise = Exercise.objects.filter(school=school, title="Bench: tafels").first()
    if exercise is None:
        exercise = services.exercise_create(school=school, actor=teacher, roles=roles, data=services.ExerciseIn(
            subject="Wiskunde", skill="Tafels", title="Bench: tafels", rule_m=8, rule_n=10))
        sources = [("single", "3 × 4?", "10\n*12\n14"), ("numeric", "Helft van 7?", "3,5"),
                   ("text", "Hoofdstad van België?", "Brussel"), ("truefalse", "7 is even.", "fout"),
                   ("order", "Van klein naar groot.", "1\n2\n3\n4"), ("match", "Verbind.", "3 × 1 = 3\n3 × 2 = 6"),
                   ("inline", "Kies.", "3 × 3 = [*9|6]."), ("gapmatch", "Vul in.", "3 × [2] = [6].\n+ 5"),
                   ("multiple", "Even?", "*2\n3\n*4"), ("numeric", "3 × 7?", "21")]
        for kind, prompt, source in sources:
            services.item_add(school=school, actor=teacher, roles=roles, exercise=exercise,
                              data=services.ItemIn(kind=kind, prompt=prompt, source=source))
    by_student = {}
    for course in Course.objects.filter(school=school).order_by("class_group_id", "pk").distinct("class_group_id"):
        assignment = Assignment.objects.filter(school=school, exercise=exercise, course=course).first()
        if assignment is None:
            assignment = services.assignment_create(school=school, actor=teacher, roles=roles, data=services.AssignIn(
                course_id=course.pk, exercise_id=exercise.pk))
        for username in course.class_group.enrollments.values_list("student__username", flat=True):
            by_student[username] = assignment.pk
    answers = [[i.current.pk, items.correct_response(i.current.kind, i.current.body)]
               for i in Item.objects.filter(exercise=exercise).select_related("current").order_by("position")]
    with open(out, "w") as handle:
        json.dump({"by_student": by_student, "answers": answers, "rule": [exercise.rule_m, exercise.rule_n]}, handle)


def exercise_attempts_clear(slug: str) -> None:
    """The bench's attempts and summaries go; the exercise and its assignments stay for the next run."""
    from django.db import connection

    from krijt.exercises.models import Assignment, Progress, SummaryCursor

    ids = list(Assignment.objects.filter(school__slug=slug, exercise__title="Bench: tafels")
               .values_list("pk", flat=True))
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM exercises_attempt WHERE assignment_id = ANY(%s)", [ids])
    Progress.objects.filter(school__slug=slug, assignment__exercise__title="Bench: tafels").delete()
    SummaryCursor.objects.all().delete()


def exercise_summaries(out: str) -> None:
    """Folds every attempt into the dashboard's summaries as the worker does; writes {"pairs", "seconds"}."""
    import time

    import time_machine

    from krijt.core import clock
    from krijt.exercises import services

    started = time.perf_counter()
    with time_machine.travel(clock.now() + services.SETTLE * 2, tick=True):
        pairs = services.summarize(limit_rounds=10_000)
    with open(out, "w") as handle:
        json.dump({"pairs": pairs, "seconds": time.perf_counter() - started}, handle)
