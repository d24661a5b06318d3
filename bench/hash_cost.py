"""The cost of one password check with Krijt's hasher, beside Django's defaults, in the same run.

    .venv/bin/python bench/hash_cost.py [--rounds 30]

Prints the median and p95 time of one verify per hasher, checks per second per core, and the ratio to
Krijt's hasher. Login capacity per core is bounded by this figure (docs/capacity.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher  # noqa: E402

from krijt.accounts.hashers import KrijtArgon2Hasher  # noqa: E402


def measure(hasher: object, rounds: int) -> list[float]:
    encoded = hasher.encode("a typical pass phrase", hasher.salt())  # type: ignore[attr-defined]
    hasher.verify("a typical pass phrase", encoded)  # type: ignore[attr-defined]  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        hasher.verify("a typical pass phrase", encoded)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    hashers = [
        ("krijt argon2id m=19MiB t=2 p=1", KrijtArgon2Hasher()),
        ("django argon2id m=100MiB t=2 p=8", Argon2PasswordHasher()),
        ("django pbkdf2-sha256 1.2M", PBKDF2PasswordHasher()),
    ]
    base = None
    print(f"{'hasher':36} {'median ms':>10} {'p95 ms':>8} {'checks/s/core':>14} {'x krijt':>8}")
    for name, hasher in hashers:
        times = sorted(measure(hasher, args.rounds))
        median = statistics.median(times)
        p95 = times[int(0.95 * (len(times) - 1))]
        base = base or median
        print(f"{name:36} {median * 1000:10.1f} {p95 * 1000:8.1f} {1 / median:14.1f} {median / base:8.2f}")


if __name__ == "__main__":
    main()
