"""Cross-school access is impossible: every route, as every role of school A, against school B.

The walk covers every URL pattern (pages and API). Each path parameter is filled with an object of
school B. A route fails the test if, for a user of school A, it shows school B's data, or if a request
changes any of school B's rows. A new route whose parameter name is unknown here fails too: register
how to find school B's object for it in `B_OBJECTS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from krijt.core.roles import Role
from tests.scenario import Scenario, build_school

pytestmark = pytest.mark.django_db

CANARY = "zqxbeta"  # in every name of school B, so a leak is visible in any response body


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry


PARAM_RE = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")

# Routes that are not about school data, or are Django's own operator admin (platform staff only).
SKIP_PREFIXES = ("platform-admin/", "i18n/", "static/", "media/")
PUBLIC_PARAMS = {"uidb64": "MQ", "token": "set-password", "kind": "students", "topic": "teacher"}


def b_objects(b: Scenario) -> dict[str, Callable[[], Any]]:
    from krijt.accounts.models import ApiToken
    from krijt.messaging.tests.isolation import b_message_objects
    from krijt.schools.models import CalendarEntry, TimetableSlot

    def job_id() -> Any:
        model = apps.get_model("imports", "ImportJob")
        job = model.objects.filter(school=b.school).first()
        return job.pk if job else 999999

    def b_notification() -> Any:
        # Made before the walk takes its snapshot; the name of the child it is about carries the canary.
        model = apps.get_model("notifications", "Notification")
        notification, _ = model.objects.get_or_create(
            school=b.school,
            recipient=b.parents[0],
            key="walk:1",
            defaults={
                "audience": "parent",
                "kind": "walk",
                "params": {"subject": CANARY},
                "url": f"/s/beta/{CANARY}",
                "about_student": b.students[0],
                "visible_at": b.year.starts_on.isoformat() + "T08:00:00+00:00",
            },
        )
        return notification

    def b_delivery() -> Any:
        notification = b_notification()
        model = apps.get_model("notifications", "Delivery")
        delivery, _ = model.objects.get_or_create(
            idempotency_key=f"{b.school.pk}:walk:1:{notification.recipient_id}:email",
            defaults={
                "school": b.school,
                "notification": notification,
                "recipient_id": notification.recipient_id,
                "channel": "email",
                "due_at": notification.visible_at,
                "next_attempt_at": notification.visible_at,
                "state": "failed",
                "last_error": CANARY,
            },
        )
        return delivery

    def b_subscription() -> Any:
        model = apps.get_model("webpush", "PushSubscription")
        subscription, _ = model.objects.get_or_create(
            endpoint=f"https://push.example/{CANARY}",
            defaults={"user": b.students[0], "p256dh": CANARY, "auth": CANARY, "label": CANARY},
        )
        return subscription

    notification_pk, delivery_pk, subscription_pk = b_notification().pk, b_delivery().pk, b_subscription().pk

    def incident_id() -> Any:
        # Platform incidents belong to no school: their pages are public and must show no school's data.
        from krijt.core import clock

        model = apps.get_model("ops", "Incident")
        incident = model.objects.first() or model.objects.create(
            title="Maintenance", impact="maintenance", status="investigating", started_at=clock.now()
        )
        return incident.pk

    live = b_live(b)
    practice = b_exercise(b)
    return {
        "notification_id": lambda: notification_pk,
        "delivery_id": lambda: delivery_pk,
        "subscription_id": lambda: subscription_pk,
        "class_id": lambda: b.classes[0].pk,
        "person_id": lambda: b.students[0].pk,
        "user_id": lambda: b.students[0].pk,
        "student_id": lambda: b.students[0].pk,
        "course_id": lambda: b.courses[0].pk,
        "slot_id": lambda: TimetableSlot.objects.filter(school=b.school).first().pk,  # type: ignore[union-attr]
        "entry_id": lambda: CalendarEntry.objects.filter(school=b.school).first().pk,  # type: ignore[union-attr]
        "lesson_period_id": lambda: b.lesson_periods[0].pk,
        "year_id": lambda: b.year.pk,
        "period_id": lambda: b.periods[0].pk,
        "job_id": job_id,
        "incident_id": incident_id,
        "token_id": lambda: ApiToken.objects.filter(user=b.admin).first().pk,  # type: ignore[union-attr]
        # A planner item of school B with an attachment, made now (before the snapshot) so every route meets it.
        **(  # noqa: PLC3002
            lambda item: {
                "item_id": lambda: item.pk,
                "attachment_id": lambda: apps.get_model("planner", "PlannerAttachment")
                .objects.get_or_create(
                    school=b.school, item=item, defaults={"name": f"{CANARY}.pdf", "file": f"planner/{CANARY}.pdf"}
                )[0]
                .pk,
            }
        )(
            apps.get_model("planner", "PlannerItem").objects.create(
                school=b.school,
                school_year=b.year,
                class_group=b.classes[0],
                course=b.courses[0],
                teacher=b.teachers[0],
                kind="test",
                title=f"{CANARY} test",
                due_date=b.year.starts_on,
                visible_from=b.school.created_at,
            )
        ),
        **b_message_objects(b),
        "submission_id": lambda: apps.get_model("handin", "Submission").objects.filter(school=b.school)
        .values_list("pk", flat=True).first() or 999999,
        "file_id": lambda: apps.get_model("handin", "SubmissionFile").objects.filter(school=b.school)
        .values_list("pk", flat=True).first() or 999999,
        # A published result of school B with a comment carrying the canary, made before the snapshot.
        **(  # noqa: PLC3002
            lambda score: {"evaluation_id": lambda: score.evaluation_id, "score_id": lambda: score.pk}
        )(
            apps.get_model("results", "Score").objects.create(
                school=b.school,
                evaluation=apps.get_model("results", "Evaluation").objects.create(
                    school=b.school,
                    school_year=b.year,
                    course=b.courses[0],
                    period=b.periods[0],
                    name=f"{CANARY} test",
                    date=b.year.starts_on,
                    maximum=10,
                    published_at=b.school.created_at,
                ),
                student=b.students[0],
                value=7,
                comment=CANARY,
                published_at=b.school.created_at,
                student_visible_at=b.school.created_at,
                parent_visible_at=b.school.created_at,
            )
        ),
        # A lesson of school B on a school day, a parent's report and a proof carrying the canary.
        "day": lambda: "2026-10-05",
        "fmt": lambda: "xlsx",
        "period": lambda: 1,
        "report_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("attendance", "AbsenceReport").objects.create(
                school=b.school, student=b.students[0], reported_by=b.parents[0], starts_on=b.year.starts_on,
                reason="illness", note=CANARY,
            ).pk
        ),
        "review_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("attendance", "Review").objects.get_or_create(
                school=b.school, student=b.students[0], day=b.year.starts_on,
                defaults={"class_group": b.classes[0], "due_on": b.year.starts_on, "created_at": b.school.created_at,
                          "note": CANARY},
            )[0].pk
        ),
        "follow_up_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("attendance", "FollowUp").objects.get_or_create(
                school=b.school, student=b.students[0], school_year=b.year, kind="care",
                defaults={"problematic_halves": 5, "done": CANARY},
            )[0].pk
        ),
        "note_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("care", "Note").objects.get_or_create(
                school=b.school, kind="incident", what_happened=CANARY,
                defaults={"author": b.teachers[0], "written_at": b.school.created_at, "situation": CANARY,
                          "next_step": CANARY},
            )[0].pk
        ),
        "attachment_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("care", "NoteAttachment").objects.create(
                school=b.school, note=apps.get_model("care", "Note").objects.get_or_create(
                    school=b.school, kind="incident", what_happened=CANARY,
                    defaults={"author": b.teachers[0], "written_at": b.school.created_at, "situation": CANARY,
                              "next_step": CANARY})[0],
                file=f"care/{CANARY}.pdf", name=f"{CANARY}.pdf", size=10, content_type="application/pdf",
                added_at=b.school.created_at,
            ).pk
        ),
        "proof_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("attendance", "Proof").objects.create(
                school=b.school, student=b.students[0], kind="medical", file=f"attendance/{CANARY}.pdf",
                name=f"{CANARY}.pdf", size=10, content_type="application/pdf",
                uploaded_at=b.school.created_at, keep_until=b.year.ends_on,
            ).pk
        ),
        # A whole-school announcement of school B with a reply slip, published, carrying the canary.
        "announcement_id": (lambda pk: lambda: pk)(b_announcement(b)),  # noqa: PLC3002
        # A whole-school event of school B in the calendar, carrying the canary.
        "event_id": (lambda pk: lambda: pk)(b_event(b)),  # noqa: PLC3002
        # A course folder of school B with a document carrying the canary, and a file name for signed addresses.
        "folder_id": (lambda pk: lambda: pk)(b_document(b)[0]),  # noqa: PLC3002
        "document_id": (lambda pk: lambda: pk)(b_document(b)[1]),  # noqa: PLC3002
        # A live lesson of school B with a join, and its video server, carrying the canary.
        "lesson_id": (lambda pk: lambda: pk)(live[0]),  # noqa: PLC3002
        "server_id": (lambda pk: lambda: pk)(live[1]),  # noqa: PLC3002
        # An exercise of school B with an item, assigned to a class and practised, carrying the canary.
        "exercise_id": (lambda pk: lambda: pk)(practice[0]),  # noqa: PLC3002
        "item_id": (lambda pk: lambda: pk)(practice[1]),  # noqa: PLC3002
        "assignment_id": (lambda pk: lambda: pk)(practice[2]),  # noqa: PLC3002
        "name": lambda: "walk.pdf",
        "number": lambda: 1,
        # A released C certificate of school B waiting for its conversation, made before the snapshot.
        "card_id": (lambda pk: lambda: pk)(  # noqa: PLC3002
            apps.get_model("reportcards", "ReportCard")
            .objects.get_or_create(
                school=b.school, period=b.periods[-1], student=b.students[0],
                defaults={"class_group": b.classes[0], "mentor_comment": CANARY, "decision": "C",
                          "released_at": b.school.created_at},
            )[0]
            .pk
        ),
    }


def make_canary_school() -> Scenario:
    from krijt.accounts.models import ApiToken, User
    from krijt.schools.models import ClassGroup, Course

    b = build_school("beta", f"Atheneum {CANARY}")
    for group in b.classes:
        ClassGroup.objects.filter(pk=group.pk).update(name=f"{CANARY}-{group.name}")
    for course in b.courses:
        Course.objects.filter(pk=course.pk).update(name=f"{CANARY}-{course.name}")
    for user in User.objects.filter(username__startswith="beta."):
        User.objects.filter(pk=user.pk).update(
            last_name=f"{CANARY}{user.last_name}", email=f"{user.pk}@{CANARY}.example"
        )
    ApiToken.objects.create(user=b.admin, name=CANARY, prefix="krijt_zz", key_hash="0" * 64)
    try:
        model = apps.get_model("imports", "ImportJob")
    except LookupError:
        model = None
    if model is not None:
        fields = {f.name for f in model._meta.get_fields()}
        data: dict[str, Any] = {"school": b.school}
        if "created_by" in fields:
            data["created_by"] = b.admin
        if "kind" in fields:
            data["kind"] = "students"
        if "original_name" in fields:
            data["original_name"] = f"{CANARY}.csv"
        with contextlib.suppress(Exception):  # a job model needing more fields is covered by its own tests
            model.objects.create(**data)
    return b


def api_bodies(values: dict[str, Callable[[], Any]]) -> dict[tuple[str, str], Any]:
    """A valid body for every API operation that takes one, aimed at school B's objects, so the request gets
    past validation to the lookup that must refuse it. Keyed by (method, route); ("form", data) is sent as
    multipart form data. No canary in them: an answer may echo what was sent."""
    item = {"kind": "test", "title": "walk", "due_date": "2026-10-07", "minutes": 0}
    when = "2026-10-07T08:30:00"
    return {
        ("post", "api/v1/planner/items"): {**item, "course_id": values["course_id"]()},
        ("put", "api/v1/planner/items/<item_id>"): item,
        ("post", "api/v1/planner/items/<item_id>/submission"): ("form", {"text": "walk"}),
        ("put", "api/v1/submissions/<submission_id>/feedback"): {"feedback": "walk", "return_to_student": True},
        ("post", "api/v1/messages"): {"to": [f"class:{values['class_id']()}", f"user:{values['user_id']()}"],
                                      "subject": "walk", "body": "walk"},
        ("post", "api/v1/messages/<message_id>/reply"): {"body": "walk"},
        ("put", "api/v1/messages/<message_id>/schedule"): {"send_at": when, "subject": "walk", "body": "walk"},
        ("put", "api/v1/results/evaluations/<evaluation_id>/scores/<student_id>"): {"entry": "5", "comment": "walk"},
        ("put", "api/v1/attendance/lessons/<course_id>/<day>/<period>"): {"marks": []},
        ("post", "api/v1/attendance/reports"): {"student_id": values["student_id"](), "starts_on": "2999-01-01",
                                                "reason": "illness"},
        ("post", "api/v1/attendance/reports/<report_id>/end"): {"back_on": "2026-10-07"},
        ("post", "api/v1/attendance/reviews/<review_id>/close"): {"note": "walk"},
        ("post", "api/v1/notes/<note_id>/reply"): {"student_id": values["student_id"](), "text": "walk"},
        ("post", "api/v1/notes"): {"kind": "positive", "concerned": [values["student_id"]()], "what_happened": "walk"},
        ("post", "api/v1/announcements"): {"title": "walk", "body": "walk", "audience": [
            f"class:{values['class_id']()}"]},
        ("post", "api/v1/announcements/<announcement_id>/answers"): {"choice": "no",
                                                                     "student_id": values["student_id"]()},
        ("post", "api/v1/events"): {"title": "walk", "starts_on": "2026-10-07",
                                    "audience": [f"class:{values['class_id']()}"]},
        ("put", "api/v1/events/<event_id>"): {"title": "walk", "starts_on": "2026-10-07"},
        ("post", "api/v1/documents/folders/<folder_id>/folders"): {"name": "walk"},
        ("post", "api/v1/documents/folders/<folder_id>/files"): ("form", {"visible_from": ""}),
        ("post", "api/v1/documents/folders/<folder_id>/links"): {"url": "https://walk.example/"},
        ("post", "api/v1/documents/<document_id>/versions"): ("form", {}),
        ("put", "api/v1/attendance/students/<student_id>/codes"): {"halves": [{"day": "2026-10-05", "half": "am"}],
                                                                   "code": "Z", "basis": "medical"},
        ("post", "api/v1/live/lessons"): {"course_id": values["course_id"](), "when": "slot:1-1", "provider": "link",
                                          "link": "https://walk.example/"},
        ("put", "api/v1/live/lessons/<lesson_id>"): {"provider": "link", "link": "https://walk.example/"},
        ("put", "api/v1/live/settings"): {"fallback": "planner"},
        ("post", "api/v1/live/servers"): {"kind": "bbb", "name": "walk", "url": "https://walk.example/",
                                          "secret": "walk"},
        ("put", "api/v1/live/servers/<server_id>"): {"kind": "bbb", "name": "walk", "url": "https://walk.example/"},
        ("post", "api/v1/exercises"): {"subject": "walk", "skill": "walk", "title": "walk"},
        ("put", "api/v1/exercises/<exercise_id>"): {"subject": "walk", "skill": "walk", "title": "walk"},
        ("post", "api/v1/exercises/<exercise_id>/items"): {"kind": "truefalse", "prompt": "walk", "source": "true"},
        ("post", "api/v1/exercises/<exercise_id>/import"): ("form", {}),
        ("put", "api/v1/exercises/items/<item_id>"): {"kind": "truefalse", "prompt": "walk", "source": "true"},
        ("post", "api/v1/exercises/assignments"): {"course_id": values["course_id"](),
                                                   "exercise_id": values["exercise_id"]()},
        ("put", "api/v1/exercises/assignments/<assignment_id>"): {"rule_m": 1, "rule_n": 2},
        ("post", "api/v1/exercises/attempts"): {
            "key": "0b9a4a51-53a4-4c1c-8a4e-0d3f5f0e7a11", "assignment": values["assignment_id"](),
            "started_at": when + "+00:00", "finished_at": when + "+00:00", "rule": [4, 5],
            "answers": [{"item": 1, "r": 0, "ok": True}], "mastered": False},
        ("post", "api/v1/admin/classes"): {"name": "walk", "grade": 1, "mentor_id": values["user_id"]()},
        ("post", "api/v1/admin/people"): {"username": "walk.person", "role": "student", "first_name": "Walk",
                                          "last_name": "Walk",
                                          "class_id": values["class_id"]()},
    }


def api_operations() -> dict[tuple[str, str], bool]:
    """Every (method, route) of the API, and whether it takes a body, from its OpenAPI schema."""
    from krijt.api.api import api

    schema = api.get_openapi_schema(path_prefix="")
    operations = {}
    for path, methods in schema["paths"].items():
        route = "api/v1" + re.sub(r"{(\w+)}", r"<\1>", path)
        for method, operation in methods.items():
            operations[(method, route)] = "requestBody" in operation
    return operations


def snapshot(school: Any) -> str:
    """A digest of every school-owned row of school B: any change through a route of A shows up."""
    from krijt.core.models import SchoolScoped

    digest = hashlib.sha256()
    for model in apps.get_models():
        if issubclass(model, SchoolScoped):
            rows = model.objects.filter(school=school).order_by("pk").values_list()
            digest.update(repr(list(rows)).encode())
    from krijt.accounts.models import User

    digest.update(repr(list(User.objects.filter(username__startswith="beta.").order_by("pk").values_list())).encode())
    return digest.hexdigest()


def fill(route: str, values: dict[str, Callable[[], Any]]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match["name"]
        if name in PUBLIC_PARAMS:
            return PUBLIC_PARAMS[name]
        if name not in values:
            raise AssertionError(f"route {route!r} has parameter {name!r}: add it to b_objects() in this test")
        return str(values[name]())

    path = PARAM_RE.sub(repl, route)
    return path.replace("^", "").replace("$", "").replace("\\", "")


@pytest.fixture
def schools(db: None) -> tuple[Scenario, Scenario]:
    return build_school("alpha"), make_canary_school()


ROLES = [Role.ADMIN, Role.STAFF, Role.TEACHER, Role.STUDENT, Role.PARENT]


def test_every_route_keeps_school_b_out_of_reach_of_school_a(schools: tuple[Scenario, Scenario]) -> None:
    a, b = schools
    values = b_objects(b)
    routes = [(r, p) for r, p in walk(get_resolver().url_patterns) if not r.startswith(SKIP_PREFIXES)]
    assert len(routes) > 5
    before = snapshot(b.school)
    problems: list[str] = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(a.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
        for route, _pattern in routes:
            path = fill(route, values)
            for url in (f"/s/alpha/{path}", f"/s/beta/{path}"):
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    body = response.content.decode(errors="replace")
                    if response.status_code >= 500:
                        problems.append(f"{role} {method.upper()} {url}: {response.status_code}")
                    if url.startswith("/s/alpha/") and CANARY in body:
                        problems.append(f"{role} {method.upper()} {url}: shows school B's data")
                    if url.startswith("/s/beta/") and CANARY in body.replace(f"Atheneum {CANARY}", ""):
                        problems.append(f"{role} {method.upper()} {url}: a stranger sees school B's data")
    assert snapshot(b.school) == before, "a request of school A changed school B's data"
    assert not problems, "\n".join(problems)


def test_every_api_operation_with_a_valid_body_keeps_school_b_out_of_reach(schools: tuple[Scenario, Scenario]) -> None:
    """The walk above sends no body, so an operation that validates one stops before its lookup. Here every
    API operation gets a valid body aimed at school B, with its own method, as every role of school A."""
    a, b = schools
    values = b_objects(b)
    bodies = api_bodies(values)
    operations = api_operations()
    missing = [key for key, has_body in operations.items() if has_body and key not in bodies]
    assert not missing, f"add a valid body for these operations to api_bodies(): {missing}"
    assert {"put", "delete"} <= {method for method, _route in operations}
    before = snapshot(b.school)
    problems: list[str] = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(a.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
        for (method, route), _has_body in sorted(operations.items()):
            path = fill(route, values)
            body = bodies.get((method, route))
            for url in (f"/s/alpha/{path}", f"/s/beta/{path}"):
                if isinstance(body, tuple):
                    response = client.post(url, body[1])
                elif body is not None:
                    response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
                else:
                    response = getattr(client, method)(url)
                text = response.content.decode(errors="replace")
                if response.status_code >= 500:
                    problems.append(f"{role} {method.upper()} {url}: {response.status_code}")
                if CANARY in text.replace(f"Atheneum {CANARY}", ""):
                    problems.append(f"{role} {method.upper()} {url}: shows school B's data")
                if url.startswith("/s/alpha/") and 200 <= response.status_code < 300 and "<" in route:
                    problems.append(f"{role} {method.upper()} {url}: accepted an object of school B")
    assert snapshot(b.school) == before, "an API request of school A changed school B's data"
    assert not problems, "\n".join(problems)


def test_the_walk_catches_a_route_that_forgets_its_school_filter(
    schools: tuple[Scenario, Scenario], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sabotage every query on classes so it drops its school filter; the walk above must notice."""
    from django.db.models import QuerySet

    from krijt.schools.models import ClassGroup

    a, b = schools
    original = QuerySet.filter

    def leaky_filter(self: QuerySet, *args: Any, **kwargs: Any) -> QuerySet:
        if self.model is ClassGroup:
            kwargs.pop("school", None)
            kwargs.pop("school_id", None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "filter", leaky_filter)
    client = Client(raise_request_exception=False)
    client.force_login(a.admin, backend="krijt.accounts.backends.KrijtBackend")
    leaked = []
    for route, _ in walk(get_resolver().url_patterns):
        if "<int:class_id>" not in route and "<class_id>" not in route:
            continue
        response = client.get("/s/alpha/" + fill(route, b_objects(b)))
        if CANARY in response.content.decode(errors="replace"):
            leaked.append(route)
    assert leaked, "no class route uses class_for_user, or the canary check cannot see a leak"


