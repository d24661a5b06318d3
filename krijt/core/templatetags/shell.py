"""`{% shell_parts as shell %}`: the shell every page draws (the top bar, the account menu and main
navigation, the footer's language form) as remembered fragments (krijt.core.fragments).

The shell costs about half a millisecond to render and is the same on every page a person opens in
a school, but for the CSRF token and the address the language form returns to. So it is rendered from
plain data (the school's name, the person's names, the navigation's labels and addresses, which entry
is current) with a marker where each of those two goes, remembered, and the request's own values put
in their place. Nothing a client sends becomes part of a key: a new query string or an unknown path
never adds a fragment to the cache. The notification bell and the page's messages stay live in base.html.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from krijt.core.fragments import Fragment, render_many

register = template.Library()

# Replaced by the request's own values after the fragment is fetched; no template output looks like them.
TOKEN_MARK = "krijt-shell-csrf-token-5d1f0c"  # noqa: S105 - a marker, not a secret
NEXT_MARK = "krijt-shell-next-address-5d1f0c"


def _label(label: Any) -> str:
    """A navigation label as data: safe HTML stays safe (the messages entry carries its badge)."""
    if hasattr(label, "__html__"):
        return SafeString(label.__html__())
    return str(label)


PHONE_BAR_ITEMS = 5  # a phone's bottom bar: all entries when they fit, else four and "More"


def current_section(path: str, nav_items: list[dict[str, Any]]) -> str:
    """The entry a page belongs to: its own address, or the longest entry address it lies under (a message
    belongs to Messages). The first entry (Today, the school's home) only counts for itself."""
    home = nav_items[0]["url"] if nav_items else ""
    best = ""
    for item in nav_items:
        url = item["url"]
        if path == url:
            return str(url)
        if url != home and path.startswith(url) and len(url) > len(best):
            best = url
    return best


def split_for_phones(nav_items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if len(nav_items) <= PHONE_BAR_ITEMS:
        return nav_items, []
    return nav_items[: PHONE_BAR_ITEMS - 1], nav_items[PHONE_BAR_ITEMS - 1:]


@register.simple_tag(takes_context=True)
def shell_parts(context: Any) -> dict[str, SafeString]:
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    school = context.get("school")
    nav_items = [{"url": item["url"], "label": _label(item["label"]), "icon": item.get("icon") or "dot"}
                 for item in context.get("nav_items") or []]
    path = request.path if request is not None else ""
    current = current_section(path, nav_items)
    primary, more = split_for_phones(nav_items)
    fragments = {
        "top": Fragment("shell/_top.html", {"school_name": school.name if school is not None else "",
                                            "logo": getattr(school, "logo_version", "")}),
        "menu": Fragment("shell/_menu.html", {
            "csrf_token": TOKEN_MARK,
            "signed_in": signed_in,
            "first_name": user.first_name if signed_in else "",
            "username": user.username if signed_in else "",
            "nav_items": nav_items,
            "primary": primary,
            "more": more,
            "more_current": any(item["url"] == current for item in more),
            "current": current,
            # The page itself, or a page inside that section (WAI-ARIA: "page" only for the page itself).
            "current_kind": "page" if current == path else "true",
            "icons": static("krijt/icons.svg"),
        }),
        "footer": Fragment("shell/_footer.html", {"csrf_token": TOKEN_MARK, "full_path": NEXT_MARK,
                                                  "signed_in": signed_in and school is not None}),
    }
    html = render_many(fragments)
    token = context.get("csrf_token")
    values = {
        TOKEN_MARK: str(token) if token is not None else "",
        NEXT_MARK: escape(request.get_full_path()) if request is not None else "",
    }
    result = {}
    for name, fetched in html.items():
        text = str(fetched)
        for mark, value in values.items():
            text = text.replace(mark, value)
        result[name] = mark_safe(text)  # noqa: S308 - our templates' output and escaped request values
    return result
