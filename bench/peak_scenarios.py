"""Peak-load scenarios 4–6 against `manage.py serve` (gunicorn), figures side by side from one run.

    .venv/bin/python bench/peak_scenarios.py stuffing [--seconds 60] [--attack-rate 40]
    .venv/bin/python bench/peak_scenarios.py monday   [--seconds 60] [--students 20000]
    .venv/bin/python bench/peak_scenarios.py faults   [--fault-seconds 30] [--settle 20]

4. stuffing: 500 students behind one school address (X-Forwarded-For, KRIJT_TRUSTED_PROXIES=1) each
   make two typos and then sign in, first alone, then while an attacker tries leaked names from
   thousands of addresses at a constant rate. Share of genuine sign-ins that succeed, lockouts.
5. monday: N students, 80% with a device session written straight into the database and Redis (no
   hashing), 20% signing in with a password (retrying as the waiting room does), all arriving in the
   first half of the run; then a lesson change: every signed-in student opens a page again within
   15% of the run. Success and latency per second as a table and a PNG (SVG drawn by Chromium).
6. faults: on a PostgreSQL cluster (port 55432) and a Redis (port 56379) of its own, with the task
   worker and the dispatcher running, steady reads (home pages) and writes (students marking
   planner tasks done); PostgreSQL, then Redis, then the worker are stopped for --fault-seconds each.
   Reports hung requests (past --deadline), accepted writes missing afterwards, time to recover.

Load goes to 127.0.0.1 only; each phase lasts at most 60 s of load. Output: printed and bench/out/.
Scenarios 4 and 5 use the shared PostgreSQL and Redis (database krijt_bench_peak, as bench/peak.py);
scenario 6 never touches them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import peak  # noqa: E402
import servers  # noqa: E402

OUT = ROOT / "bench" / "out"
MAX_SECONDS = 60
SCHOOL = servers.SCHOOL
STUDENTS_PER_SCHOOL = 570  # seed_large makes about 575 students per benchmark school


# ---------------------------------------------------------------- HTTP


@dataclass
class Answer:
    at: float  # seconds since the start of the run, when the request was sent
    kind: str
    status: int  # 0: past the deadline, -1: connection error
    ms: float
    retry_after: float = 0.0
    who: str = ""


async def http(
    port: int, method: str, path: str, *, deadline: float, headers: dict[str, str] | None = None, body: str = ""
) -> tuple[int, float, float]:
    """One request on a new connection: (status, Retry-After, milliseconds). Never waits past the deadline."""
    started = time.perf_counter()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body.encode())}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n" + body).encode()
    retry = 0.0

    async def exchange() -> int:
        nonlocal retry
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(raw)
            status_line = await reader.readline()
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "retry-after":
                    retry = float(value.strip() or 0)
            await reader.read()
            return int(status_line.split()[1]) if status_line else -1
        finally:
            writer.close()

    try:
        status = await asyncio.wait_for(exchange(), deadline)
    except TimeoutError:
        status = 0
    except (OSError, ValueError, IndexError):
        status = -1
    return status, retry, (time.perf_counter() - started) * 1000


def sign_in_body(token: str, username: str, password: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password,
                      "keep_signed_in": "on"})


def pct(values: list[float], p: float) -> float:
    return peak.pct(values, p)


def ok(status: int) -> bool:
    return 200 <= status < 400


# ---------------------------------------------------------------- servers and set-up


def shared_env(args: argparse.Namespace, prefix: str, **extra: str) -> dict[str, str]:
    env = peak.environment(args, admission_limit=None)
    env["KRIJT_CACHE_PREFIX"] = prefix
    env.update(extra)
    return env


def forget_cache(env: dict[str, str]) -> None:
    """Removes the keys this run left under its own cache prefix (sessions live 90 days otherwise)."""
    import redis

    client = redis.Redis.from_url(env["KRIJT_REDIS_URL"])
    batch: list[bytes] = []
    for key in client.scan_iter(match=env["KRIJT_CACHE_PREFIX"] + ":*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.delete(*batch)
            batch = []
    if batch:
        client.delete(*batch)


def run_fixture(env: dict[str, str], call: str) -> None:
    servers.manage(env, "shell", "-c", f"import sys; sys.path.insert(0, 'bench'); import fixtures; fixtures.{call}")


def server_options(parser: argparse.ArgumentParser) -> None:
    """The options of a bench that starts `manage.py serve`: its processes, threads and a request's deadline."""
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--deadline", type=float, default=30.0)


