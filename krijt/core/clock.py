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


def aware(day: dt.date, time: dt.time, tz: str | ZoneInfo) -> dt.datetime:
    """The aware moment of a wall-clock time in a zone (DST gaps resolve forward by fold=0)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime.combine(day, time, tzinfo=zone)
