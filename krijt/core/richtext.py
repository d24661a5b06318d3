"""Rich text (message bodies, announcements) is written in Markdown (or, from older clients and the API,
HTML): only a small safe set of HTML survives.

Markdown (CommonMark, by markdown-it-py) is what the compose page's toolbar writes: **bold**, _italic_,
lists, [links](https://...). A single newline is a line break, as people type. Typed text with no known
tag is Markdown only: any "<geen>" in it stays text. Text with known tags keeps them, and nh3 removes
everything outside the safe set either way.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

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


# What a message needs and nothing more: no headings, code blocks, rules or images ("# 1" stays "# 1").
_UNUSED_RULES = ["heading", "lheading", "code", "fence", "hr", "image", "backticks", "reference"]
_TYPED = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(_UNUSED_RULES)  # any "<" is text
_WITH_TAGS = MarkdownIt("commonmark", {"html": True, "breaks": True}).disable(_UNUSED_RULES)  # tags go to nh3
_NEWLINE_AFTER_TAG_RE = re.compile(r">[ \t]*\n\s*")


def markdown_html(raw: str) -> str:
    """Markdown to (unsafe) HTML; sanitise() is the only caller that may show it."""
    raw = raw.replace("\r\n", "\n")
    renderer = _WITH_TAGS if _TAG_RE.search(raw) else _TYPED
    return renderer.render(raw)


def sanitise(raw: str) -> str:
    """Safe HTML from what the sender wrote: Markdown, or HTML that already has its blocks."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if not _BLOCK_RE.search(raw):
        raw = markdown_html(raw)
    cleaned = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
    cleaned = _NEWLINE_AFTER_TAG_RE.sub(">", cleaned).strip()
    return cleaned if plain_text(cleaned) else ""


def plain_text(safe_html: str) -> str:
    """The words of a sanitised body, for search and for previews."""
    text = _BLOCK_END_RE.sub("\n", safe_html)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
