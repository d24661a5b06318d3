"""The Monday rush on a course folder: every student of a school opens the same folder page and a file in it
within a minute, beside /health/ under the same arrivals, in one run.

    .venv/bin/python bench/folders.py [--students 600] [--seconds 60] [--workers 2] [--threads 4]

Against `manage.py serve` (gunicorn, production settings, KRIJT_DOCUMENTS_ACCEL_PREFIX=/protected/ as behind
the nginx of docs/nginx.conf.example) on the shared PostgreSQL and Redis, database krijt_bench_peak, one
benchmark school (`seed_large --schools 1`, about 575 students; newcomers are enrolled until it has --students).
A course's folder gets twelve worksheets and is shared with every class, so each student may read it; each
has a device session written straight into the session store.

Two phases with the same open-loop arrivals (each student at a random moment of the phase):

- /health/: the whole middleware stack, no I/O;
- the folder: each student's folder page, then the first worksheet's signed address read from that page.

For each: answers, p50/p99, and the web workers' CPU time per request (user + system time of the gunicorn
worker processes from /proc, before and after the phase, divided by the requests). For the files: the bytes
of their bodies that came from the web workers (0: nginx would send the file; the worker sent a header).
Results: printed and bench/out/folders-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import peak  # noqa: E402
import peak_scenarios  # noqa: E402
import servers  # noqa: E402

SCHOOL = servers.SCHOOL
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Answer:
    kind: str
    status: int
    ms: float
    body_bytes: int
    body: bytes = b""


async def get(port: int, path: str, cookie: str, deadline: float, *, keep_body: bool = False) -> Answer:
    started = time.perf_counter()
    raw = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n").encode()

    async def exchange() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(raw)
            data = await reader.read()
        finally:
            writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head else -1
        if b"transfer-encoding: chunked" in head.lower():
            body = _unchunk(body)
        return status, body

    try:
        status, body = await asyncio.wait_for(exchange(), deadline)
    except TimeoutError:
        status, body = 0, b""
    except (OSError, ValueError, IndexError):
        status, body = -1, b""
    return Answer("", status, (time.perf_counter() - started) * 1000, len(body), body if keep_body else b"")


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


async def phase(port: int, sessions: list[list[str]], seconds: float, deadline: float, folder_id: int | None,
                rng: random.Random) -> list[Answer]:
    answers: list[Answer] = []

    async def student(at: float, key: str) -> None:
        await asyncio.sleep(at)
        cookie = f"krijt_session={key}"
        if folder_id is None:
            answer = await get(port, "/health/", cookie, deadline)
            answer.kind = "health"
            answers.append(answer)
            return
        page = await get(port, f"/s/{SCHOOL}/documents/folder/{folder_id}/", cookie, deadline, keep_body=True)
        page.kind = "folder page"
        answers.append(page)
        found = re.search(rb'href="(/s/[^"]+/documents/f/[^"]+)"', page.body)
        if found is None:
            answers.append(Answer("file", -2, 0.0, 0))
            return
        answer = await get(port, found[1].decode().replace("&amp;", "&"), cookie, deadline)
        answer.kind = "file"
        answers.append(answer)
        page.body = b""

    await asyncio.gather(*(student(rng.uniform(0, seconds), key) for _slug, _name, key in sessions))
    return answers


def run(args: argparse.Namespace) -> str:
    env = peak.environment(args, admission_limit=args.students * 2)
    env["KRIJT_CACHE_PREFIX"] = f"bench-folders-{secrets.token_hex(3)}"
    env["KRIJT_DOCUMENTS_ACCEL_PREFIX"] = "/protected/"
    print("preparing the database, the benchmark school and the folder ...", file=sys.stderr)
    servers.ensure_database(env)
    rng = random.Random(7)  # arrival moments, repeatable
    with tempfile.TemporaryDirectory() as tmp:
        peak_scenarios.run_fixture(env, f"students_at_least({SCHOOL!r}, {args.students})")
        peak_scenarios.run_fixture(env, f"folder_for_all({SCHOOL!r}, 12, '{tmp}/folder.json')")
        folder = json.loads(Path(tmp, "folder.json").read_text())
        peak_scenarios.run_fixture(env, f"device_sessions({args.students}, [{SCHOOL!r}], '{tmp}/sessions.json')")
        sessions = json.loads(Path(tmp, "sessions.json").read_text())
    results: dict[str, tuple[list[Answer], float]] = {}
    try:
        server = peak.Server(env, args)
        try:
            asyncio.run(phase(server.port, sessions[:20], 2, args.deadline, folder["folder_id"], rng))  # warm-up
            pids = peak.worker_pids(server.process.pid)
            for name, folder_id in (("health", None), ("folder", folder["folder_id"])):
                before = cpu_seconds(pids)
                answers = asyncio.run(phase(server.port, sessions, args.seconds, args.deadline, folder_id, rng))
                results[name] = (answers, cpu_seconds(pids) - before)
        finally:
            server.stop()
    finally:
        peak_scenarios.forget_cache(env)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as keys:
            json.dump([key for _slug, _name, key in sessions], keys)
        peak_scenarios.run_fixture(env, f"forget_sessions({keys.name!r})")
        os.unlink(keys.name)

    def row(label: str, answers: list[Answer], cpu_share: str) -> str:
        good = [a.ms for a in answers if a.status == 200]
        return (f"| {label} | {len(good)} / {len(answers)} | {peak.pct(good, 50):.0f} | {peak.pct(good, 99):.0f} | "
                f"{cpu_share} |")

    health, health_cpu = results["health"]
    answers, folder_cpu = results["folder"]
    pages = [a for a in answers if a.kind == "folder page"]
    files = [a for a in answers if a.kind == "file"]
    health_ms = 1000 * health_cpu / max(1, len(health))
    folder_ms = 1000 * folder_cpu / max(1, len(answers))
    return "\n".join([
        f"# bench/folders.py, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, gunicorn "
        f"gthread w={args.workers} t={args.threads}, production settings, PostgreSQL + Redis on loopback",
        "",
        f"{len(sessions)} students of one school open the same course folder ({folder['course']}, 12 worksheets, "
        f"shared with every class) and its first worksheet, each at a random moment of {args.seconds} s; "
        f"/health/ under the same arrivals before.",
        "",
        "| request | answered 200 | p50 ms | p99 ms | worker CPU ms per request |",
        "| --- | --- | --- | --- | --- |",
        row("/health/", health, f"{health_ms:.2f}"),
        row("folder page", pages, f"{folder_ms:.2f} (pages and files together)"),
        row("file (signed address)", files, "(with the pages)"),
        "",
        f"Worker CPU per request, folder phase (page and file together) / health: **{folder_ms / health_ms:.1f}**",
        f"File bodies sent by web workers: {sum(a.body_bytes for a in files)} bytes for {len(files)} files "
        f"(X-Accel-Redirect: the bytes are the web server's to send).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--seconds", type=int, default=60)
    peak_scenarios.server_options(parser)
    args = parser.parse_args()
    args.seconds = min(args.seconds, peak.MAX_SECONDS)
    peak_scenarios.publish("folders", run(args))


if __name__ == "__main__":
    main()
