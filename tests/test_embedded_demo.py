"""The embedded default really works: SQLite, no server, the demo school, and every role signed in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", interactive=False, verbosity=0)
call_command("demo_seed", verbosity=0)
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
for role, user in accounts.rows():
    client = Client()
    response = client.post("/s/demo/accounts/sign-in/", {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, (role, response.status_code)
    home = client.get("/s/demo/")
    assert home.status_code == 200, (role, home.status_code)
    for path in ("/s/demo/manage/", "/s/demo/manage/people/?q=a", "/s/demo/api/v1/me"):
        if role == "administrator" or path.endswith("/me"):
            assert client.get(path).status_code == 200, (role, path)
    print(role, "ok")
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

SKIP = re.compile(r"/(sign-out|sign-out-everywhere)/|\\.(pdf|ics|csv|xlsx)(\\?|$)"
                  r"|/file/|/files/|/attachments/|/download")
school = School.objects.get(slug="demo")
accounts = demo_accounts(school=school)
problems = []
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
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.found:
            if href.startswith("/s/demo/"):
                queue.append(href)
    print(role, "crawled", len(seen))
assert not problems, "\\n".join(problems)
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
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok") == 4
    crawl = subprocess.run(
        [sys.executable, "-c", CRAWL], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-5000:]
    assert "crawl ok" in crawl.stdout
