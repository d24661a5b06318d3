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
from krijt.schools.models import School
school = School.objects.get(slug="demo")
accounts = demo_accounts(school=school)
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
