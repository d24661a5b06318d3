"""Degraded mode is for a database that cannot be reached, never for a query it does not understand."""

from __future__ import annotations

import sqlite3

from django.db import OperationalError

from krijt.ops.degraded import is_database_error


def _wrapped(driver: Exception) -> OperationalError:
    try:
        try:
            raise driver
        except Exception as inner:
            raise OperationalError(str(inner)) from inner
    except OperationalError as error:
        return error


def test_a_missing_function_on_sqlite_is_a_programming_error_not_an_outage() -> None:
    assert not is_database_error(_wrapped(sqlite3.OperationalError("no such function: jsonb_array_length")))
    assert not is_database_error(_wrapped(sqlite3.OperationalError("no such table: imports_importjob")))


def test_a_locked_or_missing_sqlite_file_is_an_outage() -> None:
    assert is_database_error(_wrapped(sqlite3.OperationalError("database is locked")))
    assert is_database_error(_wrapped(sqlite3.OperationalError("unable to open database file")))


def test_a_lost_server_connection_is_an_outage() -> None:
    assert is_database_error(OperationalError("connection to server at 127.0.0.1 failed"))
