"""`{% shell_parts as shell %}`: the shell every page draws (the top bar, the account menu and main
navigation, the footer's language form) as remembered fragments (krijt.core.fragments).

The shell costs about half a millisecond to render and is the same on every page a person opens in
a school, but for the page's path and the CSRF token. So it is rendered from plain data (the school's
name, the person's names, the navigation's labels and addresses, the path) with a placeholder where
the token goes, remembered, and the request's own token put in its place. The notification bell and
the page's messages stay live in base.html.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from krijt.core.fragments import Fragment, render_many

register = template.Library()

# Replaced by the request's masked token after the fragment is fetched; no template output looks like it.
TOKEN_PLACEHOLDER = "krijt-csrf-token-placeholder-5d1f0c"  # noqa: S105 - a marker, not a secret


def _label(label: Any) -> str:
    """A navigation label as data: safe HTML stays safe (the messages entry carries its badge)."""
    if hasattr(label, "__html__"):
        return SafeString(label.__html__())
    return str(label)


@register.simple_tag(takes_context=True)
def shell_parts(context: Any) -> dict[str, SafeString]:
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    school = context.get("school")
    nav_items = [{"url": item["url"], "label": _label(item["label"])} for item in context.get("nav_items") or []]
    common = {"csrf_token": TOKEN_PLACEHOLDER}
    fragments = {
        "top": Fragment("shell/_top.html", {"school_name": school.name if school is not None else ""}),
        "menu": Fragment("shell/_menu.html", {
            **common,
            "signed_in": signed_in,
            "first_name": user.first_name if signed_in else "",
            "username": user.username if signed_in else "",
            "nav_items": nav_items,
            "path": request.path if request is not None else "",
        }),
        "footer": Fragment("shell/_footer.html", {
            **common,
            "full_path": request.get_full_path() if request is not None else "",
        }),
    }
    html = render_many(fragments)
    token = context.get("csrf_token")
    real = str(token) if token is not None else ""
    return {name: mark_safe(text.replace(TOKEN_PLACEHOLDER, real)) for name, text in html.items()}  # noqa: S308
