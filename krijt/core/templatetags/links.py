"""`{% link 'name' key=value %}`: `{% url %}` for the pages every request renders (the shell, Today),
remembered per school prefix (krijt.core.nav.cached_reverse): working out a path costs more than
rendering it, and these are the same on every request."""

from __future__ import annotations

from typing import Any

from django import template

from krijt.core.nav import cached_reverse

register = template.Library()


@register.simple_tag
def link(viewname: str, **kwargs: Any) -> str:
    return cached_reverse(viewname, **kwargs)
