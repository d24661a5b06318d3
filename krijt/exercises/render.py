"""Text of items as it is shown: plain text, with maths written between \\( and \\) (LaTeX) or as <math> (MathML,
as QTI packages bring it) shown as MathML, which browsers render natively. latex2mathml turns the LaTeX into
MathML; nh3 keeps only MathML's presentation elements (a teacher's `\\text{<script>}` stays harmless text)."""

from __future__ import annotations

import html
import re

import nh3
from latex2mathml.converter import convert

MATH_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot",
    "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose",
}
MATH_ATTRIBUTES = {
    "math": {"display"}, "mo": {"stretchy", "fence", "separator", "lspace", "rspace"}, "mspace": {"width"},
    "mstyle": {"displaystyle", "scriptlevel"}, "mfrac": {"linethickness"}, "mtd": {"columnalign"},
    "menclose": {"notation"}, "mi": {"mathvariant"},
}
_MATH_RE = re.compile(r"\\\((.+?)\\\)|(<math\b.*?</math>)", re.DOTALL | re.IGNORECASE)
MAX_LATEX = 500


def _clean(mathml: str) -> str:
    return nh3.clean(mathml, tags=MATH_TAGS, attributes=MATH_ATTRIBUTES,
                     clean_content_tags={"script", "style", "template", "iframe", "object", "embed", "svg"})


def _math(latex: str) -> str:
    if len(latex) > MAX_LATEX:
        return html.escape(latex)
    try:
        mathml = convert(latex)
    except Exception:  # a formula latex2mathml cannot read is shown as it was typed
        return html.escape(f"\\({latex}\\)")
    return _clean(mathml)


def rich(text: str) -> str:
    """Safe HTML of an item's text: escaped, line breaks kept, maths as MathML."""
    out, last = [], 0
    text = text or ""
    for match in _MATH_RE.finditer(text):
        out.append(_plain(text[last:match.start()]))
        out.append(_math(match.group(1)) if match.group(1) is not None else _clean(match.group(2)))
        last = match.end()
    out.append(_plain(text[last:]))
    return "".join(out)


def _plain(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
