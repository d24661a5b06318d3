"""Production servers side by side: requests per second of a signed-in home page and of a trivial endpoint.

    .venv/bin/python bench/servers.py [--seconds 10] [--connections 16] [--workers 2] [--threads 2]

Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (as for the tests), wrk
(`apt-get install wrk`, or build it from https://github.com/wg/wrk) and, for the granian column,
`pip install granian==2.8.7` into .venv. It uses its own database (KRIJT_DB_NAME, default
krijt_bench_servers), migrates it, seeds one benchmark school (seed_large --schools 1) when missing,
collects static files, signs in one student over HTTP, then for each server starts it with the
production settings, warms it up, and runs wrk against:

- the signed-in student's home page  /s/bench-01/
- a trivial endpoint                 /health/ (the whole middleware stack, no I/O)

Admission control is set far above the connection count, so the figures are the server's own and no
request is shed. Every row comes from this one run on this machine; the results also go to
bench/out/servers-<time>.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
SCHOOL = "bench-01"


def env_for(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "KRIJT_SECRET_KEY": os.environ.get("KRIJT_SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        "KRIJT_METRICS_TOKEN": os.environ.get("KRIJT_METRICS_TOKEN", "bench-only-metrics-token-" + "x" * 20),
        "KRIJT_DB_NAME": os.environ.get("KRIJT_DB_NAME", "krijt_bench_servers"),
        "KRIJT_REDIS_URL": os.environ.get("KRIJT_REDIS_URL", "redis://127.0.0.1:6379/2"),
        "KRIJT_CACHE_PREFIX": "bench-servers",
        "KRIJT_STATIC_ROOT": str(ROOT / "bench" / "out" / "static"),
        "KRIJT_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KRIJT_ADMISSION_LIMIT": "1000",
        "KRIJT_DB_POOL_MAX": str(args.threads * 2 + 2),
    }


def manage(env: dict[str, str], *argv: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *argv], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def ensure_database(env: dict[str, str]) -> None:
    name = env["KRIJT_DB_NAME"]
    created = subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", env.get("KRIJT_DB_USER", "postgres"), name],
        capture_output=True, text=True, check=False,
    )
    if created.returncode and "already exists" not in created.stderr:
        sys.exit(f"cannot create database {name}: {created.stderr.strip()}")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_large", "--schools", "1")
    manage(env, "collectstatic", "--noinput")


def a_student(env: dict[str, str]) -> str:
    script = (
        "from krijt.accounts.models import Membership; "
        f"print(Membership.objects.filter(school__slug='{SCHOOL}', role='student')"
        ".order_by('user__username').values_list('user__username', flat=True).first())"
    )
    return manage(env, "shell", "-c", script).strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def sign_in(port: int, username: str) -> str:
    """A real sign-in over HTTP (one password hash); returns the Cookie header of the new session."""
    jar: dict[str, str] = {}
    path = f"/s/{SCHOOL}/accounts/sign-in/"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    page = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token[1], "username": username, "password": "krijt-demo", "keep_signed_in": "on"}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request("POST", path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
        "Referer": f"http://127.0.0.1:{port}{path}", "Origin": f"http://127.0.0.1:{port}",
    })
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    if response.status != 302 or "krijt_session" not in jar:
        raise RuntimeError(f"sign-in failed: {response.status}")
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request("GET", f"/s/{SCHOOL}/", headers={"Cookie": cookie})
    home = conn.getresponse()
    home.read()
    if home.status != 200:
        raise RuntimeError(f"the signed-in home page answered {home.status}")
    return cookie


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> dict[str, float]:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]

    def pct(p: str) -> float:
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if match is None:
            return float("nan")
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps, "p50": pct("50"), "p99": pct("99"),
        "non2xx": float(bad[1]) if bad else 0.0,
        "errors": float(sum(int(x) for x in errors.groups())) if errors else 0.0,
    }


def servers(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    from krijt.ops.management.commands.serve import build_command

    def bound(server: str, port: int) -> list[str]:
        return build_command(server=server, host="127.0.0.1", port=port, workers=args.workers, threads=args.threads)

    rows: list[tuple[str, list[str]]] = []
    rows.append((f"gunicorn sync w={args.workers}", [
        PY, "-m", "gunicorn", "config.wsgi:application", "--worker-class", "sync",
        "--workers", str(args.workers), "--bind", "127.0.0.1:{port}",
    ]))
    rows.append((f"gunicorn gthread w={args.workers} t={args.threads * 2}", bound("gunicorn", 0)))
    if shutil.which("granian", path=os.path.dirname(PY)):
        rows.append((f"granian wsgi w={args.workers} bt={args.threads * 2}", bound("granian", 0)))
    else:
        print("granian is not installed: pip install granian==2.8.7 to measure it", file=sys.stderr)
    return rows


def with_port(command: list[str], port: int) -> list[str]:
    out = []
    for part in command:
        filled = part.replace("{port}", str(port))
        out.append(re.sub(r"^127\.0\.0\.1:0$", f"127.0.0.1:{port}", filled))
    if "--port" in out:
        out[out.index("--port") + 1] = str(port)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk (or build it from https://github.com/wg/wrk)")
    env = env_for(args)
    print("preparing the database, the benchmark school and static files ...", file=sys.stderr)
    ensure_database(env)
    student = a_student(env)
    results = []
    for name, template in servers(args):
        port = free_port()
        env_server = {**env, "KRIJT_WEB_THREADS": str(args.threads)}
        process = subprocess.Popen(with_port(template, port), cwd=ROOT, env=env_server,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(port, time.monotonic() + 30)
            cookie = sign_in(port, student)
            base = f"http://127.0.0.1:{port}"
            wrk(f"{base}/s/{SCHOOL}/", 3, args.connections, cookie)  # warm-up: caches, pool, imports
            home = wrk(f"{base}/s/{SCHOOL}/", args.seconds, args.connections, cookie)
            trivial = wrk(f"{base}/health/", args.seconds, args.connections)
            results.append((name, home, trivial))
            print(f"measured {name}", file=sys.stderr)
        finally:
            process.terminate()
            process.wait(timeout=30)
    lines = [
        f"# bench/servers.py, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"wrk -c {args.connections} -d {args.seconds}s, production settings, PostgreSQL + Redis on loopback",
        "",
        "| server | home req/s | home p50 ms | home p99 ms | trivial req/s | trivial p99 ms | home/trivial | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, home, trivial in results:
        errors = int(home["non2xx"] + home["errors"] + trivial["non2xx"] + trivial["errors"])
        lines.append(
            f"| {name} | {home['rps']:.0f} | {home['p50']:.1f} | {home['p99']:.1f} | {trivial['rps']:.0f} | "
            f"{trivial['p99']:.1f} | {home['rps'] / trivial['rps']:.2f} | {errors} |"
        )
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"servers-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
