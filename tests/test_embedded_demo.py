"""The embedded default really works: SQLite, no server, the demo school, and every role signed in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import datetime as dt
import html
import re
import time
from zoneinfo import ZoneInfo
import django
import time_machine
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
# A Wednesday morning in the fourteenth week of term, whatever day the test runs.
time_machine.travel(dt.datetime(2026, 12, 2, 9, 20, tzinfo=ZoneInfo("Europe/Brussels")), tick=True).start()
call_command("migrate", interactive=False, verbosity=0)
started = time.monotonic()
call_command("demo_seed", "--year", "2026", verbosity=0)
print(f"built in {time.monotonic() - started:.0f} s")
from krijt.demo.selectors import demo_accounts
from krijt.demo.services import DEMO_PASSWORD
from krijt.imports.models import ImportJob
from krijt.schools.models import School
school = School.objects.get(slug="demo")
accounts = demo_accounts(school=school)
# An import with problems, as an administrator's first try leaves one: its list must still answer.
ImportJob.objects.create(school=school, kind="students", original_name="leerlingen.csv", status="preview",
                         created_by=accounts.admin, errors=[{"row": 2, "column": "klas", "message": "x"}],
                         summary={"errors_total": 1})
SEEN = {}
for role, user in accounts.rows():
    client = Client()
    response = client.post("/s/demo/accounts/sign-in/", {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, (role, response.status_code)
    home = client.get("/s/demo/")
    assert home.status_code == 200, (role, home.status_code)
    for path in ("/s/demo/manage/", "/s/demo/manage/people/?q=a", "/s/demo/api/v1/me"):
        if role == "administrator" or path.endswith("/me"):
            assert client.get(path).status_code == 200, (role, path)
    SEEN[role] = client
    print(role, "ok")

# Every printed account opens on a school in the middle of its term: real content on each main page.
from django.utils import timezone
from krijt.handin.models import Submission
from krijt.planner.models import PlannerItem
from krijt.results.models import Score

def words(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    return html.unescape(re.sub(r"\\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))

def shows_one(text, titles, what):
    titles = [t for t in titles if t]
    assert titles, f"the demo made no {what}"
    assert any(t in text for t in titles), f"none of the {what} shows: {titles[:5]}"

now = timezone.now()
student, teacher, parent = accounts.student, accounts.teacher, accounts.parent
klas = student.enrollments.get(school=school).class_group
coming = list(PlannerItem.objects.filter(school=school, class_group=klas, due_date__gte=now.date(),
                                         state="planned").values_list("title", flat=True))
shows_one(words(SEEN["student"], "/s/demo/"), coming, "coming tests and tasks on the student's Today")
shows_one(words(SEEN["student"], "/s/demo/planner/"), coming, "items in the student's planner")
assert "Uitstap naar het Gravensteen" in words(SEEN["student"], "/s/demo/messages/")
released = list(Score.objects.filter(school=school, student=student, student_visible_at__lte=now)
                .values_list("evaluation__name", flat=True))
shows_one(words(SEEN["student"], "/s/demo/results/"), released, "released results of the student")
assert Submission.objects.filter(school=school, student=student, returned_at__isnull=False).exists()

waiting = list(Submission.objects.filter(school=school, item__teacher=teacher, returned_at__isnull=True)
               .values_list("item__title", flat=True).distinct())
shows_one(words(SEEN["teacher"], "/s/demo/"), waiting, "hand-ins waiting for the mentor's feedback")
inbox = words(SEEN["teacher"], "/s/demo/messages/")
assert "Oudercontact" in inbox and "Vraag over de uitstap" in inbox, inbox[:2000]
assert "Vergeet je turnzak niet" in words(SEEN["teacher"], "/s/demo/messages/scheduled/")
shows_one(words(SEEN["teacher"], "/s/demo/planner/"), [*coming], "items in the mentor's planner")

family = words(SEEN["parent"], "/s/demo/")
for child in parent.children_links.filter(school=school).select_related("student"):
    assert child.student.first_name in family, child.student.first_name
seen_by_parent = list(Score.objects.filter(school=school, student__parent_links__parent=parent,
                                           parent_visible_at__lte=now).values_list("evaluation__name", flat=True))
shows_one(words(SEEN["parent"], f"/s/demo/results/students/{student.pk}/"), seen_by_parent,
          "results the parents may see")
assert "Oudercontact" in words(SEEN["parent"], "/s/demo/messages/")
# The school calendar of the term: the study day, the excursion and the exams for the student, the parents'
# evening for the parent, the staff meeting for the teacher.
agenda = words(SEEN["student"], "/s/demo/calendar/?view=agenda")
assert "Pedagogische studiedag" in agenda and "Uitstap naar Gent" in agenda and "Examenperiode" in agenda, agenda[:3000]
assert "Oudercontact" in words(SEEN["parent"], "/s/demo/calendar/?view=agenda")
assert "Personeelsvergadering" in words(SEEN["teacher"], "/s/demo/calendar/?view=agenda")
# Course folders: the student's courses, a worksheet in one; the student's own notes; the teacher's scheduled one.
student_docs = words(SEEN["student"], "/s/demo/documents/")
assert "Wiskunde" in student_docs or "Nederlands" in student_docs, student_docs[:2000]
from krijt.documents.models import Document
sheet = Document.objects.filter(school=school, folder__course__teacher=accounts.teacher,
                                name__startswith="Werkblad").first()
assert sheet is not None
assert sheet.name in words(SEEN["teacher"], f"/s/demo/documents/folder/{sheet.folder_id}/")
assert "Mijn samenvatting.pdf" in words(SEEN["student"], "/s/demo/documents/mine/")

# Live lessons: Wednesday's first lesson of the student's class is one, linked from Today and the list; the
# class joined last school days' lessons, which the register can take as a suggestion.
from krijt.live.models import Join, LiveLesson
weekly = LiveLesson.objects.filter(school=school, class_group=klas, weekday=3).first()
assert weekly is not None
assert f"/s/demo/live/{weekly.pk}/2026-12-02/" in SEEN["student"].get("/s/demo/").content.decode()
assert weekly.course.name in words(SEEN["student"], "/s/demo/live/")
went = Join.objects.filter(school=school, lesson__class_group=klas, moderator=False).latest("day")
assert "leerlingen gingen via de deelnameknop binnen" in words(
    SEEN["administrator"], f"/s/demo/live/{went.lesson_id}/{went.day.isoformat()}/joined/")

# Exercises: the first grade and the student's class practised for a month; the student's list, the mentor's
# dashboard with who mastered what.
from krijt.exercises.models import Assignment, Attempt, Progress
assert Attempt.objects.filter(school=school, finished_at__lt=now - dt.timedelta(days=25)).exists()
assert Attempt.objects.filter(school=school, assignment__class_group__grade=1).count() > 200
practice = words(SEEN["student"], "/s/demo/exercises/")
assert "Breuken vereenvoudigen" in practice and "La famille" in practice, practice[:2000]
given = Assignment.objects.filter(school=school, class_group=klas, progress__mastered_at__isnull=False).first()
assert given is not None
board = words(SEEN["teacher"], f"/s/demo/exercises/courses/{given.course_id}/")
assert "beheerst" in board and given.exercise.title in board, board[:2000]
assert Progress.objects.filter(school=school, student=student).exists()
from krijt.demo.exercises import EXERCISES
assert {t for _c, _s, t, *_rest in EXERCISES} <= set(Assignment.objects.filter(school=school).values_list(
    "exercise__title", flat=True))

assert "Lokaal voor het oudercontact" in words(SEEN["administrator"], "/s/demo/messages/")
assert "stagiairs.csv" in words(SEEN["administrator"], "/s/demo/manage/imports/")

from krijt.attendance.models import AbsenceReport, FollowUp, HalfDayCode, Register
sick = AbsenceReport.objects.get(school=school, student=student)
month = sick.starts_on.strftime("%Y-%m")
for role in ("student", "parent"):
    seen = words(SEEN[role], f"/s/demo/attendance/students/{student.pk}/?month={month}")
    assert sick.note in seen and "afwezig" in seen, (role, seen[:2000])
last = Register.objects.filter(school=school, taken_by=teacher).latest("day").day
assert "aanwezigheden genomen" in words(SEEN["teacher"], f"/s/demo/attendance/?day={last.isoformat()}")
coded = HalfDayCode.objects.filter(school=school).latest("day").day
assert "Z: ziekte" in words(SEEN["administrator"], f"/s/demo/attendance/office/?day={coded.isoformat()}")
care = FollowUp.objects.get(school=school, kind="care")
assert care.student.full_name in words(SEEN["administrator"], "/s/demo/attendance/reviews/")
note_text = "Gaf een heel duidelijke uitleg aan de klas"
for role in ("student", "parent", "teacher"):
    assert note_text in words(SEEN[role], "/s/demo/care/"), role
from krijt.care.models import Note
measure = Note.objects.get(school=school, kind="care_measure", closed_on__isnull=True)
overview = words(SEEN["care coordinator"], "/s/demo/care/overview/")
assert measure.students.get().student.full_name in overview, overview[:2000]
timeline = words(SEEN["care coordinator"], f"/s/demo/care/students/{measure.students.get().student_id}/")
assert "Volstond niet" in timeline and "Beide ouders, op papier" in timeline, timeline[:3000]
print("living ok")
"""

