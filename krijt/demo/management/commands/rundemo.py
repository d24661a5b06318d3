"""The demo in one command: migrate, build the demo school when missing, run tasks in-process, serve locally.

Django's threaded development server on 127.0.0.1 only. This is for trying Krijt on one machine;
production runs gunicorn and `manage.py db_worker` (see docs/).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from krijt.core.worker import start_background_worker
from krijt.demo.selectors import demo_accounts
from krijt.demo.services import DEMO_PASSWORD, DEMO_SLUG
from krijt.schools.models import School

HOST = "127.0.0.1"


class Command(BaseCommand):
    help = "Runs the demo on http://127.0.0.1:8000/s/demo/: migrates, seeds when needed, starts a worker and serves."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port on 127.0.0.1 (default 8000).")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError("The port must be between 1 and 65535.")
        call_command("migrate", interactive=False, verbosity=0)
        school = School.objects.filter(slug=DEMO_SLUG).first()
        if school is None:
            self.stdout.write("Building the demo school (first start only)...")
            call_command("demo_seed", stdout=self.stdout)
            school = School.objects.get(slug=DEMO_SLUG)
        if not os.environ.get("KRIJT_SITE_URL"):
            # Links in e-mails (password resets, digests) point at this server, whatever its port.
            settings.KRIJT_SITE_URL = f"http://{HOST}:{port}"
        start_background_worker()
        self._banner(school, port)
        call_command("runserver", f"{HOST}:{port}", use_reloader=False, use_threading=True)

    def _banner(self, school: School, port: int) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Krijt demo: http://{HOST}:{port}/s/{school.slug}/"))
        accounts = demo_accounts(school=school)
        if accounts is not None:
            out.write(f'Sign in with the password "{DEMO_PASSWORD}" as one of:')
            details = {
                "student": accounts.class_name,
                "teacher": f"class mentor of {accounts.class_name}",
                "parent": f"parent of {accounts.student.first_name}",
                "administrator": "",
                "care coordinator": "the care team's follow-up",
            }
            for role, user in accounts.rows():
                detail = f", {details[role]}" if details[role] else ""
                out.write(f"  {role:<17} {user.username:<28} ({user.full_name}{detail})")
        out.write("Tasks run in this process. Stop with Ctrl+C.")
        out.write("")