def publish(name: str, report: str) -> None:
    """Prints a bench's report and keeps it in bench/out/."""
    print(report)
    print(f"\nwritten to {write_report(name, report)}", file=sys.stderr)


def write_report(name: str, text: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.md"
    path.write_text(text + "\n")
    return path


def header(args: argparse.Namespace, what: str) -> str:
    return (
        f"# bench/peak_scenarios.py {what}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"gunicorn gthread w={args.workers} t={args.threads}, production settings, PostgreSQL + Redis on loopback"
    )


# ---------------------------------------------------------------- 4. credential stuffing


@dataclass
class Genuine:
    name: str
    attempts: list[Answer] = field(default_factory=list)
    signed_in_after: float | None = None
    locked: bool = False


async def genuine_student(
    port: int, student: Genuine, *, start_at: float, t0: float, end: float, address: str, args: argparse.Namespace
) -> None:
    """Two typos, then the right password; a 503 is retried after Retry-After plus jitter, as the waiting room does."""
    await asyncio.sleep(max(0.0, t0 + start_at - time.perf_counter()))
    first = time.perf_counter()
    token = secrets.token_hex(16)
    headers = {"Cookie": f"csrftoken={token}", "X-Forwarded-For": address}
    for password in (f"krijt-demo{random.randint(1, 9)}", "krijt-dem", "krijt-demo"):
        while time.perf_counter() < end:
            sent = time.perf_counter() - t0
            status, retry, ms = await http(
                port, "POST", f"/s/{SCHOOL}/accounts/sign-in/", deadline=args.deadline, headers=headers,
                body=sign_in_body(token, student.name, password),
            )
            student.attempts.append(Answer(sent, "genuine", status, ms, retry))
            if status == 503:
                await asyncio.sleep(max(retry, 1.0) + random.random())
                continue
            break
        else:
            return
        if status == 429:
            student.locked = True
            return
        if password == "krijt-demo" and status == 302:
            student.signed_in_after = time.perf_counter() - first
            return
        await asyncio.sleep(1 + 2 * random.random())  # reading the error, typing again


async def attacker(
    port: int, names: list[str], *, rate: float, t0: float, seconds: float, deadline: float
) -> list[Answer]:
    answers: list[Answer] = []
    token = secrets.token_hex(16)

    async def one(at: float, name: str) -> None:
        address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        status, retry, ms = await http(
            port, "POST", f"/s/{SCHOOL}/accounts/sign-in/", deadline=deadline,
            headers={"Cookie": f"csrftoken={token}", "X-Forwarded-For": address},
            body=sign_in_body(token, name, secrets.token_urlsafe(8)),
        )
        answers.append(Answer(at, "attack", status, ms, retry))

    tasks = []
    for i in range(int(rate * seconds)):
        at = i / rate
        await asyncio.sleep(max(0.0, t0 + at - time.perf_counter()))
        tasks.append(asyncio.create_task(one(at, names[i % len(names)])))
    await asyncio.gather(*tasks)
    return answers


def stuffing_phase(
    args: argparse.Namespace, names: list[str], leaked: list[str], attack_rate: float, prefix: str
) -> tuple[list[Genuine], list[Answer]]:
    env = shared_env(args, prefix, KRIJT_TRUSTED_PROXIES="1")
    try:
        server = peak.Server(env, args)
    except BaseException:
        forget_cache(env)
        raise
    try:
        async def run() -> tuple[list[Genuine], list[Answer]]:
            t0 = time.perf_counter()
            end = t0 + args.seconds
            students = [Genuine(n) for n in names]
            arrivals = sorted(random.uniform(0, args.seconds / 2) for _ in students)
            jobs = [
                genuine_student(server.port, s, start_at=a, t0=t0, end=end, address="192.0.2.10", args=args)
                for s, a in zip(students, arrivals, strict=True)
            ]
            attack: list[Answer] = []
            if attack_rate:
                results = await asyncio.gather(
                    attacker(server.port, leaked, rate=attack_rate, t0=t0, seconds=args.seconds,
                             deadline=args.deadline),
                    *jobs,
                )
                attack = results[0] or []
            else:
                await asyncio.gather(*jobs)
            return students, attack

        return asyncio.run(run())
    finally:
        server.stop()
        forget_cache(env)


def stuffing_rows(label: str, students: list[Genuine], attack: list[Answer]) -> str:
    signed = [s.signed_in_after for s in students if s.signed_in_after is not None]
    tries = [a for s in students for a in s.attempts]
    shed = sum(1 for a in tries if a.status == 503)
    bad = sum(1 for a in tries if a.status not in (200, 302, 400, 429, 503))
    locked = sum(1 for s in students if s.locked)
    by: dict[int, int] = {}
    for a in attack:
        by[a.status] = by.get(a.status, 0) + 1
    attack_text = ", ".join(f"{k}: {v}" for k, v in sorted(by.items())) if attack else "none"
    return (
        f"| {label} | {len(signed)} / {len(students)} ({len(signed) / len(students):.0%}) | {locked} | "
        f"{pct(signed, 50):.1f} s / {pct(signed, 95):.1f} s | {shed} | {bad} | {len(attack)} ({attack_text}) |"
    )


def bench_stuffing(args: argparse.Namespace) -> str:
    env = shared_env(args, "bench-stuffing")
    every = peak.students(env, 575)
    names, others = every[:500], every[500:]
    # A leaked list: mostly names that do not exist here, some real accounts that are not among the 500.
    leaked = [f"{SCHOOL}.leaked.user{i}" for i in range(5000)]
    leaked[::10] = [others[i % len(others)] for i in range(len(leaked[::10]))]
    random.shuffle(leaked)
    run_id = secrets.token_hex(3)
    alone = stuffing_phase(args, names, leaked, 0, f"bench-stuff-a-{run_id}")
    attacked = stuffing_phase(args, names, leaked, args.attack_rate, f"bench-stuff-b-{run_id}")
    return "\n".join([
        header(args, "stuffing"),
        "",
        f"## 4. Credential stuffing: 500 students behind one address (two typos each, then the right password, "
        f"arriving over {args.seconds // 2} s, waiting-room retries), alone and with an attacker at "
        f"{args.attack_rate:.0f} tries/s from random addresses ({args.seconds} s each)",
        "",
        "| run | students signed in | locked out (429) | time to sign in p50 / p95 | 503 seen by students | "
        "other errors | attacker tries (by status) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        stuffing_rows("students alone", *alone),
        stuffing_rows("students + stuffing", *attacked),
    ])


# ---------------------------------------------------------------- 5. Monday 08:30


def bench_monday(args: argparse.Namespace) -> str:
    env = shared_env(args, f"bench-monday-{secrets.token_hex(3)}")
    schools = max(1, math.ceil(args.students / STUDENTS_PER_SCHOOL))
    print(f"seeding {schools} benchmark schools ...", file=sys.stderr)
    servers.manage(env, "seed_large", "--schools", str(schools))
    slugs = [f"bench-{i:02d}" for i in range(1, schools + 1)]
    with tempfile.TemporaryDirectory() as tmp:
        run_fixture(env, f"students_of({slugs!r}, {args.students}, '{tmp}/people.json')")
        people = json.loads(Path(tmp, "people.json").read_text())
        with_session = [p for i, p in enumerate(people) if i % 5 != 4]
        signing_in = [p for i, p in enumerate(people) if i % 5 == 4]
        Path(tmp, "with_session.json").write_text(json.dumps(with_session))
        print(f"writing {len(with_session)} device sessions ...", file=sys.stderr)
        run_fixture(env, f"device_sessions_for('{tmp}/with_session.json', '{tmp}/sessions.json')")
        sessions = json.loads(Path(tmp, "sessions.json").read_text())
    seconds = args.seconds
    try:
        server = peak.Server(env, args)
        try:
            answers, outcome = asyncio.run(monday_load(server.port, sessions, signing_in, seconds, args.deadline))
        finally:
            server.stop()
    finally:
        forget_cache(env)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as keys:
            json.dump([key for _slug, _name, key in sessions], keys)
        run_fixture(env, f"forget_sessions({keys.name!r})")
        os.unlink(keys.name)
    table = buckets_table(answers, seconds)
    png = OUT / f"monday-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.png"
    plot(answers, seconds, png, f"Monday 08:30: {args.students:,} students, lesson change at "
         f"{0.6 * seconds:.0f} s ({os.cpu_count()} cores)")
    views = [a for a in answers if a.kind != "sign-in"]
    logins = [a for a in answers if a.kind == "sign-in"]
    return "\n".join([
        header(args, f"monday --students {args.students}"),
        "",
        f"## 5. Monday 08:30: {args.students:,} students in {schools} schools, {len(sessions):,} with a device "
        f"session, {len(signing_in):,} signing in with a password; arrivals over {seconds // 2} s, a lesson "
        f"change of {len(sessions):,} page views between {0.6 * seconds:.0f} and {0.75 * seconds:.0f} s",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| page views answered 200 | {sum(1 for a in views if a.status == 200):,} / {len(views):,} "
        f"({share(views, 200):.0%}), p50 {pct([a.ms for a in views if a.status == 200], 50):.0f} ms, "
        f"p95 {pct([a.ms for a in views if a.status == 200], 95):.0f} ms |",
        f"| page views shed (503) | {sum(1 for a in views if a.status == 503):,}, p99 "
        f"{pct([a.ms for a in views if a.status == 503], 99):.0f} ms |",
        f"| device-session students whose first page view succeeded | {outcome['first_view_ok']:.0%} |",
        f"| password students signed in by the end (waiting room retries) | {outcome['signed_in']:.0%}, "
        f"p50 {outcome['sign_in_p50']:.1f} s, p95 {outcome['sign_in_p95']:.1f} s |",
        f"| sign-in requests answered 302 / 503 | {sum(1 for a in logins if a.status == 302):,} / "
        f"{sum(1 for a in logins if a.status == 503):,} |",
        f"| past the {args.deadline:.0f} s deadline | {sum(1 for a in answers if a.status == 0)} |",
        f"| other errors | {sum(1 for a in answers if a.status not in (200, 302, 503, 0))} |",
        "",
        f"Plot: bench/out/{png.name}",
        "",
        table,
    ])


def share(answers: list[Answer], status: int) -> float:
    return sum(1 for a in answers if a.status == status) / len(answers) if answers else float("nan")


async def monday_load(
    port: int, sessions: list[list[str]], signing_in: list[list[str]], seconds: float, deadline: float
) -> tuple[list[Answer], dict[str, float]]:
    answers: list[Answer] = []
    first_ok: list[bool] = []
    signed: list[float] = []
    t0 = time.perf_counter()
    end = t0 + seconds

    async def at(moment: float) -> None:
        await asyncio.sleep(max(0.0, t0 + moment - time.perf_counter()))

    async def view(slug: str, key: str, path: str, kind: str) -> int:
        sent = time.perf_counter() - t0
        status, retry, ms = await http(port, "GET", f"/s/{slug}{path}", deadline=deadline,
                                       headers={"Cookie": f"krijt_session={key}"})
        answers.append(Answer(sent, kind, status, ms, retry))
        return status

    async def returning(slug: str, key: str, arrive: float, change: float) -> None:
        await at(arrive)
        first_ok.append(await view(slug, key, "/", "home") == 200)
        await at(change)
        await view(slug, key, random.choice(["/", "/planner/me/"]), "lesson change")

    async def password(slug: str, name: str, arrive: float) -> None:
        await at(arrive)
        first = time.perf_counter()
        token = secrets.token_hex(16)
        while time.perf_counter() < end:
            sent = time.perf_counter() - t0
            status, retry, ms = await http(
                port, "POST", f"/s/{slug}/accounts/sign-in/", deadline=deadline,
                headers={"Cookie": f"csrftoken={token}"}, body=sign_in_body(token, name, "krijt-demo"),
            )
            answers.append(Answer(sent, "sign-in", status, ms, retry))
            if status == 302:
                signed.append(time.perf_counter() - first)
                return
            if status not in (503, 0, -1):
                return
            await asyncio.sleep(max(retry, 1.0) + random.random())

    jobs = [returning(slug, key, random.uniform(0, seconds / 2), random.uniform(0.6 * seconds, 0.75 * seconds))
            for slug, _name, key in sessions]
    jobs += [password(slug, name, random.uniform(0, seconds / 2)) for slug, name in signing_in]
    await asyncio.gather(*jobs)
    return answers, {
        "first_view_ok": sum(first_ok) / len(first_ok) if first_ok else float("nan"),
        "signed_in": len(signed) / len(signing_in) if signing_in else float("nan"),
        "sign_in_p50": pct(signed, 50),
        "sign_in_p95": pct(signed, 95),
    }


def buckets(answers: list[Answer], seconds: float) -> list[dict[str, float]]:
    rows = []
    for s in range(math.ceil(max([seconds] + [a.at for a in answers]))):
        inside = [a for a in answers if s <= a.at < s + 1]
        good = [a.ms for a in inside if ok(a.status)]
        rows.append({
            "second": s, "sent": len(inside), "ok": len(good),
            "shed": sum(1 for a in inside if a.status == 503),
            "failed": sum(1 for a in inside if not ok(a.status) and a.status != 503),
            "success": len(good) / len(inside) if inside else float("nan"),
            "p50": pct(good, 50), "p95": pct(good, 95),
        })
    return rows


def buckets_table(answers: list[Answer], seconds: float) -> str:
    lines = [
        "| second | sent | 2xx/3xx | shed 503 | other | success | p50 ms | p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in buckets(answers, seconds):
        lines.append(
            f"| {r['second']:.0f} | {r['sent']:.0f} | {r['ok']:.0f} | {r['shed']:.0f} | {r['failed']:.0f} | "
            f"{r['success']:.0%} | {r['p50']:.0f} | {r['p95']:.0f} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- plot (SVG, rendered by Chromium)


def svg_chart(rows: list[dict[str, float]], title: str, marks: list[tuple[float, str]]) -> str:
    width, height, left, right, top, gap, panel = 1000, 640, 80, 80, 50, 60, 230
    seconds = max(1, len(rows))

    def x(s: float) -> float:
        return left + (width - left - right) * s / seconds

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="DejaVu Sans, sans-serif" font-size="13">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="28" font-size="17" font-weight="bold">{title}</text>']

    def panel_axes(y0: float, y_max: float, label: str, ticks: list[float], fmt: Callable[[float], str]) -> None:
        parts.append(f'<line x1="{left}" y1="{y0 + panel}" x2="{width - right}" y2="{y0 + panel}" stroke="black"/>')
        parts.append(f'<line x1="{left}" y1="{y0}" x2="{left}" y2="{y0 + panel}" stroke="black"/>')
        for t in ticks:
            yy = y0 + panel - panel * t / y_max
            parts.append(f'<line x1="{left - 4}" y1="{yy}" x2="{width - right}" y2="{yy}" stroke="#ddd"/>')
            parts.append(f'<text x="{left - 8}" y="{yy + 4}" text-anchor="end">{fmt(t)}</text>')
        parts.append(f'<text x="18" y="{y0 + panel / 2}" transform="rotate(-90 18 {y0 + panel / 2})" '
                     f'text-anchor="middle">{label}</text>')
        step = 5 if seconds <= 60 else 10
        for s in range(0, seconds + 1, step):
            parts.append(f'<text x="{x(s)}" y="{y0 + panel + 16}" text-anchor="middle">{s}</text>')
        for moment, text in marks:
            parts.append(f'<line x1="{x(moment)}" y1="{y0}" x2="{x(moment)}" y2="{y0 + panel}" '
                         'stroke="#888" stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{x(moment) + 4}" y="{y0 + 12}" fill="#555">{text}</text>')

    def line(y0: float, y_max: float, key: str, colour: str) -> None:
        points = [f"{x(r['second'] + 0.5):.1f},{y0 + panel - panel * min(r[key], y_max) / y_max:.1f}"
                  for r in rows if not math.isnan(r[key])]
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')

    # Top panel: success share and requests per second (right axis).
    y0 = top
    panel_axes(y0, 1.0, "success (2xx/3xx share)", [0, 0.25, 0.5, 0.75, 1.0], lambda t: f"{t:.0%}")
    sent_max = max([r["sent"] for r in rows] + [1])
    magnitude = 10 ** math.floor(math.log10(sent_max))
    sent_max = float(next(n * magnitude for n in (1, 2, 5, 10) if n * magnitude >= sent_max))
    scaled = [{**r, "sent_scaled": r["sent"] / sent_max} for r in rows]
    rows_backup = rows
    rows = scaled
    line(y0, 1.0, "success", "#1a7f37")
    line(y0, 1.0, "sent_scaled", "#999999")
    rows = rows_backup
    for t in (0, 0.5, 1.0):
        parts.append(f'<text x="{width - right + 8}" y="{y0 + panel - panel * t + 4}" fill="#777">'
                     f'{t * sent_max:.0f}/s</text>')
    parts.append(f'<text x="{left + 10}" y="{y0 + panel + 34}"><tspan fill="#1a7f37">— success share</tspan>'
                 '   <tspan fill="#999">— requests sent per second (right axis)</tspan></text>')
    # Bottom panel: latency of successful answers.
    y1 = top + panel + gap
    lat_max = max([r["p95"] for r in rows if not math.isnan(r["p95"])] + [10.0])
    nice = [1, 2, 5]
    scale = 10 ** math.floor(math.log10(lat_max))
    top_tick = next(n * scale for n in [*nice, 10] if n * scale >= lat_max)
    panel_axes(y1, top_tick, "latency of 2xx/3xx (ms)", [top_tick * i / 4 for i in range(5)], lambda t: f"{t:.0f}")
    line(y1, top_tick, "p50", "#0550ae")
    line(y1, top_tick, "p95", "#cf222e")
    parts.append(f'<text x="{left + 10}" y="{y1 + panel + 34}"><tspan fill="#0550ae">— p50</tspan>   '
                 '<tspan fill="#cf222e">— p95</tspan>   seconds since the start of the run</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def plot(answers: list[Answer], seconds: float, png: Path, title: str) -> None:
    from playwright.sync_api import sync_playwright

    svg = svg_chart(buckets(answers, seconds), title, [(0, "arrivals"), (0.6 * seconds, "lesson change")])
    OUT.mkdir(parents=True, exist_ok=True)
    png.with_suffix(".svg").write_text(svg)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 640})
            page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
            page.screenshot(path=str(png))
        finally:
            browser.close()


# ---------------------------------------------------------------- 6. faults


PG_PORT, REDIS_PORT = 55432, 56379


class Cluster:
    """A throwaway PostgreSQL cluster and Redis of this benchmark's own; the shared ones are never touched."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="krijt-faults-"))
        self.data = self.dir / "data"
        self.redis: subprocess.Popen[bytes] | None = None
        shutil.chown(self.dir, "postgres", "postgres")
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = bins[-1]
        self.as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres")

    def as_postgres(self, *argv: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True)

    def pg_start(self) -> None:
        self.as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w", "start",
            "-o", f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200",
        )

    def pg_stop(self) -> None:
        # Immediate: like a crash, so committed writes must survive through the WAL.
        self.as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop")

    def redis_start(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True,
                              check=False).stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def redis_stop(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
            self.redis = None

    def destroy(self) -> None:
        try:
            self.redis_stop()
        finally:
            if (self.data / "postmaster.pid").exists():
                subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data),
                                "-w", "-m", "immediate", "stop"], capture_output=True, check=False)
            shutil.rmtree(self.dir, ignore_errors=True)


class Workers:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        for argv in (["db_worker", "--queue-name", "*"], ["dispatch"]):
            self.processes.append(subprocess.Popen([servers.PY, "manage.py", *argv], cwd=ROOT, env=self.env,
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.processes = []


def bench_faults(args: argparse.Namespace) -> str:
    cluster = Cluster()
    server: peak.Server | None = None
    workers: Workers | None = None
    try:
        cluster.pg_start()
        cluster.redis_start()
        env = shared_env(args, "bench-faults", KRIJT_DB_NAME="krijt_bench_faults", KRIJT_DB_PORT=str(PG_PORT),
                         KRIJT_DB_USER="postgres", KRIJT_REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
                         PGPORT=str(PG_PORT))
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "krijt_bench_faults"],
                       check=True, capture_output=True)
        print("migrating and seeding the throwaway cluster ...", file=sys.stderr)
        servers.manage(env, "migrate", "--noinput")
        servers.manage(env, "seed_large", "--schools", "1")
        servers.manage(env, "collectstatic", "--noinput")
        with tempfile.NamedTemporaryFile("r", suffix=".json") as s_out, \
                tempfile.NamedTemporaryFile("r", suffix=".json") as i_out:
            run_fixture(env, f"device_sessions(600, [{SCHOOL!r}], {s_out.name!r})")
            run_fixture(env, f"planner_items({SCHOOL!r}, {args.items}, {i_out.name!r})")
            sessions = {name: key for _slug, name, key in json.loads(Path(s_out.name).read_text())}
            items = json.loads(Path(i_out.name).read_text())
        pairs = [(name, item) for name, ids in items.items() if name in sessions for item in ids]
        random.shuffle(pairs)
        workers = Workers(env)
        workers.start()
        server = peak.Server(env, args)
        faults: list[tuple[str, float, float]] = []
        answers, accepted = fault_run(args, server.port, sessions, pairs, cluster, workers, faults)
        rows = {tuple(r) for r in json.loads(servers.manage(
            env, "shell", "-c",
            f"import sys, json; sys.path.insert(0, 'bench'); import fixtures; "
            f"print(json.dumps(fixtures.done_marks({SCHOOL!r})))",
        ).strip().splitlines()[-1])}
    finally:
        if server is not None:
            server.process.kill()
            server.process.wait()
        if workers is not None:
            workers.stop()
        cluster.destroy()
    lost = [p for p in accepted if p not in rows]
    degraded = ""
    if faults:
        down, up = faults[0][1], faults[0][2]
        seen = {a.who for a in answers if a.kind == "read" and a.status == 200 and a.at + a.ms / 1000 < down}
        with_snapshot = [a for a in answers if a.kind == "read" and down <= a.at < up and a.who in seen]
        served = [a.ms for a in with_snapshot if a.status == 200]
        degraded = (
            f"With PostgreSQL down, home pages of students who had seen theirs before (a snapshot in Redis): "
            f"{len(served)}/{len(with_snapshot)} served read-only, p50 {pct(served, 50):.0f} ms; the others got "
            f"503. "
        )
    unconfirmed = len(rows - set(accepted))
    lines = [
        header(args, "faults"),
        "",
        f"## 6. Faults under load: {args.read_rate:.0f} home pages/s + {args.write_rate:.0f} planner done-marks/s "
        f"(constant arrival, client deadline {args.deadline:.0f} s); PostgreSQL (immediate stop), Redis and the "
        f"worker + dispatcher each stopped for {args.fault_seconds} s, {args.settle} s apart",
        "",
        "| phase | window | reads 2xx | writes 2xx | 503 | past deadline | other | p99 ms | "
        "first 2xx write after restart | last failure after restart |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    windows: list[tuple[str, float, float, float | None]] = [
        ("steady", 0.0, faults[0][1] if faults else args.settle, None)
    ]
    for i, (name, down, up) in enumerate(faults):
        nxt = faults[i + 1][1] if i + 1 < len(faults) else max(a.at for a in answers) + 1
        windows.append((f"{name} down", down, up, None))
        windows.append((f"{name} back", up, nxt, up))
    for label, start, stop, restart in windows:
        inside = [a for a in answers if start <= a.at < stop]
        reads = [a for a in inside if a.kind == "read"]
        writes = [a for a in inside if a.kind == "write"]
        first_write = last_fail = "–"
        if restart is not None:
            w_ok = [a.at + a.ms / 1000 for a in writes if ok(a.status)]
            first_write = f"{min(w_ok) - restart:.1f} s" if w_ok else "none"
            fails = [a.at + a.ms / 1000 for a in inside if not ok(a.status)]
            last_fail = f"{max(fails) - restart:.1f} s" if fails else "none"
        lines.append(
            f"| {label} | {start:.0f}–{stop:.0f} s | {sum(ok(a.status) for a in reads)}/{len(reads)} | "
            f"{sum(ok(a.status) for a in writes)}/{len(writes)} | {sum(a.status == 503 for a in inside)} | "
            f"{sum(a.status == 0 for a in inside)} | "
            f"{sum(a.status not in (0, 503) and not ok(a.status) for a in inside)} | "
            f"{pct([a.ms for a in inside], 99):.0f} | {first_write} | {last_fail} |"
        )
    lines += [
        "",
        f"{degraded}Accepted writes (2xx): {len(accepted)}; rows found afterwards for them: "
        f"{len(accepted) - len(lost)}; "
        f"**lost: {len(lost)}**. Rows without a 2xx answer (the client gave up or the answer failed after the "
        f"commit): {unconfirmed}. Longest request: {max(a.ms for a in answers):.0f} ms; requests past the "
        f"{args.deadline:.0f} s deadline: {sum(a.status == 0 for a in answers)}.",
        "",
        buckets_table(answers, max(a.at for a in answers) + 1),
    ]
    return "\n".join(lines)


def fault_run(
    args: argparse.Namespace, port: int, sessions: dict[str, str], pairs: list[tuple[str, int]],
    cluster: Cluster, workers: Workers, faults: list[tuple[str, float, float]],
) -> tuple[list[Answer], list[tuple[str, int]]]:
    answers: list[Answer] = []
    accepted: list[tuple[str, int]] = []
    names = list(sessions)
    t0 = time.perf_counter()
    stop = threading.Event()

    def controller() -> None:
        plan: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
            ("PostgreSQL", cluster.pg_stop, cluster.pg_start),
            ("Redis", cluster.redis_stop, cluster.redis_start),
            ("worker", workers.stop, workers.start),
        ]
        try:
            time.sleep(args.settle)
            for name, down, up in plan:
                print(f"stopping {name} ...", file=sys.stderr)
                down()
                went = time.perf_counter() - t0
                time.sleep(args.fault_seconds)
                up()
                faults.append((name, went, time.perf_counter() - t0))
                print(f"{name} is back", file=sys.stderr)
                time.sleep(args.settle)
        finally:
            stop.set()

    async def read(at: float) -> None:
        who = random.choice(names)
        status, retry, ms = await http(port, "GET", f"/s/{SCHOOL}/", deadline=args.deadline,
                                       headers={"Cookie": f"krijt_session={sessions[who]}"})
        answers.append(Answer(at, "read", status, ms, retry, who))

    async def write(at: float, pair: tuple[str, int]) -> None:
        token = secrets.token_hex(16)
        status, retry, ms = await http(
            port, "POST", f"/s/{SCHOOL}/planner/item/{pair[1]}/done/", deadline=args.deadline,
            headers={"Cookie": f"krijt_session={sessions[pair[0]]}; csrftoken={token}", "HX-Request": "true"},
            body=f"csrfmiddlewaretoken={token}&done=1",
        )
        answers.append(Answer(at, "write", status, ms, retry))
        if 200 <= status < 300:
            accepted.append(pair)

    async def load() -> None:
        tasks: list[asyncio.Task[None]] = []
        rate = args.read_rate + args.write_rate
        i = 0
        while not stop.is_set():
            at = i / rate
            await asyncio.sleep(max(0.0, t0 + at - time.perf_counter()))
            if random.random() < args.write_rate / rate and pairs:
                tasks.append(asyncio.create_task(write(at, pairs.pop())))
            else:
                tasks.append(asyncio.create_task(read(at)))
            i += 1
        await asyncio.gather(*tasks)

    async def main() -> None:
        await asyncio.gather(asyncio.to_thread(controller), load())

    asyncio.run(main())
    return answers, accepted


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["stuffing", "monday", "faults"])
    parser.add_argument("--seconds", type=int, default=60, help="load per phase (stuffing, monday), at most 60")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=10.0, help="client timeout: past it a request counts as hung")
    parser.add_argument("--attack-rate", type=float, default=40.0, help="stuffing: attacker tries per second")
    parser.add_argument("--students", type=int, default=20000, help="monday: students")
    parser.add_argument("--fault-seconds", type=int, default=30, help="faults: how long each part is down")
    parser.add_argument("--settle", type=int, default=20, help="faults: steady load before and after each fault")
    parser.add_argument("--read-rate", type=float, default=20.0, help="faults: home pages per second")
    parser.add_argument("--write-rate", type=float, default=10.0, help="faults: done-marks per second")
    parser.add_argument("--items", type=int, default=40, help="faults: planner tasks per class")
    args = parser.parse_args()
    args.seconds = min(args.seconds, MAX_SECONDS)
    args.fault_seconds = min(args.fault_seconds, MAX_SECONDS - args.settle)
    if args.what != "faults":
        print("preparing the database, the benchmark school and static files ...", file=sys.stderr)
        servers.ensure_database(shared_env(args, "bench-prepare"))
    report = {"stuffing": bench_stuffing, "monday": bench_monday, "faults": bench_faults}[args.what](args)
    print(report)
    print(f"written to {write_report(args.what, report)}", file=sys.stderr)


if __name__ == "__main__":
    main()