# Every page a demo role reaches by following links from its home page: each must answer without a
# 4xx or 5xx on SQLite. At most three pages per route (a school has 1,500 people pages of one kind).
CRAWL = """
import re
from collections import Counter, deque
from html.parser import HTMLParser
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import Resolver404, resolve
setup_test_environment()
from krijt.demo.selectors import demo_accounts
from krijt.demo.services import DEMO_PASSWORD
from krijt.schools.models import School

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []
    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)

import os
SKIP = re.compile(r"/(sign-out|sign-out-everywhere)/|\\.(pdf|ics|csv|xlsx)(\\?|$)"
                  r"|/file/|/files/|/attachments/|/download")
school = School.objects.get(slug="demo")
accounts = demo_accounts(school=school)
problems = []
NAMES = {}
for role, user in accounts.rows():
    client = Client()
    client.post("/s/demo/accounts/sign-in/", {"username": user.username, "password": DEMO_PASSWORD})
    seen, per_route, queue = set(), Counter(), deque(["/s/demo/"])
    while queue:
        url = queue.popleft()
        path = url.split("#", 1)[0]
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        try:
            match = resolve(path.split("?", 1)[0].removeprefix("/s/demo"))
        except Resolver404:
            problems.append(f"{role} {path}: no such route (a broken link)")
            continue
        route = match.route
        if per_route[route] >= 3:
            continue
        per_route[route] += 1
        response = client.get(path)
        if response.status_code >= 400:
            problems.append(f"{role} {path}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        saved = os.path.join(os.environ["KRIJT_CRAWL_DIR"], f"{role}-{len(seen)}.html")
        with open(saved, "wb") as handle:  # for the HTML checker, after the crawl
            handle.write(response.content)
        NAMES[os.path.basename(saved)] = f"{role} {path}"
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.found:
            if href.startswith("/s/demo/"):
                queue.append(href)
    print(role, "crawled", len(seen))
assert not problems, "\\n".join(problems)
import json
with open(os.path.join(os.environ["KRIJT_CRAWL_DIR"], "names.json"), "w") as handle:
    json.dump(NAMES, handle)
print("crawl ok")
"""


