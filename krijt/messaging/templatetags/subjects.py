"""`{{ subject|for_reader }}`: a reply's prefix in the reader's language (krijt.messaging.subjects)."""

from __future__ import annotations

from django import template

from krijt.messaging import subjects

register = template.Library()


@register.filter
def for_reader(subject: object) -> str:
    return subjects.for_reader(str(subject or ""))
