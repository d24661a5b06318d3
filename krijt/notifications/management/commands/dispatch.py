"""Sends due e-mail and push deliveries. Production runs one or more of these next to the web processes."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from krijt.core import housekeeping
from krijt.notifications.dispatch import BATCH_SIZE, dispatch_once


class Command(BaseCommand):
    help = "Send due notification e-mails and pushes (claims batches; safe to run several at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send one batch and stop.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds to wait when nothing is due.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            report = dispatch_once(batch_size=options["batch_size"])
            self.stdout.write(self._line(report))
            return
        stop = threading.Event()
        # A stop signal ends the loop between batches, never in the middle of one.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set():
            close_old_connections()
            try:
                report = dispatch_once(batch_size=options["batch_size"])
                housekeeping.run_due()
            except Exception as exc:
                self.stderr.write(f"dispatch failed: {exc}; trying again")
                stop.wait(options["interval"] * 4)
                continue
            if report.claimed:
                self.stdout.write(self._line(report))
            else:
                stop.wait(options["interval"])

    @staticmethod
    def _line(report: Any) -> str:
        return (
            f"claimed {report.claimed}: sent {report.sent}, digested {report.digested} in {report.digests} digests, "
            f"skipped {report.skipped}, retrying {report.retrying}, failed {report.failed}"
        )