@pytest.mark.slow
def test_demo_runs_on_sqlite_with_every_role(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "KRIJT_VAR_DIR": str(tmp_path),
        "KRIJT_SQLITE_PATH": str(tmp_path / "demo.sqlite3"),
        "KRIJT_DEBUG": "0",
        "KRIJT_ALLOWED_HOSTS": "testserver,localhost",
    }
    env.pop("KRIJT_REDIS_URL", None)
    pages = tmp_path / "pages"
    pages.mkdir()
    env["KRIJT_CRAWL_DIR"] = str(pages)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok") == 6, result.stdout  # five roles, then the living school
    crawl = subprocess.run(
        [sys.executable, "-c", CRAWL], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-5000:]
    assert "crawl ok" in crawl.stdout
    # Every page the crawl reached is valid HTML (the W3C Nu checker, in one run).
    from tests.test_html_validity import vnu

    names = json.loads((pages / "names.json").read_text())
    checked = subprocess.run([*vnu(), "--errors-only", "--format", "json", *sorted(str(pages / n) for n in names)],
                             capture_output=True, text=True, timeout=600, check=False)
    errors = [m for m in json.loads(checked.stderr or checked.stdout)["messages"] if m.get("type") == "error"]
    assert len(names) > 100
    assert not errors, "\n".join(
        f"{names[unquote(m['url'].rsplit('/', 1)[-1])]} line {m.get('lastLine')}: {m['message']}" for m in errors[:40])
