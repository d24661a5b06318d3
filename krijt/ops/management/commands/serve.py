"""`manage.py serve`: the production web server, configured for admission control.

Each worker process gets KRIJT_WEB_THREADS working slots (the admission limit) and as many threads
again that do nothing but answer 503 quickly when the slots are full: a process whose every thread is
busy cannot refuse anything, it can only let requests wait in the socket backlog until they time out.

The default server was chosen by measurement: docs/decisions/0005-production-server.md.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

SERVERS = ("gunicorn", "granian")
DEFAULT_SERVER = "gunicorn"


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def build_command(
    *, server: str, host: str, port: int, workers: int, threads: int, access_log: bool = False
) -> list[str]:
    total_threads = threads * 2  # the second half only sheds load, see the module docstring
    if server == "gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--worker-class", "gthread",
            "--workers", str(workers),
            "--threads", str(total_threads),
            "--bind", f"{host}:{port}",
            "--backlog", "2048",
            "--timeout", "30",
            "--graceful-timeout", "30",
            "--keep-alive", "5",
            # The largest request line gunicorn takes; Django answers past MAX_URL_CHARS in the one error shape.
            "--limit-request-line", "8190",
            # Warm workers forked from a preloaded master, one listening socket each (SO_REUSEPORT), replaced
            # by age and memory instead of request count: the hooks and the reasons are in config/gunicorn.py.
            "--config", "python:config.gunicorn",
            "--preload",
            "--reuse-port",
            "--forwarded-allow-ips", os.environ.get("KRIJT_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108
        ]
        if access_log:
            command += ["--access-logfile", "-"]
        return command
    if server == "granian":
        executable = shutil.which("granian", path=os.path.dirname(sys.executable)) or "granian"
        command = [
            executable,
            "--interface", "wsgi",
            "--workers", str(workers),
            "--blocking-threads", str(total_threads),
            "--backpressure", str(total_threads),
            "--host", host,
            "--port", str(port),
            "--workers-kill-timeout", "30",
            "--respawn-failed-workers",
            "--access-log" if access_log else "--no-access-log",
            "config.wsgi:application",
        ]
        return command
    raise CommandError(f"unknown server {server!r}; choose one of {', '.join(SERVERS)}")


class Command(BaseCommand):
    help = "Runs the production web server (gunicorn by default) with admission control configured."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server", choices=SERVERS, default=os.environ.get("KRIJT_SERVER", DEFAULT_SERVER))
        parser.add_argument("--bind", default=os.environ.get("KRIJT_BIND", "127.0.0.1:8000"), help="host:port")
        parser.add_argument(
            "--workers",
            type=int,
            default=_int_env("KRIJT_WEB_WORKERS", os.cpu_count() or 1),
            help="processes; one per core (default: the number of cores)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=_int_env("KRIJT_WEB_THREADS", 2),
            help="working slots per process: the admission limit (default 2, docs/decisions/0007)",
        )
        parser.add_argument("--access-log", action="store_true")
        parser.add_argument("--print", action="store_true", help="print the command instead of running it")

    def handle(self, *args: Any, **options: Any) -> None:
        host, _, port = options["bind"].rpartition(":")
        if not host or not port.isdigit():
            raise CommandError("--bind takes host:port, for example 0.0.0.0:8000")
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        command = build_command(
            server=options["server"],
            host=host.strip("[]"),
            port=int(port),
            workers=options["workers"],
            threads=options["threads"],
            access_log=options["access_log"],
        )
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        env["KRIJT_WEB_THREADS"] = str(options["threads"])
        if options["print"]:
            self.stdout.write(" ".join(command))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        # Replace this process: the server gets the signals from the supervisor directly.
        os.execvpe(command[0], command, env)  # noqa: S606