def b_document(b: Scenario) -> tuple[int, int]:
    """School B's first course folder and a document in it (visible now), carrying the canary."""
    folder_model = apps.get_model("documents", "Folder")
    folder, _made = folder_model.objects.get_or_create(school=b.school, course=b.courses[0], parent=None,
                                                       defaults={"name": CANARY})
    document, _made = apps.get_model("documents", "Document").objects.get_or_create(
        school=b.school, folder=folder, name=f"{CANARY}.pdf", defaults={"visible_from": b.school.created_at})
    return int(folder.pk), int(document.pk)


def b_event(b: Scenario) -> int:
    """A whole-school event of school B, carrying the canary."""
    item = apps.get_model("agenda", "Event").objects.create(
        school=b.school, author=b.admin, title=CANARY, description=CANARY, place=CANARY,
        starts_on=b.year.starts_on, ends_on=b.year.starts_on, last_on=b.year.starts_on)
    apps.get_model("agenda", "EventRule").objects.create(school=b.school, event=item, key="school")
    return int(item.pk)


def b_live(b: Scenario) -> tuple[int, int]:
    """A weekly live lesson of school B (Mondays, lesson 1) with a join, and its video server, carrying the canary."""
    import datetime as dt
    import secrets

    server = apps.get_model("live", "VideoServer").objects.create(
        school=b.school, kind="bbb", name=CANARY, url=f"https://{CANARY.lower()}.example/bigbluebutton/",
        secret=CANARY)
    lesson = apps.get_model("live", "LiveLesson").objects.create(
        school=b.school, course=b.courses[0], class_group=b.classes[0], provider="link",
        link=f"https://{CANARY.lower()}.example/room", title=CANARY, weekday=1, period=1, starts_on=b.year.starts_on,
        ends_on=b.year.ends_on, room=f"room-{CANARY}-{secrets.token_hex(6)}")
    apps.get_model("live", "Join").objects.create(school=b.school, lesson=lesson, day=dt.date(2026, 10, 5),
                                                  person=b.students[0], first_at=b.school.created_at)
    return int(lesson.pk), int(server.pk)


