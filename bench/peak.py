"""Peak-load benchmarks against `manage.py serve` (gunicorn) on PostgreSQL and Redis, figures side by side.

    .venv/bin/python bench/peak.py logins   [--seconds 15]   # 1. fresh password sign-ins/s vs the raw hasher
    .venv/bin/python bench/peak.py home     [--seconds 15]   # 2. signed-in home page/s vs a trivial endpoint
    .venv/bin/python bench/peak.py tails    [--seconds 30]   # 2b. p99 while workers are replaced, balance
    .venv/bin/python bench/peak.py peer     [--seconds 16]   # 2c. Today and /api/v1/me beside Kolibri 0.19.5
    .venv/bin/python bench/peak.py overload [--seconds 20]   # 3. three times saturation, constant arrival rate
    .venv/bin/python bench/peak.py all

Common options: --workers 2 --threads 2 (gunicorn processes and working slots per process),
--connections 16 (wrk). Needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and wrk
(`apt-get install wrk`). Uses its own database krijt_bench_peak (created when missing, dropped with
--drop), one benchmark school (`seed_large --schools 1`, 575 students: enough distinct accounts for
fresh sign-ins, and a school's real timetable on the home page). Load goes to 127.0.0.1 only and each
measurement lasts at most --seconds (capped at 60). Results are printed and written to bench/out/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import servers  # noqa: E402  (bench/servers.py: database set-up, sign-in and wrk helpers)

SCHOOL = servers.SCHOOL
MAX_SECONDS = 60


def environment(args: argparse.Namespace, *, admission_limit: int | None) -> dict[str, str]:
    env = servers.env_for(args)
    env["KRIJT_DB_NAME"] = os.environ.get("KRIJT_DB_NAME", "krijt_bench_peak")
    env["KRIJT_CACHE_PREFIX"] = "bench-peak"
    env["KRIJT_WEB_THREADS"] = str(args.threads)
    if admission_limit is None:
        env.pop("KRIJT_ADMISSION_LIMIT", None)  # the production default: one slot per working thread
    else:
        env["KRIJT_ADMISSION_LIMIT"] = str(admission_limit)
    return env


class Server:
    def __init__(
        self, env: dict[str, str], args: argparse.Namespace, transform: Callable[[list[str]], list[str]] | None = None
    ) -> None:
        from krijt.ops.management.commands.serve import build_command

        self.port = servers.free_port()
        command = build_command(
            server="gunicorn", host="127.0.0.1", port=self.port, workers=args.workers, threads=args.threads
        )
        if transform:
            command = transform(command)
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        servers.wait_until_up(self.port, time.monotonic() + 30)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def students(env: dict[str, str], count: int) -> list[str]:
    script = (
        "from krijt.accounts.models import Membership; "
        f"print('\\n'.join(Membership.objects.filter(school__slug='{SCHOOL}', role='student')"
        f".order_by('user__username').values_list('user__username', flat=True)[:{count}]))"
    )
    out = servers.manage(env, "shell", "-c", script).splitlines()
    return [n.strip() for n in out if n.startswith(f"{SCHOOL}.")]


# ---------------------------------------------------------------- 1. logins


def _verify_loop(seconds: float) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from krijt.accounts.hashers import KrijtArgon2Hasher

    hasher = KrijtArgon2Hasher()
    encoded = hasher.encode("krijt-demo", hasher.salt())
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        hasher.verify("krijt-demo", encoded)
        done += 1
    return done


def raw_hasher_rate(seconds: float) -> tuple[float, int]:
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        counts = pool.map(_verify_loop, [seconds] * cores)
    return sum(counts) / seconds, cores


LOGIN_LUA = """
names = {%(names)s}
counter = 0
setup = function(thread) thread:set("offset", math.random(1, #names)) end
request = function()
  counter = counter + 1
  local name = names[((counter + (offset or 0)) %% #names) + 1]
  local body = "csrfmiddlewaretoken=%(token)s&username=" .. name .. "&password=krijt-demo&keep_signed_in=on"
  return wrk.format("POST", "/s/%(school)s/accounts/sign-in/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=%(token)s"}, body)
end
"""


def bench_logins(args: argparse.Namespace) -> str:
    env = environment(args, admission_limit=1000)
    names = students(env, 500)
    token = secrets.token_hex(16)  # Django accepts an unmasked 32-character secret equal to the cookie
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LOGIN_LUA % {"names": ",".join(f'"{n}"' for n in names), "token": token, "school": SCHOOL})
    server = Server(env, args)
    try:
        url = f"{server.base}/s/{SCHOOL}/accounts/sign-in/"
        wrk_script(url, 3, args.connections, script.name)
        http = wrk_script(url, args.seconds, args.connections, script.name)
    finally:
        server.stop()
        os.unlink(script.name)
    raw, cores = raw_hasher_rate(min(args.seconds, 10))
    return "\n".join([
        f"## 1. Fresh password sign-ins over HTTP vs the raw hasher ({cores} cores, wrk -c {args.connections})",
        "",
        "| measure | per second | p50 ms | p95 ms | p99 ms | non-302 | socket errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| HTTP sign-ins (GET-less POST, new session each) | {http['rps']:.1f} | {http['p50']:.0f} | "
        f"{http['p95']:.0f} | {http['p99']:.0f} | {int(http['non2xx'])} | {int(http['errors'])} |",
        f"| raw Argon2id verify, {cores} processes | {raw:.1f} | | | | | |",
        "",
        f"ratio HTTP / raw: {http['rps'] / raw:.2f}",
    ])


PERCENTILES_LUA = """
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99, 99.9}) do
    io.write(string.format("krijt-p%s %.3f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def wrk_script(
    url: str, seconds: int, connections: int, script: str | None, cookie: str | None = None
) -> dict[str, float]:
    """wrk with our percentiles (p95 is not in wrk's own --latency table), in milliseconds."""
    import re

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write((Path(script).read_text() if script else "") + PERCENTILES_LUA)
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{min(seconds, MAX_SECONDS)}s", "-s", lua.name, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    pcts = {m[1]: float(m[2]) for m in re.finditer(r"krijt-p([\d.]+) ([\d.]+)", out)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad_count = float(bad[1]) if bad else 0.0
    share_ok = 1 - bad_count / float(total[1]) if total and float(total[1]) else 1.0
    return {
        "rps": rps,
        "good_rps": rps * share_ok,
        "p50": pcts.get("50", float("nan")),
        "p95": pcts.get("95", float("nan")),
        "p99": pcts.get("99", float("nan")),
        "p99.9": pcts.get("99.9", float("nan")),
        "non2xx": float(bad[1]) if bad else 0.0,
        "errors": float(sum(int(x) for x in errors.groups())) if errors else 0.0,
    }


# ---------------------------------------------------------------- 2. home page


ROUND_SECONDS = 2


def bench_home(args: argparse.Namespace) -> tuple[str, float]:
    """The home page and /health/ in alternating rounds of two seconds, so a machine whose speed drifts
    (a shared host) slows both alike: the ratio is the median of the rounds' ratios."""
    import statistics

    env = environment(args, admission_limit=1000)
    student = students(env, 1)[0]
    server = Server(env, args)
    rounds: list[tuple[dict[str, float], dict[str, float]]] = []
    try:
        cookie = servers.sign_in(server.port, student)
        home_url = f"{server.base}/s/{SCHOOL}/"
        wrk_script(home_url, 3, args.connections, None, cookie)  # warm-up: caches, pool, imports
        wrk_script(f"{server.base}/health/", 1, args.connections, None)
        for _ in range(max(2, args.seconds // ROUND_SECONDS)):
            rounds.append((wrk_script(home_url, ROUND_SECONDS, args.connections, None, cookie),
                           wrk_script(f"{server.base}/health/", ROUND_SECONDS, args.connections, None)))
    finally:
        server.stop()

    def median(which: int, figure: str) -> float:
        return statistics.median(r[which][figure] for r in rounds)

    ratios = [home["rps"] / trivial["rps"] for home, trivial in rounds]
    p99_ratios = [home["p99"] / trivial["p99"] for home, trivial in rounds]
    rows = []
    for name, which in ((f"home /s/{SCHOOL}/ (keep-signed-in session)", 0), ("trivial /health/", 1)):
        bad = int(sum(r[which]["non2xx"] for r in rounds))
        errors = int(sum(r[which]["errors"] for r in rounds))
        rows.append(f"| {name} | {median(which, 'rps'):.0f} | {median(which, 'p50'):.1f} | {median(which, 'p99'):.1f} "
                    f"| {bad} | {errors} |")
    return "\n".join([
        f"## 2. Signed-in student's home page vs a trivial endpoint (wrk -c {args.connections}, "
        f"{len(rounds)} alternating rounds of {ROUND_SECONDS} s, medians)",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | non-2xx | socket errors |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"ratio home / trivial: {statistics.median(ratios):.3f} (rounds from {min(ratios):.3f} to {max(ratios):.3f})",
        f"p99 home / trivial: {statistics.median(p99_ratios):.1f}x",
    ]), median(0, "rps")


# ---------------------------------------------------------------- 2b. tails: worker balance and replacement


def counted_replacement(command: list[str], max_requests: int) -> list[str]:
    """The server as it was configured before config/gunicorn.py: no preload, one shared listening socket,
    workers replaced after a number of requests (each replacement imports Django afresh)."""
    dropped = {"--preload", "--reuse-port"}
    out: list[str] = []
    skip = False
    for part in command:
        if skip:
            skip = False
            continue
        if part == "--config":
            skip = True
            continue
        if part not in dropped:
            out.append(part)
    return [*out, "--max-requests", str(max_requests), "--max-requests-jitter", str(max(1, max_requests // 10))]


def connections_per_worker(port: int) -> list[int]:
    """Established connections each server process holds on the port, most first (from `ss`)."""
    import re

    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=False).stdout
    counts: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        counts[pid] = counts.get(pid, 0) + 1
    return sorted(counts.values(), reverse=True)


def worker_pids(master: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout
    return {int(p) for p in out.split()}


def _watch(server: Server, stop: threading.Event, seen: set[int], spread: list[list[int]]) -> None:
    while not stop.wait(0.5):
        seen.update(worker_pids(server.process.pid))
        spread.append(connections_per_worker(server.port))


def bench_tails(args: argparse.Namespace) -> str:
    """The signed-in home page for --seconds at --connections, three ways: the server as configured before
    (workers replaced by request count at the rate 20,000 gives at 2,000 requests/s, each replacement a
    cold start; one shared socket), as shipped now, and as shipped with replacements forced at the same
    rate (each a fork of the warm master). Per row: p99 and p99.9, replacements seen, and how evenly the
    workers hold the connections (sampled every half second with `ss`)."""
    env = environment(args, admission_limit=1000)
    student = students(env, 1)[0]
    seconds = max(20, args.seconds)
    replace_every = 10
    rows = []
    probe = Server(env, args)
    try:
        cookie = servers.sign_in(probe.port, student)
        wrk_script(f"{probe.base}/s/{SCHOOL}/", 3, args.connections, None, cookie)
        rate = wrk_script(f"{probe.base}/s/{SCHOOL}/", 4, args.connections, None, cookie)["rps"]
    finally:
        probe.stop()
    per_worker = max(1, int(rate / args.workers * replace_every))
    setups: list[tuple[str, dict[str, str], Callable[[list[str]], list[str]] | None]] = [
        (f"before: one shared socket, no preload, --max-requests {per_worker} (a replacement every "
         f"~{replace_every} s, as 20,000 gives at 2,000 req/s)", env,
         lambda command: counted_replacement(command, per_worker)),
        ("now: `manage.py serve` as shipped (--reuse-port, --preload, connections moved after 10 s, "
         "replaced by age: not within the run)", env, None),
        (f"now, with a replacement forced every ~{replace_every} s (KRIJT_WORKER_MAX_AGE={replace_every})",
         {**env, "KRIJT_WORKER_MAX_AGE": str(replace_every)}, None),
    ]
    for name, setup_env, transform in setups:
        server = Server(setup_env, args, transform)
        try:
            cookie = servers.sign_in(server.port, student)
            url = f"{server.base}/s/{SCHOOL}/"
            wrk_script(url, 3, args.connections, None, cookie)
            seen: set[int] = set()
            spread: list[list[int]] = []
            stop = threading.Event()

            watcher = threading.Thread(target=_watch, args=(server, stop, seen, spread), daemon=True)
            watcher.start()
            figures = wrk_script(url, seconds, args.connections, None, cookie)
            stop.set()
            watcher.join()
        finally:
            server.stop()
        busiest = [max(s) / max(1, sum(s)) for s in spread if s]
        rows.append(
            f"| {name} | {figures['rps']:.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} | "
            f"{figures['p99.9']:.1f} | {len(seen) - args.workers} | "
            f"{sorted(busiest)[len(busiest) // 2]:.0%} | {int(figures['non2xx'])} | {int(figures['errors'])} |"
        )
    return "\n".join([
        f"## 2b. Tails: the home page for {seconds} s at wrk -c {args.connections}, {args.workers} workers",
        "",
        "| server | req/s | p50 ms | p99 ms | p99.9 ms | workers replaced | busiest worker's share of connections "
        "(median of samples) | non-2xx | socket errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"An even spread over {args.workers} workers is {1 / args.workers:.0%}.",
    ])


# ---------------------------------------------------------------- 2c. a peer: Kolibri


def bench_peer(args: argparse.Namespace) -> str:
    """Krijt's student Today page and /api/v1/me beside Kolibri 0.19.5's signed-in API read of a learner
    (bench/kolibri.py), each server as shipped, in alternating rounds of two seconds at the same wrk
    settings; the ratios are medians of the rounds'."""
    import statistics

    import kolibri

    env = environment(args, admission_limit=1000)
    student = students(env, 1)[0]
    print("installing and provisioning Kolibri (a minute the first time) ...", file=sys.stderr)
    peer = kolibri.Kolibri(servers.free_port(), env.get("KRIJT_DB_USER", "postgres"))
    server = Server(env, args)
    rounds: list[dict[str, dict[str, float]]] = []
    try:
        cookie = servers.sign_in(server.port, student)
        targets = {
            "today": (f"{server.base}/s/{SCHOOL}/", cookie),
            "me": (f"{server.base}/s/{SCHOOL}/api/v1/me", cookie),
            "kolibri": (f"http://127.0.0.1:{peer.port}{peer.path}", peer.cookie),
        }
        for url, target_cookie in targets.values():
            wrk_script(url, 3, args.connections, None, target_cookie)  # warm-up
        for _ in range(max(2, args.seconds // ROUND_SECONDS)):
            rounds.append({name: wrk_script(url, ROUND_SECONDS, args.connections, None, target_cookie)
                           for name, (url, target_cookie) in targets.items()})
    finally:
        server.stop()
        peer.stop()

    def median(name: str, figure: str) -> float:
        return statistics.median(r[name][figure] for r in rounds)

    labels = {
        "today": f"Krijt: a student's Today page /s/{SCHOOL}/ (gunicorn, {args.workers} workers)",
        "me": f"Krijt: /s/{SCHOOL}/api/v1/me",
        "kolibri": f"Kolibri {kolibri.VERSION}: /api/auth/facilityuser/<id>/ (kolibri start, as shipped)",
    }
    rows = [
        f"| {labels[name]} | {median(name, 'rps'):.0f} | {median(name, 'p50'):.1f} | {median(name, 'p99'):.1f} | "
        f"{int(sum(r[name]['non2xx'] for r in rounds))} | {int(sum(r[name]['errors'] for r in rounds))} |"
        for name in labels
    ]
    today_ratio = statistics.median(r["today"]["rps"] / r["kolibri"]["rps"] for r in rounds)
    me_ratio = statistics.median(r["me"]["rps"] / r["kolibri"]["rps"] for r in rounds)
    return "\n".join([
        f"## 2c. Signed-in reads beside Kolibri {kolibri.VERSION} (wrk -c {args.connections}, {len(rounds)} "
        f"alternating rounds of {ROUND_SECONDS} s, medians; both on PostgreSQL on loopback)",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | non-2xx | socket errors |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        f"Krijt's Today page / Kolibri's read: {today_ratio:.1f}x; "
        f"Krijt's /api/v1/me / Kolibri's read: {me_ratio:.1f}x",
    ])


# ---------------------------------------------------------------- 3. overload


async def _one(port: int, path: str, cookie: str, deadline: float) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), deadline)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n".encode()
        )
        line = await asyncio.wait_for(reader.readline(), deadline - (time.perf_counter() - started))
        await asyncio.wait_for(reader.read(), max(0.1, deadline - (time.perf_counter() - started)))
        writer.close()
        status = int(line.split()[1]) if line else -1
    except TimeoutError:
        status = 0  # past the deadline
    except OSError:
        status = -1
    return status, (time.perf_counter() - started) * 1000


async def open_loop(
    port: int, path: str, cookie: str, rate: float, seconds: float, deadline: float
) -> list[tuple[float, int, float]]:
    """Constant arrival: request i starts at i / rate whatever happened to the others (no coordinated omission)."""
    results: list[tuple[float, int, float]] = []
    start = time.perf_counter()
    tasks = []

    async def fire(at: float) -> None:
        status, ms = await _one(port, path, cookie, deadline)
        results.append((at, status, ms))

    total = int(rate * seconds)
    for i in range(total):
        at = i / rate
        delay = start + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(at)))
    await asyncio.gather(*tasks)
    return results


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_overload(args: argparse.Namespace, peak: float | None = None) -> str:
    env = environment(args, admission_limit=None)
    student = students(env, 1)[0]
    server = Server(env, args)
    try:
        cookie = servers.sign_in(server.port, student)
        path = f"/s/{SCHOOL}/"
        if peak is None:
            # Saturation: as many connections as working slots, so that nothing is shed; 200s per second.
            slots = args.workers * args.threads
            wrk_script(f"{server.base}{path}", 3, slots, None, cookie)
            peak = wrk_script(f"{server.base}{path}", min(args.seconds, 10), slots, None, cookie)["good_rps"]
        rate = 3 * peak
        results = asyncio.run(open_loop(server.port, path, cookie, rate, args.seconds, args.deadline))
    finally:
        server.stop()
    ok = [ms for _, s, ms in results if s == 200]
    shed = [ms for _, s, ms in results if s == 503]
    late = [1 for _, s, _ in results if s == 0]
    other = [s for _, s, _ in results if s not in (200, 503, 0)]
    goodput = len(ok) / args.seconds
    return "\n".join([
        f"## 3. Overload: constant arrival at 3 x saturation ({rate:.0f} req/s for {args.seconds} s, "
        f"saturation {peak:.0f} req/s measured closed-loop; admission limit = {args.threads} per process, "
        f"{args.workers} processes)",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| requests sent | {len(results)} |",
        f"| admitted and answered 200 | {len(ok)} ({goodput:.0f}/s) |",
        f"| goodput as a share of peak | {goodput / peak:.0%} |",
        f"| shed 503 | {len(shed)} |",
        f"| p99 time to answer a shed request | {pct(shed, 99):.1f} ms (p50 {pct(shed, 50):.1f}) |",
        f"| p99 of admitted requests | {pct(ok, 99):.1f} ms (p50 {pct(ok, 50):.1f}) |",
        f"| past the {args.deadline:.0f} s deadline | {len(late)} |",
        f"| other errors (status or connection) | {len(other)} {sorted(set(other))} |",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["logins", "home", "tails", "peer", "overload", "all"])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=10.0, help="seconds after which a request counts as hung")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database afterwards")
    args = parser.parse_args()
    args.seconds = min(args.seconds, MAX_SECONDS)
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode:
        sys.exit("wrk is needed: apt-get install -y wrk")
    env = environment(args, admission_limit=None)
    print("preparing the database, the benchmark school and static files ...", file=sys.stderr)
    servers.ensure_database(env)
    sections = [
        f"# bench/peak.py {args.what}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"gunicorn gthread w={args.workers} t={args.threads}, production settings, PostgreSQL + Redis on loopback",
    ]
    if args.what in ("logins", "all"):
        sections.append(bench_logins(args))
    if args.what in ("home", "all"):
        text, _home_rps = bench_home(args)
        sections.append(text)
    if args.what in ("tails", "all"):
        sections.append(bench_tails(args))
    if args.what in ("peer", "all"):
        sections.append(bench_peer(args))
    if args.what in ("overload", "all"):
        sections.append(bench_overload(args, None))  # saturation measured under the production admission limit
    report = "\n\n".join(sections)
    print(report)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"peak-{args.what}-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.md").write_text(report + "\n")
    if args.drop:
        user = env.get("KRIJT_DB_USER", "postgres")
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", user, env["KRIJT_DB_NAME"]], check=False)


if __name__ == "__main__":
    main()
