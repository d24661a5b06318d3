"""Notification fan-out and dispatch throughput on PostgreSQL, beside a plain bulk insert in the same run.

    .venv/bin/python bench/deliveries.py [--recipients 100000] [--keep]

Creates a throwaway database (krijt_bench_deliveries), migrates it, bulk-inserts one school with N
recipients (staff with an e-mail address, push turned off so every delivery is an e-mail), then measures:

- fan-out: notify() for every recipient (in calls of 5,000 targets, as a task would): rows per second,
  counting the in-app items and the e-mail deliveries it writes;
- baseline: bulk_create of the same number of minimal rows into the same tables, without the decision,
  the de-duplication or the read-back: the floor for this database and machine;
- dispatch: dispatch_once() until nothing is due, with Django's locmem e-mail backend (no network):
  deliveries per second, each rendered in the recipient's language and "sent".

The database is dropped at the end (--keep leaves it). Connection settings come from KRIJT_DB_HOST/PORT/
USER/PASSWORD as for the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

DB_NAME = "krijt_bench_deliveries"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["KRIJT_DB_NAME"] = DB_NAME
os.environ.setdefault("KRIJT_CACHE_PREFIX", "bench-deliveries")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

from bench.throwaway import drop_database, recreate_database  # noqa: E402


def rate(rows: int, seconds: float) -> str:
    return f"{rows:>9,} rows in {seconds:7.2f} s = {rows / seconds:>10,.0f} rows/s"


def run(recipients: int) -> None:
    import time_machine
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from krijt.accounts.models import Membership, User
    from krijt.notifications import kinds
    from krijt.notifications.dispatch import dispatch_once
    from krijt.notifications.models import Delivery, Notification, NotificationPreference
    from krijt.notifications.services import Target, notify
    from krijt.schools.models import School, SchoolYear

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database {DB_NAME} created and migrated in {time.perf_counter() - started:.1f} s")

    kinds.register("bench", lambda params, language: kinds.Rendered(title=params["subject"], text=params["body"]))
    school = School.objects.create(slug="bench", name="Bench school")
    SchoolYear.objects.create(
        school=school, name="2026-2027", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 6, 30)
    )
    started = time.perf_counter()
    batch = 5000
    for start in range(0, recipients, batch):
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench.{n}",
                    first_name="Bench",
                    last_name=str(n),
                    email=f"p{n}@bench.example",
                    password="!",
                    language=("nl", "fr", "en")[n % 3],
                )
                for n in range(start, min(start + batch, recipients))
            ]
        )
        Membership.objects.bulk_create([Membership(school=school, user=u, role="teacher") for u in users])
        NotificationPreference.objects.bulk_create([NotificationPreference(user=u, push=False) for u in users])
    user_ids = list(User.objects.filter(username__startswith="bench.").order_by("pk").values_list("pk", flat=True))
    print(f"{recipients:,} recipients inserted in {time.perf_counter() - started:.1f} s")

    tuesday = dt.datetime(2026, 10, 6, 8, 0, tzinfo=dt.UTC)  # 10:00 in Brussels, a school day
    with (
        time_machine.travel(tuesday, tick=True),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        targets = [Target(user_id=pk, audience="staff") for pk in user_ids]
        started = time.perf_counter()
        for start in range(0, len(targets), 5000):
            notify(
                school=school,
                kind="bench",
                key="bench:1",
                targets=targets[start : start + 5000],
                params={"subject": "Parents' evening", "body": "Thursday at 19:00."},
                url="/messages/1/",
            )
        fanout_seconds = time.perf_counter() - started
        fanout_rows = Notification.objects.count() + Delivery.objects.count()

        started = time.perf_counter()
        now = tuesday
        for start in range(0, len(user_ids), 5000):
            chunk = user_ids[start : start + 5000]
            items = Notification.objects.bulk_create(
                [
                    Notification(
                        school=school,
                        recipient_id=pk,
                        audience="staff",
                        kind="bench",
                        key="baseline",
                        params={},
                        visible_at=now,
                    )
                    for pk in chunk
                ]
            )
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        school=school,
                        notification=n,
                        recipient_id=n.recipient_id,
                        channel="email",
                        due_at=now,
                        next_attempt_at=now,
                        state="skipped",
                        idempotency_key=f"baseline:{n.recipient_id}",
                    )
                    for n in items
                ]
            )
        baseline_seconds = time.perf_counter() - started
        baseline_rows = 2 * len(user_ids)

        connection.close()
        started = time.perf_counter()
        sent = 0
        while True:
            report = dispatch_once(batch_size=500)
            if not report.claimed:
                break
            sent += report.sent
            mail.outbox.clear()
        dispatch_seconds = time.perf_counter() - started

    fanout_rate = fanout_rows / fanout_seconds
    baseline_rate = baseline_rows / baseline_seconds
    print()
    version = getattr(connection, "pg_version", 0)
    print(f"recipients: {recipients:,} (staff, e-mail only), PostgreSQL {version // 10000}.{version % 10000}")
    print(f"fan-out  notify():          {rate(fanout_rows, fanout_seconds)}")
    print(f"baseline bulk_create:       {rate(baseline_rows, baseline_seconds)}")
    print(f"fan-out / baseline:         {fanout_rate / baseline_rate:.2f}")
    print(
        f"dispatch (locmem e-mail):   {sent:>9,} deliveries in {dispatch_seconds:7.2f} s = "
        f"{sent / dispatch_seconds:>10,.0f} deliveries/s"
    )
    assert sent == recipients, f"sent {sent} of {recipients}"
    assert Delivery.objects.filter(state="sent").count() == recipients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    recreate_database(DB_NAME)
    try:
        django.setup()
        run(args.recipients)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(DB_NAME)
            print(f"database {DB_NAME} dropped")


if __name__ == "__main__":
    main()
