"""`manage.py serve` starts a real server; production static files are hashed, compressed and cached long."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from krijt.ops.management.commands.serve import build_command


def test_gunicorn_runs_gthread_workers_with_shedding_threads() -> None:
    command = build_command(server="gunicorn", host="0.0.0.0", port=8000, workers=3, threads=4)
    assert command[1:4] == ["-m", "gunicorn", "config.wsgi:application"]
    joined = " ".join(command)
    assert "--worker-class gthread" in joined
    assert "--workers 3" in joined
    assert "--threads 8" in joined
    assert "--bind 0.0.0.0:8000" in joined


def test_granian_runs_the_wsgi_interface() -> None:
    joined = " ".join(build_command(server="granian", host="127.0.0.1", port=9000, workers=2, threads=3))
    assert "--interface wsgi" in joined
    assert "--blocking-threads 6" in joined
    assert joined.endswith("config.wsgi:application")


def test_print_shows_the_command() -> None:
    out = io.StringIO()
    call_command("serve", "--print", "--workers", "2", "--threads", "3", "--bind", "127.0.0.1:8123", stdout=out)
    assert "--threads 6" in out.getvalue()
    assert "127.0.0.1:8123" in out.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, deadline: float, headers: dict[str, str] | None = None) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_serve_starts_a_server_that_answers(server: str) -> None:
    if importlib.util.find_spec(server) is None:
        pytest.skip(f"{server} is not installed")
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--server", server, "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/health/", time.monotonic() + 20)
        assert json.loads(body) == {"status": "ok"}
        metrics = _wait_for(f"http://127.0.0.1:{port}/metrics", time.monotonic() + 5,
                            headers={"Authorization": f"Bearer {settings.KRIJT_METRICS_TOKEN}"}).decode()
        assert "krijt_admission_limit 2" in metrics
    finally:
        process.terminate()
        process.wait(timeout=20)


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "krijt.core.staticfiles.StaticFilesStorage"},
}


def test_collectstatic_hashes_and_compresses_and_whitenoise_caches_for_a_year(tmp_path: Path) -> None:
    from whitenoise.middleware import WhiteNoiseMiddleware

    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE, WHITENOISE_USE_FINDERS=False,
                           WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())
        hashed = manifest["paths"]["krijt/krijt.css"]
        assert hashed != "krijt/krijt.css"
        assert (tmp_path / (hashed + ".gz")).exists()

        from django.templatetags.static import static

        url = static("krijt/krijt.css")
        assert url == f"/static/{hashed}"
        assert static("krijt/krijt.css") == url  # the second time from what the storage kept
        assert static("krijt/krijt.css?v=1").startswith(f"/static/{hashed}")

        def not_static(request: HttpRequest) -> HttpResponse:
            return HttpResponse(status=404)

        middleware = WhiteNoiseMiddleware(not_static)
        response = middleware(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip"))
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"


def test_production_refuses_to_start_without_a_metrics_token(tmp_path: Path) -> None:
    env = {**os.environ, "KRIJT_SECRET_KEY": "x" * 50, "KRIJT_METRICS_TOKEN": "short"}
    done = subprocess.run([sys.executable, "-c", "import config.settings.production"], cwd=settings.BASE_DIR,
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "KRIJT_METRICS_TOKEN" in done.stderr


def test_production_settings_pool_connections_and_use_the_manifest_storage(tmp_path: Path) -> None:
    script = (
        "import json, config.settings.production as p; "
        "print(json.dumps([p.STORAGES['staticfiles']['BACKEND'], p.DATABASES['default']['OPTIONS']['pool']['max_size'],"
        " str(p.STATIC_ROOT), p.KRIJT_ADMISSION_LIMIT]))"
    )
    env = {**os.environ, "KRIJT_SECRET_KEY": "x" * 50, "KRIJT_STATIC_ROOT": str(tmp_path), "KRIJT_ADMISSION_LIMIT": "6",
           "KRIJT_METRICS_TOKEN": "m" * 32}
    out = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                         text=True, check=True).stdout
    backend, pool_max, static_root, limit = json.loads(out)
    assert backend == "krijt.core.staticfiles.StaticFilesStorage"  # WhiteNoise's, each address worked out once
    assert pool_max >= 1
    assert static_root == str(tmp_path)
    assert limit == 6


def test_gunicorn_preloads_a_warm_master_and_gives_each_worker_its_socket() -> None:
    joined = " ".join(build_command(server="gunicorn", host="127.0.0.1", port=8000, workers=2, threads=4))
    assert "--config python:config.gunicorn" in joined
    assert "--preload" in joined
    assert "--reuse-port" in joined
    # Replacement by age and memory (config/gunicorn.py), never by a count that follows the traffic.
    assert "--max-requests" not in joined


def _listening_sockets(port: int) -> int:
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as rows:
            next(rows)
            for row in rows:
                local, state = row.split()[1], row.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


@pytest.mark.slow
def test_gunicorn_workers_are_warm_forks_that_listen_each_and_move_old_connections() -> None:
    import http.client

    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "KRIJT_CONNECTION_SECONDS": "0"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/health/", time.monotonic() + 20)
        deadline = time.monotonic() + 10
        while _listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _listening_sockets(port) == 2  # one per worker: the kernel balances new connections
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/health/")
        first = connection.getresponse()
        first.read()
        assert first.getheader("Connection") == "keep-alive"
        connection.request("GET", "/health/")
        second = connection.getresponse()
        second.read()
        # Older than KRIJT_CONNECTION_SECONDS: the answer closes it, the next connection is placed afresh.
        assert second.getheader("Connection") == "close"
        connection.close()
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=20)
    assert "warm: " in err
    assert "heap frozen" in err


def _worker(alive: bool = True) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(alive=alive, pid=1, log=SimpleNamespace(info=lambda *a: None))


def _request(number: int, reader: Any) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(req_number=number, unreader=reader, must_close=False)


def test_a_worker_past_its_age_finishes_and_closes_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from config import gunicorn as hooks

    monkeypatch.setenv("KRIJT_WORKER_MAX_AGE", "100")
    worker = _worker()
    now = [1000.0]
    monkeypatch.setattr(hooks.time, "monotonic", lambda: now[0])
    hooks.post_fork(None, worker)
    assert 1075 <= worker.krijt_retire_at <= 1125  # three to five quarters of the age
    reader = SimpleNamespace()
    for number in range(1, hooks.CHECK_EVERY + 1):
        request = _request(number, reader)
        hooks.pre_request(worker, request)
    assert worker.alive  # young: nothing happens
    now[0] = worker.krijt_retire_at + 1
    monkeypatch.setenv("KRIJT_CONNECTION_SECONDS", str(10**9))
    for number in range(hooks.CHECK_EVERY):
        request = _request(number, SimpleNamespace())
        hooks.pre_request(worker, request)
    assert not worker.alive
    assert request.must_close  # the answer says Connection: close, so the client does not lose a request


def test_a_worker_past_its_memory_limit_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from config import gunicorn as hooks

    monkeypatch.setenv("KRIJT_WORKER_MAX_RSS_MB", "1")  # any Python process is bigger
    worker = _worker()
    hooks.post_fork(None, worker)
    for number in range(hooks.CHECK_EVERY):
        hooks.pre_request(worker, _request(number, SimpleNamespace()))
    assert not worker.alive


def test_warming_compiles_templates_and_opens_no_connection() -> None:
    from django.db import connections

    from krijt.ops.warm import connections_opened, warm

    for alias in connections:
        connections[alias].close()
    counts = warm()
    assert counts["templates"] > 100
    assert counts["languages"] == len(settings.LANGUAGES)
    assert connections_opened() == []
