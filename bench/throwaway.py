"""A throwaway PostgreSQL database for a benchmark: made fresh before the run, dropped after it.

Connection settings come from KRIJT_DB_HOST/PORT/USER/PASSWORD as for the tests. Imports nothing of Django,
so a benchmark can call it before `django.setup()`.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(
        host=os.environ.get("KRIJT_DB_HOST", "127.0.0.1"),
        port=os.environ.get("KRIJT_DB_PORT", "5432"),
        user=os.environ.get("KRIJT_DB_USER", "postgres"),
        password=os.environ.get("KRIJT_DB_PASSWORD", ""),
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
