"""Kolibri 0.19.5 as a side-by-side peer for bench/peak.py peer: an open-source Django learning platform
whose signed-in API read is measured exactly as Krijt's pages are (same machine, same wrk, same run).

It is installed from PyPI into a scratch virtualenv (bench/out/kolibri-venv, git-ignored), runs on
PostgreSQL in a database of its own (kolibri_bench, dropped afterwards) with its own server as shipped
(`kolibri start`: one process, CherryPy's thread pool), gets a facility with learners, and one learner
signs in through Kolibri's own session API. Nothing of Kolibri is imported into Krijt or committed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "0.19.5"
VENV = ROOT / "bench" / "out" / "kolibri-venv"
DATABASE = "kolibri_bench"
LEARNERS = 50
PASSWORD = "learner-Pass-1"


def ensure_installed() -> Path:
    executable = VENV / "bin" / "kolibri"
    if executable.exists():
        version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=False)
        if VERSION in version.stdout + version.stderr:
            return executable
    subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", f"kolibri=={VERSION}", "psycopg2-binary"],
                   check=True)
    return executable


class Kolibri:
    def __init__(self, port: int, user: str = "postgres") -> None:
        self.executable = ensure_installed()
        self.port = port
        self.user = user
        self.home = Path(tempfile.mkdtemp(prefix="kolibri-home-"))
        self.env = {**os.environ, "KOLIBRI_HOME": str(self.home)}
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", user, "--if-exists", DATABASE], check=True,
                       capture_output=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", user, DATABASE], check=True)
        (self.home / "options.ini").write_text(
            "[Database]\nDATABASE_ENGINE = postgres\n"
            f"DATABASE_NAME = {DATABASE}\nDATABASE_USER = {user}\nDATABASE_HOST = 127.0.0.1\nDATABASE_PORT = 5432\n"
            f"[Deployment]\nHTTP_PORT = {port}\n"
        )
        self._kolibri("manage", "provisiondevice", "--facility", "Bench", "--superusername", "benchadmin",
                      "--superuserpassword", "bench-Admin-1", "--preset", "formal", "--language_id", "en",
                      "--noinput")
        script = (
            "import json; from kolibri.core.auth.models import Facility, FacilityUser\n"
            "f = Facility.objects.get(name='Bench')\n"
            f"for i in range({LEARNERS}):\n"
            "    u = FacilityUser(username=f'learner{i:03d}', facility=f, full_name=f'Learner {i}')\n"
            f"    u.set_password('{PASSWORD}'); u.save()\n"
            "u = FacilityUser.objects.get(username='learner000')\n"
            "print('KRIJT-BENCH ' + json.dumps([f.id, u.id]))\n"
        )
        out = self._kolibri("manage", "shell", "-c", script)
        line = next(x for x in out.splitlines() if x.startswith("KRIJT-BENCH "))
        self.facility, self.learner = json.loads(line.removeprefix("KRIJT-BENCH "))
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", user, "-d", DATABASE, "-qc", "ANALYZE"], check=True)
        self.process = subprocess.Popen(
            [str(self.executable), "start", "--foreground", "--port", str(port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self._wait_until_up(time.monotonic() + 120)
        self.path = f"/api/auth/facilityuser/{self.learner}/"
        self.cookie = self._sign_in()

    def _kolibri(self, *args: str) -> str:
        done = subprocess.run([str(self.executable), *args], env=self.env, capture_output=True, text=True,
                              check=False)
        if done.returncode:
            raise RuntimeError(f"kolibri {' '.join(args[:2])} failed: {done.stderr[-2000:]}")
        return done.stdout

    def _wait_until_up(self, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/public/info/", timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.5)

    def _sign_in(self) -> str:
        body = json.dumps({"username": "learner000", "password": PASSWORD, "facility": self.facility}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/auth/session/", data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            cookies = response.headers.get_all("Set-Cookie") or []
        session = next(c.split(";")[0] for c in cookies if c.startswith("kolibri="))
        # The read must answer as a signed-in learner, or the comparison would measure a refusal.
        check = urllib.request.Request(f"http://127.0.0.1:{self.port}{self.path}", headers={"Cookie": session})
        with urllib.request.urlopen(check, timeout=10) as response:
            assert json.loads(response.read())["username"] == "learner000"
        return session

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, 9)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", self.user, "--if-exists", DATABASE], check=False,
                       capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)
