"""Today right after a whole-school announcement, beside the same page without announcements, in one run.

    .venv/bin/python bench/news.py [--readers 100] [--rounds 8] [--workers 2] [--threads 4]

Against `manage.py serve` (gunicorn, production settings) on the shared PostgreSQL and Redis, database
krijt_bench_peak (as bench/peak.py), one benchmark school (`seed_large --schools 1`). The readers are
students spread over the school's classes and some of their parents, each with a device session written
straight into the session store (no password hashing in the measurement).

Rounds alternate between two states of the same school, so drift of a shared host falls on both:

- without: the school has no announcement;
- after: an administrator has just posted a whole-school announcement through the service (one row, one
  audience rule, one queued task), which makes every cached news list of the school stale;
- with: the wave right after that one, the announcement on everyone's Today and the lists cached again;

and in each wave all readers open Today at the same moment (one request each, on its own connection).
The admission limit is set above the number of readers, so nothing is shed and every answer is a page.
Queries per page are counted in-process on the same database (bench/fixtures.py news_queries): a page
without announcements, the first reader after the announcement (who builds the cached list), a classmate
right after (who shares it), and the first reader again. Results: printed and bench/out/news-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import peak  # noqa: E402
import peak_scenarios  # noqa: E402
import servers  # noqa: E402

SCHOOL = servers.SCHOOL


async def wave(port: int, sessions: list[list[str]], deadline: float) -> list[tuple[int, float]]:
    """Every reader opens Today at once: (status, ms) each."""
    async def one(key: str) -> tuple[int, float]:
        status, _retry, ms = await peak_scenarios.http(
            port, "GET", f"/s/{SCHOOL}/", deadline=deadline, headers={"Cookie": f"krijt_session={key}"})
        return status, ms

    return await asyncio.gather(*(one(key) for _slug, _name, key in sessions))


def run(args: argparse.Namespace) -> str:
    env = peak.environment(args, admission_limit=args.readers * 2)
    env["KRIJT_CACHE_PREFIX"] = f"bench-news-{secrets.token_hex(3)}"
    print("preparing the database and the benchmark school ...", file=sys.stderr)
    servers.ensure_database(env)
    results: dict[str, list[tuple[int, float]]] = {"without": [], "after": [], "warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        students = args.readers - args.readers // 4
        peak_scenarios.run_fixture(env, f"news_readers({SCHOOL!r}, {students}, {args.readers // 4}, "
                                        f"'{tmp}/people.json')")
        peak_scenarios.run_fixture(env, f"device_sessions_for('{tmp}/people.json', '{tmp}/sessions.json')")
        sessions = json.loads(Path(tmp, "sessions.json").read_text())
        peak_scenarios.run_fixture(env, f"news_queries('{tmp}/people.json', '{tmp}/queries.json')")
        queries = json.loads(Path(tmp, "queries.json").read_text())
        try:
            server = peak.Server(env, args)
            try:
                asyncio.run(wave(server.port, sessions, args.deadline))  # warm-up: imports, pools, caches
                for _round in range(args.rounds):
                    peak_scenarios.run_fixture(env, f"news_clear({SCHOOL!r})")
                    asyncio.run(wave(server.port, sessions, args.deadline))  # the lists rebuilt once, untimed
                    results["without"] += asyncio.run(wave(server.port, sessions, args.deadline))
                    peak_scenarios.run_fixture(env, f"news_post({SCHOOL!r})")
                    results["after"] += asyncio.run(wave(server.port, sessions, args.deadline))
                    results["warm"] += asyncio.run(wave(server.port, sessions, args.deadline))
            finally:
                server.stop()
        finally:
            peak_scenarios.run_fixture(env, f"news_clear({SCHOOL!r})")
            peak_scenarios.forget_cache(env)
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as keys:
                json.dump([key for _slug, _name, key in sessions], keys)
            peak_scenarios.run_fixture(env, f"forget_sessions({keys.name!r})")
            os.unlink(keys.name)

    without = [ms for status, ms in results["without"] if status == 200]

    def row(name: str, label: str) -> str:
        answers = results[name]
        good = [ms for status, ms in answers if status == 200]
        ratio = peak.pct(good, 99) / peak.pct(without, 99) if good and without else float("nan")
        return (f"| {label} | {len(good)} / {len(answers)} | {peak.pct(good, 50):.0f} | {peak.pct(good, 95):.0f} | "
                f"{peak.pct(good, 99):.0f} | {ratio:.2f} |")

    return "\n".join([
        f"# bench/news.py, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, gunicorn gthread "
        f"w={args.workers} t={args.threads}, production settings, PostgreSQL + Redis on loopback",
        "",
        f"{args.readers} readers ({args.readers - args.readers // 4} students over the classes, "
        f"{args.readers // 4} parents) open Today at once; {args.rounds} rounds of each state, alternating.",
        "",
        "| Today | answered 200 | p50 ms | p95 ms | p99 ms | p99 / without |",
        "| --- | --- | --- | --- | --- | --- |",
        row("without", "without announcements"),
        row("after", "right after a whole-school announcement (every news list stale)"),
        row("warm", "the next wave, with the announcement shown (lists cached again)"),
        "",
        "| queries per Today page | count |",
        "| --- | --- |",
        f"| without announcements (warm) | {queries['without']} |",
        f"| the first reader right after the announcement (builds the cached list) | {queries['first_after']} |",
        f"| a classmate right after them (shares the list) | {queries['classmate_after']} |",
        f"| the first reader again | {queries['again_after']} |",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=8)
    peak_scenarios.server_options(parser)
    args = parser.parse_args()
    peak_scenarios.publish("news", run(args))


if __name__ == "__main__":
    main()
