"""Cells of an exported CSV or spreadsheet: text a spreadsheet program would run as a formula gets a quote."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return False
    return True


def safe_cell(value: object) -> str:
    """`value` as text; one starting with =, +, - or @ (and not a number) is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text
