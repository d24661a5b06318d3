"""iCalendar (RFC 5545) text for a person's planner, written by hand: no extra dependency in production."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from krijt.planner.models import PlannerItem


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # do not split a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def summary(item: PlannerItem) -> str:
    kind = _("Test") if item.kind == PlannerItem.Kind.TEST else _("Task")
    return f"{item.course.name} · {kind}: {item.title}"


def planner_calendar(*, items: Iterable[PlannerItem], school_slug: str, tz: str, name: str, host: str) -> str:
    zone = ZoneInfo(tz)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Krijt//Planner//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        f"X-WR-TIMEZONE:{tz}",
    ]
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:planner-{item.pk}@{school_slug}.{host}",
            f"DTSTAMP:{_utc(item.updated_at)}",
            f"SEQUENCE:{item.version}",
        ]
        if item.lesson_period is not None:
            start = dt.datetime.combine(item.due_date, item.lesson_period.starts_at, tzinfo=zone)
            end = dt.datetime.combine(item.due_date, item.lesson_period.ends_at, tzinfo=zone)
            lines += [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"]
        else:
            lines += [
                f"DTSTART;VALUE=DATE:{item.due_date:%Y%m%d}",
                f"DTEND;VALUE=DATE:{item.due_date + dt.timedelta(days=1):%Y%m%d}",
            ]
        lines.append(f"SUMMARY:{_escape(summary(item))}")
        if item.description:
            lines.append(f"DESCRIPTION:{_escape(item.description)}")
        lines.append("CATEGORIES:" + ("TEST" if item.kind == PlannerItem.Kind.TEST else "TASK"))
        lines.append("TRANSP:TRANSPARENT")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
