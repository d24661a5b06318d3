"""The one way to write the path of a school's page outside a request (a task, a notification)."""

from __future__ import annotations

from typing import Any

from django.urls import get_script_prefix, reverse, set_script_prefix

from krijt.schools.models import School


def school_path(school: School, viewname: str, **kwargs: Any) -> str:
    """`/s/<slug>/...` for the page `viewname` of `school`: the same inside a request (under any prefix)
    and in a worker (no request, no prefix), so a stored link always names its school."""
    return slug_path(school.slug, viewname, **kwargs)


def slug_path(slug: str, viewname: str, **kwargs: Any) -> str:
    """`school_path` for a school known by its slug only (a cached part keeps the slug, not the school)."""
    previous = get_script_prefix()
    set_script_prefix("/")
    try:
        path = reverse(viewname, kwargs=kwargs or None)
    finally:
        set_script_prefix(previous)
    return f"/s/{slug}{path}"
