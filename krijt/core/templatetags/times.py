"""`{{ moment|machine_time }}`: a moment as a `<time datetime>` value: ISO 8601 in the current zone, to the
second, with a "+01:00" offset (Django's "c" keeps microseconds, which HTML does not allow beyond three
digits, and its "O" writes "+0100", which browsers' Date does not read)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value: object) -> str:
    if isinstance(value, dt.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""
