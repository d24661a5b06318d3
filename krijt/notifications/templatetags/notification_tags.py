from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def badge_poll_seconds() -> int:
    """How often the top bar asks for the unread count (tests shorten it)."""
    return int(getattr(settings, "KRIJT_NOTIFICATION_BADGE_POLL_SECONDS", 30))
