"""Message bodies are HTML written by people: only a small safe set survives."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "u", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with their content, not only their tags.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}

# Text holding one of these is taken as HTML; any other "<...>" (e.g. "<geen>") is text to escape.
_TAG_RE = re.compile(
    r"<!--|</?(p|br|strong|em|u|ul|ol|li|a|blockquote|b|i|div|span|script|style|img|iframe|svg|math|h[1-6]|"
    r"table|tr|td|th|form|input|button|object|embed|font|code|pre|template|noscript|link|meta|base)\b",
    re.IGNORECASE,
)
_BLOCK_RE = re.compile(r"<(p|br|ul|ol|li|blockquote)\b", re.IGNORECASE)
_BLOCK_END_RE = re.compile(r"</(p|li|blockquote|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_SPACES_RE = re.compile(r"[ \t]+")


def sanitise(raw: str) -> str:
    """Safe HTML from what the sender typed. Plain text (no tags) becomes paragraphs and line breaks."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    has_tags = bool(_TAG_RE.search(raw))
    if not _BLOCK_RE.search(raw):
        # Typed text (perhaps with inline tags): blank lines are paragraphs, newlines are line breaks.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw.replace("\r\n", "\n")) if p.strip()]
        raw = "".join(
            "<p>" + (p if has_tags else html.escape(p)).replace("\n", "<br>") + "</p>" for p in paragraphs
        )
    cleaned = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
    cleaned = cleaned.strip()
    return cleaned if plain_text(cleaned) else ""


def plain_text(safe_html: str) -> str:
    """The words of a sanitised body, for search and for previews."""
    text = _BLOCK_END_RE.sub("\n", safe_html)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
