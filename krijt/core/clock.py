"""The one way Krijt asks what time it is. Tests move it with time-machine."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

UTC = dt.UTC


def now() -> dt.datetime:
    """Aware UTC now."""
    return timezone.now()


def local_now(tz: str | ZoneInfo) -> dt.datetime:
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return now().astimezone(zone)


def local_today(tz: str | ZoneInfo) -> dt.date:
    return local_now(tz).date()


def wall_time(moment: dt.datetime | None, tz: str | ZoneInfo) -> dt.datetime | None:
    """A moment typed without a zone (a form's date and time) as the school's wall-clock time; an aware
    moment or None as it is."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return aware(moment.date(), moment.time(), tz)


def aware(day: dt.date, time: dt.time, tz: str | ZoneInfo) -> dt.datetime:
    """The aware moment of a wall-clock time in a zone (DST gaps resolve forward by fold=0)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime.combine(day, time, tzinfo=zone)
