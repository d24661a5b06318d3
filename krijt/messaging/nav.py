"""The "Messages" entry of the main navigation, with the unread count.

The shared navigation renders labels without the request, so the label carries a small badge that
htmx fills from the unread endpoint (one query) after the page has loaded. The label renders as safe
HTML; it is only ever shown as the link's content.
"""

from __future__ import annotations

from django.urls import NoReverseMatch
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from krijt.core.nav import cached_reverse


class MessagesLabel:
    def __str__(self) -> SafeString:
        try:
            url = cached_reverse("messaging:unread_badge")
        except NoReverseMatch:
            return format_html("{}", gettext("Messages"))
        return format_html(
            '{} <span class="msg-badge" data-hx-get="{}" data-hx-trigger="load, every 120s" '
            'data-hx-swap="innerHTML"></span>',
            gettext("Messages"),
            url,
        )

    __html__ = __str__
