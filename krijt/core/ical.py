"""iCalendar (RFC 5545) text, written by hand: no extra dependency in production.

Every event is written as instants in UTC or as whole days, so a feed needs no VTIMEZONE: a repeating
event or a timetable arrives as its occurrences, each computed in the school's wall-clock time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    stamp: dt.datetime
    start: dt.datetime | None = None  # a timed event (aware)
    end: dt.datetime | None = None
    first_day: dt.date | None = None  # an all-day event: first and last day, inclusive
    last_day: dt.date | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    sequence: int = 0
    cancelled: bool = False
    busy: bool = False


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
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


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(event: FeedEvent) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{utc(event.stamp)}", f"SEQUENCE:{event.sequence}"]
    if event.start is not None and event.end is not None:
        lines += [f"DTSTART:{utc(event.start)}", f"DTEND:{utc(event.end)}"]
    elif event.first_day is not None:
        last = event.last_day or event.first_day
        lines += [f"DTSTART;VALUE=DATE:{event.first_day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{last + dt.timedelta(days=1):%Y%m%d}"]
    lines.append(f"SUMMARY:{escape(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape(c) for c in event.categories))
    if event.cancelled:
        lines.append("STATUS:CANCELLED")
    lines.append("TRANSP:" + ("OPAQUE" if event.busy else "TRANSPARENT"))
    lines.append("END:VEVENT")
    return lines


def calendar(*, events: Iterable[FeedEvent], name: str, tz: str, product: str = "Planner") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Krijt//{product}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{tz}",
    ]
    for event in events:
        lines += _event(event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
