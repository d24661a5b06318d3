"""Queues again the fan-out of messages whose worker died mid-way (run from cron or a supervisor)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from krijt.messaging.services import resume_stalled_fanouts


class Command(BaseCommand):
    help = "Queue again the fan-out of messages whose delivery stopped (a crashed worker)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = resume_stalled_fanouts()
        self.stdout.write(f"{count} message fan-out(s) queued again")
