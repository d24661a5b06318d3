"""Pure rules of live lessons: when an occurrence opens and closes, and when its meeting is created."""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

# Teachers may go in a little earlier than their students, to set up.
MODERATOR_OPENS_BEFORE = dt.timedelta(minutes=15)
VIEWER_OPENS_BEFORE = dt.timedelta(minutes=10)
# A lesson that runs over can still be joined a while.
CLOSES_AFTER = dt.timedelta(minutes=15)
# Meetings are created between these two moments before the lesson, each at its own spread moment, so the
# start of the first lesson does not send every create to the video service in the same second.
CREATE_FROM = dt.timedelta(minutes=10)
CREATE_UNTIL = dt.timedelta(minutes=2)


class Window(StrEnum):
    EARLY = "early"
    OPEN = "open"
    OVER = "over"


def opens_at(starts: dt.datetime, *, moderator: bool) -> dt.datetime:
    return starts - (MODERATOR_OPENS_BEFORE if moderator else VIEWER_OPENS_BEFORE)


def closes_at(ends: dt.datetime) -> dt.datetime:
    return ends + CLOSES_AFTER


def window(now: dt.datetime, starts: dt.datetime, ends: dt.datetime, *, moderator: bool) -> Window:
    if now < opens_at(starts, moderator=moderator):
        return Window.EARLY
    if now >= closes_at(ends):
        return Window.OVER
    return Window.OPEN


def create_moment(starts: dt.datetime, key: str) -> dt.datetime:
    """The moment an occurrence's meeting is created: spread evenly over CREATE_FROM..CREATE_UNTIL before the
    lesson by a hash of the meeting's key (the same key gives the same moment in every process)."""
    span = int((CREATE_FROM - CREATE_UNTIL).total_seconds())
    offset = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % span
    return starts - CREATE_FROM + dt.timedelta(seconds=offset)


def meeting_key(room: str, day: dt.date) -> str:
    """The meeting's id on the video service: the lesson's random room and the day."""
    return f"krijt-{room}-{day:%Y%m%d}"


def pool_order(servers: list[int], key: str) -> list[int]:
    """The servers of a pool in the order an occurrence tries them: each occurrence starts at its own
    server (by a hash of its key), so a pool shares the lessons, and fails over to the next."""
    if not servers:
        return []
    start = int.from_bytes(hashlib.sha256(key.encode()).digest()[4:8], "big") % len(servers)
    return servers[start:] + servers[:start]