def b_exercise(b: Scenario) -> tuple[int, int, int]:
    """An exercise of school B with one item, assigned to a class, with an attempt, progress and a tally, all
    carrying the canary."""
    import datetime as dt
    import uuid

    exercise = apps.get_model("exercises", "Exercise").objects.create(
        school=b.school, owner=b.teachers[0], subject=CANARY, skill=CANARY, title=CANARY, instructions=CANARY)
    item = apps.get_model("exercises", "Item").objects.create(school=b.school, exercise=exercise, position=1)
    revision = apps.get_model("exercises", "ItemRevision").objects.create(
        school=b.school, item=item, kind="single", prompt=CANARY, body={"options": [CANARY, "b"], "correct": 0})
    item.current = revision
    item.save()
    assignment = apps.get_model("exercises", "Assignment").objects.create(
        school=b.school, exercise=exercise, course=b.courses[0], class_group=b.classes[0], teacher=b.teachers[0],
        group_name=CANARY, rule_m=1, rule_n=1, rule_history=[[1, 1]])
    moment = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
    from krijt.exercises import partitions

    partitions.ensure_week(dt.date(2026, 10, 5))
    apps.get_model("exercises", "Attempt").objects.create(
        week=dt.date(2026, 10, 5), key=uuid.uuid4(), school=b.school, student=b.students[0], assignment=assignment,
        started_at=moment, finished_at=moment, received_at=moment, rule_m=1, rule_n=1,
        answers=[{"item": revision.pk, "r": 0, "ok": True, "hints": 0, "ms": 1}], correct=1, mastered=True, seconds=1)
    apps.get_model("exercises", "Progress").objects.create(
        school=b.school, assignment=assignment, student=b.students[0], attempts=1, answered=1, correct=1,
        mastered_at=moment, last_at=moment)
    apps.get_model("exercises", "ItemTally").objects.create(school=b.school, assignment=assignment, item=item,
                                                            answered=3, wrong=2)
    apps.get_model("exercises", "PracticeGroup").objects.get_or_create(school=b.school, class_group=b.classes[0],
                                                                    name=CANARY)
    return int(exercise.pk), int(item.pk), int(assignment.pk)


def b_announcement(b: Scenario) -> int:
    """A published whole-school announcement of school B with a reply slip, carrying the canary."""
    item = apps.get_model("announcements", "Announcement").objects.create(
        school=b.school, author=b.admin, title=CANARY, body_html=f"<p>{CANARY}</p>", body_text=CANARY,
        publish_at=b.school.created_at, reply="slip", slip_question=CANARY, slip_options=[CANARY, "no"])
    apps.get_model("announcements", "AudienceRule").objects.create(school=b.school, announcement=item, key="school")
    return int(item.pk)
