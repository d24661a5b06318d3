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
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
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
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert pool_max >= 1
    assert static_root == str(tmp_path)
    assert limit == 6
