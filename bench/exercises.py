"""A ten-million-exercise day, compressed: finished sittings sent to the submit endpoint as fast as the web workers
take them, beside a plain INSERT of the same rows in the same run.

    .venv/bin/python bench/exercises.py [--sittings 20000] [--connections 32] [--workers 2] [--threads 4]

Against `manage.py serve` (gunicorn, production settings) on the shared PostgreSQL and Redis, database
krijt_bench_peak, one benchmark school (`seed_large --schools 1`, 600 students). An exercise of ten items is
assigned to every class; each student has a device session written straight into the session store.

Three phases, each with the same N sittings of ten answers (the rows a device sends when a pupil finished):

- plain INSERT: the rows written straight into the attempts table (same partition, same indexes) from as many
  threads as there are connections, one autocommit statement per row: what PostgreSQL alone costs;
- the endpoint: each sitting POSTed as JSON to /exercises/attempts/ by that many concurrent clients, closed loop
  (the permission check, the pupil's place in the class, the rule snapshot, the idempotent insert);
- a repeat of 1,000 of them: answered 200 and nothing written twice.

Then the worker folds every attempt into the dashboard's summaries, timed. Printed: sittings/s and p50/p99 for
both, their ratio, and what a 3x peak minute of a 10-million-a-day platform (about 1,400 sittings/s) asks of
nodes like this one. Results: printed and bench/out/exercises-<time>.md.
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
import string
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import peak  # noqa: E402
import peak_scenarios  # noqa: E402
import servers  # noqa: E402

SCHOOL = servers.SCHOOL
SHED: list[int] = []  # per endpoint phase: answers shed (503) and sent again
PEAK_RATE = 1400  # sittings/s: a 3x peak minute of 10 million a day spread over about six school hours


def sittings(plan: dict, sessions: list[list[str]], count: int, rng: random.Random) -> list[tuple[str, dict]]:
    """(session key, sitting) pairs: every student in turn, ten right answers each, distinct keys."""
    now = dt.datetime.now(dt.UTC)
    out = []
    usable = [s for s in sessions if s[1] in plan["by_student"]]
    for n in range(count):
        _slug, username, key = usable[n % len(usable)]
        finished = now - dt.timedelta(seconds=rng.randint(0, 600))
        out.append((key, {
            "key": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "assignment": plan["by_student"][username],
            "started_at": (finished - dt.timedelta(minutes=4)).isoformat(), "finished_at": finished.isoformat(),
            "rule": plan["rule"], "mastered": True,
            "answers": [{"item": rev, "r": response, "ok": True, "hints": 0, "ms": rng.randint(3000, 30000)}
                        for rev, response in plan["answers"]],
        }))
    return out


async def post(port: int, path: str, key: str, body: bytes, csrf: str, deadline: float) -> tuple[int, float]:
    started = time.perf_counter()
    raw = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
           f"Content-Length: {len(body)}\r\nX-CSRFToken: {csrf}\r\nX-Requested-With: fetch\r\n"
           f"Cookie: krijt_session={key}; csrftoken={csrf}\r\n\r\n").encode() + body

    async def exchange() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(raw)
            data = await reader.read()
        finally:
            writer.close()
        head = data.split(b"\r\n", 1)[0]
        return int(head.split(b" ", 2)[1]) if head else -1

    try:
        status = await asyncio.wait_for(exchange(), deadline)
    except TimeoutError:
        status = 0
    except (OSError, ValueError, IndexError):
        status = -1
    return status, (time.perf_counter() - started) * 1000


async def endpoint(port: int, work: list[tuple[str, dict]], connections: int, deadline: float
                   ) -> tuple[list[tuple[int, float]], float]:
    path = f"/s/{SCHOOL}/exercises/attempts/"
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    queue = list(reversed(work))
    results: list[tuple[int, float]] = []
    shed = [0]

    async def client() -> None:
        while queue:
            key, sitting = queue.pop()
            body = json.dumps(sitting).encode()
            first = time.perf_counter()
            for _attempt in range(200):
                status, _ms = await post(port, path, key, body, csrf, deadline)
                if status not in (0, -1, 429, 503):
                    break
                shed[0] += 1
                await asyncio.sleep(0.05)  # a device waits for Retry-After; compressed here
            results.append((status, (time.perf_counter() - first) * 1000))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    SHED.append(shed[0])
    return results, time.perf_counter() - started


def plain_insert(env: dict[str, str], work: list[tuple[str, dict]], users: dict[str, int], school_id: int,
                 threads: int) -> tuple[list[float], float]:
    """The same rows with one autocommit INSERT each, from `threads` connections."""
    import psycopg

    dsn = (f"host={env.get('KRIJT_DB_HOST', '127.0.0.1')} port={env.get('KRIJT_DB_PORT', '5432')} "
           f"dbname={env['KRIJT_DB_NAME']} user={env.get('KRIJT_DB_USER', 'postgres')}")
    rows = []
    for key, sitting in work:
        finished = dt.datetime.fromisoformat(sitting["finished_at"])
        day = finished.date()
        rows.append((day - dt.timedelta(days=day.weekday()), sitting["key"], school_id, users[key],
                     sitting["assignment"], sitting["started_at"], sitting["finished_at"],
                     dt.datetime.now(dt.UTC), sitting["rule"][0], sitting["rule"][1],
                     json.dumps(sitting["answers"]), len(sitting["answers"]), True, 240))
    times: list[float] = []
    lock = threading.Lock()
    chunks = [rows[i::threads] for i in range(threads)]

    def insert(chunk: list[tuple]) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            mine = []
            for row in chunk:
                started = time.perf_counter()
                conn.execute(
                    "INSERT INTO exercises_attempt (week, key, school_id, student_id, assignment_id, started_at, "
                    "finished_at, received_at, rule_m, rule_n, answers, correct, mastered, seconds) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
                mine.append((time.perf_counter() - started) * 1000)
            with lock:
                times.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=insert, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return times, time.perf_counter() - started


def count_rows(env: dict[str, str]) -> int:
    out = servers.manage(env, "shell", "-c", "from krijt.exercises.models import Attempt; "
                         f"print('rows', Attempt.objects.filter(school__slug='{SCHOOL}').count())")
    return int(next(line for line in out.splitlines() if line.startswith("rows")).split()[1])


def run(args: argparse.Namespace) -> str:
    env = peak.environment(args, admission_limit=None)
    env["KRIJT_CACHE_PREFIX"] = f"bench-exercises-{secrets.token_hex(3)}"
    print("preparing the database, the benchmark school and the exercise ...", file=sys.stderr)
    servers.ensure_database(env)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        peak_scenarios.run_fixture(env, f"students_at_least({SCHOOL!r}, {args.students})")
        peak_scenarios.run_fixture(env, f"exercise_for_all({SCHOOL!r}, '{tmp}/plan.json')")
        peak_scenarios.run_fixture(env, f"exercise_attempts_clear({SCHOOL!r})")
        plan = json.loads(Path(tmp, "plan.json").read_text())
        peak_scenarios.run_fixture(env, f"device_sessions({args.students}, [{SCHOOL!r}], '{tmp}/sessions.json')")
        sessions = json.loads(Path(tmp, "sessions.json").read_text())
        ids = servers.manage(env, "shell", "-c", (
            "import json; from krijt.accounts.models import User; from krijt.schools.models import School; "
            f"print('ids', json.dumps([School.objects.get(slug={SCHOOL!r}).pk, dict(User.objects.filter("
            f"username__in={[s[1] for s in sessions]!r}).values_list('username', 'pk'))]))"))
        school_id, user_ids = json.loads(next(line for line in ids.splitlines() if line.startswith("ids"))[4:])
    users = {key: user_ids[username] for _slug, username, key in sessions}
    work = sittings(plan, sessions, args.sittings, rng)
    try:
        print(f"plain INSERT of {len(work)} rows ...", file=sys.stderr)
        plain_ms, plain_s = plain_insert(env, work, users, school_id, args.connections)
        peak_scenarios.run_fixture(env, f"exercise_attempts_clear({SCHOOL!r})")
        server = peak.Server(env, args)
        try:
            asyncio.run(endpoint(server.port, sittings(plan, sessions, 50, random.Random(1)), 4, args.deadline))
            peak_scenarios.run_fixture(env, f"exercise_attempts_clear({SCHOOL!r})")
            print(f"the endpoint, {len(work)} sittings ...", file=sys.stderr)
            answers, endpoint_s = asyncio.run(endpoint(server.port, work, args.connections, args.deadline))
            rows_after = count_rows(env)
            repeat, _repeat_s = asyncio.run(endpoint(server.port, work[:1000], args.connections, args.deadline))
            rows_after_repeat = count_rows(env)
        finally:
            server.stop()
        with tempfile.TemporaryDirectory() as tmp:
            peak_scenarios.run_fixture(env, f"exercise_summaries('{tmp}/summaries.json')")
            summaries = json.loads(Path(tmp, "summaries.json").read_text())
    finally:
        peak_scenarios.run_fixture(env, f"exercise_attempts_clear({SCHOOL!r})")
        peak_scenarios.forget_cache(env)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as keys:
            json.dump([key for _slug, _name, key in sessions], keys)
        peak_scenarios.run_fixture(env, f"forget_sessions({keys.name!r})")
        os.unlink(keys.name)

    created = [ms for status, ms in answers if status == 201]
    statuses: dict[int, int] = {}
    for status, _ms in answers:
        statuses[status] = statuses.get(status, 0) + 1
    endpoint_rate = len(created) / endpoint_s
    plain_rate = len(plain_ms) / plain_s
    nodes = math.ceil(PEAK_RATE / endpoint_rate) if endpoint_rate else 0
    repeated_ok = sum(1 for status, _ms in repeat if status == 200)
    return "\n".join([
        f"# bench/exercises.py, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, gunicorn "
        f"gthread w={args.workers} t={args.threads}, production settings, PostgreSQL + Redis on the same machine",
        "",
        f"{len(work)} finished sittings of ten answers by {len(sessions)} students, {args.connections} concurrent "
        "clients, closed loop (a sitting shed with 503 is sent again after 50 ms); the plain INSERT writes the same "
        "rows from as many connections.",
        "",
        "| phase | sittings | sittings/s | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- |",
        f"| plain INSERT (one autocommit statement per row) | {len(plain_ms)} | {plain_rate:.0f} | "
        f"{peak.pct(plain_ms, 50):.1f} | {peak.pct(plain_ms, 99):.1f} |",
        f"| POST /exercises/attempts/ (answered 201) | {len(created)} | {endpoint_rate:.0f} | "
        f"{peak.pct(created, 50):.0f} | {peak.pct(created, 99):.0f} |",
        "",
        f"Final answers of the endpoint: {dict(sorted(statuses.items()))} ({SHED[1]} times a sitting was shed with "
        f"503 while Krijt was full and sent again, as a device does; the times include those waits); rows in the "
        f"table afterwards: {rows_after}.",
        f"Repeating 1,000 of them: {repeated_ok} answered 200 (already filed), rows afterwards: {rows_after_repeat}.",
        f"Endpoint / plain INSERT: **{endpoint_rate / plain_rate:.2f}** of the rate.",
        f"The worker folded {summaries['pairs']} (assignment, pupil) summaries from {rows_after} sittings in "
        f"{summaries['seconds']:.1f} s ({rows_after / max(summaries['seconds'], 0.001):.0f} sittings/s).",
        "",
        f"A 3x peak minute of a 10-million-a-day platform asks about {PEAK_RATE} sittings/s: "
        f"{PEAK_RATE / endpoint_rate:.1f} times what this one machine (web workers and database together) "
        f"takes, so **{nodes} such nodes** of web workers (with the database on its own machine).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--sittings", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=16)
    peak_scenarios.server_options(parser)
    args = parser.parse_args()
    peak_scenarios.publish("exercises", run(args))


if __name__ == "__main__":
    main()
