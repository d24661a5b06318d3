"""The attempts table's weekly partitions on PostgreSQL (declarative partitioning by range of `week`).

Each week (Monday to Monday, UTC) is its own table, `exercises_attempt_wYYYYMMDD`. The housekeeping chore
creates the coming weeks ahead of time; an insert into a week that has none (a device that was offline across
a gap of the chore) creates it on the spot (`ensure_week`) and tries again. Retention drops whole weeks older
than KRIJT_EXERCISE_RETENTION_WEEKS, which costs no vacuum and no long delete. There is no default partition:
it would have to be split whenever a week is added.

On SQLite (the embedded demo) the table is a plain table and retention deletes rows.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from krijt.core import clock
from krijt.exercises import rules

TABLE = "exercises_attempt"
WEEKS_AHEAD = 4
_NAME_RE = re.compile(rf"^{TABLE}_w(\d{{8}})$")


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def retention_weeks() -> int:
    return int(getattr(settings, "KRIJT_EXERCISE_RETENTION_WEEKS", 104))


def name_of(week: dt.date) -> str:
    return f"{TABLE}_w{week:%Y%m%d}"


def create_table(schema_editor: Any, model: Any) -> None:
    """Creates the attempts table: partitioned by week on PostgreSQL, a plain table elsewhere (a migration
    step; Django's own CreateModel cannot say PARTITION BY)."""
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(model)
        return
    sql, params = schema_editor.table_sql(model)
    schema_editor.execute(f'{sql} PARTITION BY RANGE ("week")', params or None)
    schema_editor.deferred_sql.extend(schema_editor._model_indexes_sql(model))


def ensure_week(week: dt.date) -> None:
    """The partition of one week exists (idempotent; safe when two processes race)."""
    if not partitioned():
        return
    if week.weekday() != 0:
        raise ValueError("a week starts on a Monday")
    end = week + dt.timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS "{name_of(week)}" PARTITION OF "{TABLE}" '
            f"FOR VALUES FROM ('{week.isoformat()}') TO ('{end.isoformat()}')"
        )


def weeks() -> list[dt.date]:
    """The weeks that have a partition, oldest first (PostgreSQL only)."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = _NAME_RE.match(name)
        if match:
            digits = match.group(1)
            found.append(dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])))
    return sorted(found)


def oldest_kept(today: dt.date | None = None) -> dt.date:
    """The first week retention keeps."""
    today = today or clock.now().date()
    this_week = today - dt.timedelta(days=today.weekday())
    return this_week - dt.timedelta(weeks=retention_weeks())


def maintain() -> dict[str, list[str]]:
    """The housekeeping chore: the coming weeks exist, weeks past retention are gone."""
    now = clock.now()
    this_week = rules.week_of(now)
    created = []
    existing = set(weeks())
    for offset in range(WEEKS_AHEAD + 1):
        week = this_week + dt.timedelta(weeks=offset)
        if partitioned() and week not in existing:
            ensure_week(week)
            created.append(name_of(week))
    return {"created": created, "dropped": drop_expired(today=now.date())}


def drop_expired(*, today: dt.date | None = None) -> list[str]:
    cutoff = oldest_kept(today)
    if not partitioned():
        from krijt.exercises.models import Attempt

        Attempt.objects.filter(week__lt=cutoff).delete()
        return []
    dropped = []
    for week in weeks():
        if week < cutoff:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'DROP TABLE IF EXISTS "{name_of(week)}"')
            dropped.append(name_of(week))
    return dropped
