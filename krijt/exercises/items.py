"""Item types of exercises: how a teacher writes each one, how it is stored, and how an answer is scored.

Pure: no database, no clock. The same scoring runs on the pupil's device (static/exercises/scoring.js) for
immediate feedback and in the worker that keeps the teacher's dashboard (`score`), and both are tested on one
table of cases (tests/scoring_cases.json).

A teacher writes an item as a prompt and a few lines (the "source"); `parse` turns these into the stored body
and `source_of` gives the lines back for editing:

- single / multiple choice: one option per line, the correct one(s) marked with a leading `*`;
- true/false: `true` or `false` (also juist/fout, waar/niet waar, vrai/faux, ja/nee, oui/non, yes/no);
- text entry: the accepted answers, one per line (case and spaces do not count, accents do);
- numeric entry: a number and an optional tolerance, `3,5 ± 0,1` or `3.5 +- 0.1` (a decimal comma or point);
- inline choice: a sentence with dropdowns written `[*Brussel|Antwerpen|Gent]`, the correct option marked;
- gap match: a sentence with gaps written `[hond]`, and optionally a last line `+ koe, paard` of extra words;
- order: the lines in their correct order (the pupil sees them shuffled);
- match: one pair per line, `3 × 4 = 12`; a line `= 15` adds an extra answer that belongs to nothing.

An answer (the "response") is: the option's index (single), a list of indices (multiple), a boolean
(true/false), the typed text (text, numeric), a list of option indices per dropdown (inline), a list of words per
gap (gap match), the canonical indices in the pupil's order (order), and per left-hand side the index of the
chosen right-hand side in `rights(body)` (match). Scoring is all or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    TEXT = "text"
    NUMERIC = "numeric"
    INLINE = "inline"
    GAPMATCH = "gapmatch"
    ORDER = "order"
    MATCH = "match"


KIND_LABELS = {
    Kind.SINGLE: _("Single choice"),
    Kind.MULTIPLE: _("Multiple choice"),
    Kind.TRUEFALSE: _("True or false"),
    Kind.TEXT: _("Text entry"),
    Kind.NUMERIC: _("Numeric entry"),
    Kind.INLINE: _("Choice in a sentence"),
    Kind.GAPMATCH: _("Words in gaps"),
    Kind.ORDER: _("Put in order"),
    Kind.MATCH: _("Match pairs"),
}

MAX_LINES = 20
MAX_TEXT = 300
MAX_GAPS = 10

_TRUE_WORDS = {"true", "juist", "waar", "vrai", "ja", "oui", "yes", "correct", "j", "w"}
_FALSE_WORDS = {"false", "fout", "niet waar", "onwaar", "faux", "nee", "non", "no", "f"}
_GAP_RE = re.compile(r"\[([^\[\]]*)\]")
_SPACES_RE = re.compile(r"\s+")
_TOLERANCE_RE = re.compile(r"\s*(?:±|\+/-|\+-)\s*")


class ItemError(ValueError):
    """The source of an item cannot be read; the message says what to change."""


# ---------------------------------------------------------------- normalisation


def normalise_text(value: str) -> str:
    """What text entry compares: Unicode NFC, spaces collapsed and trimmed, lower case (as the device does it).
    Accents count."""
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFC", value or "")).strip().lower()


def parse_number(value: str) -> Decimal | None:
    """A number as typed: a decimal comma or point, spaces (also narrow and non-breaking) ignored, an optional
    sign. None when it is not one number ("1.000,5", "3,5,2" and "abc" are not)."""
    text = re.sub(r"[\s\u00a0\u202f]", "", value or "")
    text = text.replace("\u2212", "-")  # the minus sign
    if text.count(",") + text.count(".") > 1:
        return None
    text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def format_number(value: Decimal | str, *, comma: bool = True) -> str:
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if comma else text


# ---------------------------------------------------------------- reading what a teacher wrote


def _lines(source: str) -> list[str]:
    lines = [line.strip() for line in (source or "").replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) > MAX_LINES:
        raise ItemError(_("Write at most %(n)d lines.") % {"n": MAX_LINES})
    for line in lines:
        if len(line) > MAX_TEXT:
            raise ItemError(_("A line may be at most %(n)d characters long.") % {"n": MAX_TEXT})
    return lines


def _marked(lines: list[str]) -> tuple[list[str], list[int]]:
    texts, correct = [], []
    for i, line in enumerate(lines):
        text = line
        if text.startswith("*"):
            correct.append(i)
            text = text[1:].strip()
        if not text:
            raise ItemError(_("An option is empty."))
        texts.append(text)
    return texts, correct


def _sentence(source: str) -> tuple[str, list[str], list[str]]:
    """The sentence of an inline or gap item, split at its [gaps]: (sentence lines, parts, gap contents)."""
    text = (source or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT * 4:
        raise ItemError(_("The sentence is too long."))
    gaps = _GAP_RE.findall(text)
    if not gaps:
        raise ItemError(_("Write at least one gap in square brackets, like [word]."))
    if len(gaps) > MAX_GAPS:
        raise ItemError(_("Write at most %(n)d gaps.") % {"n": MAX_GAPS})
    parts = _GAP_RE.split(text)[::2]
    return text, parts, gaps


def parse(kind: str, source: str) -> dict[str, Any]:
    """The stored body of an item from its source; ItemError says what is wrong."""
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        options, correct = _marked(_lines(source))
        if len(options) < 2:
            raise ItemError(_("Write at least two options, one per line."))
        if kind == Kind.SINGLE and len(correct) != 1:
            raise ItemError(_("Mark exactly one option as correct with a * in front of it."))
        if kind == Kind.MULTIPLE and not correct:
            raise ItemError(_("Mark the correct options with a * in front of them."))
        return {"options": options, "correct": correct[0] if kind == Kind.SINGLE else correct}
    if kind == Kind.TRUEFALSE:
        word = normalise_text(source)
        if word in _TRUE_WORDS:
            return {"correct": True}
        if word in _FALSE_WORDS:
            return {"correct": False}
        raise ItemError(_("Write true or false."))
    if kind == Kind.TEXT:
        accepted = _lines(source)
        if not accepted:
            raise ItemError(_("Write the accepted answers, one per line."))
        return {"accepted": accepted}
    if kind == Kind.NUMERIC:
        lines = _lines(source)
        if len(lines) != 1:
            raise ItemError(_("Write one number, optionally with a tolerance: 3,5 ± 0,1."))
        value_text, _sep, tolerance_text = _TOLERANCE_RE.sub("±", lines[0]).partition("±")
        value = parse_number(value_text)
        tolerance = parse_number(tolerance_text) if tolerance_text.strip() else Decimal(0)
        if value is None:
            raise ItemError(_("The answer is not a number."))
        if tolerance is None or tolerance < 0:
            raise ItemError(_("The tolerance is not a positive number."))
        return {"value": format_number(value, comma=False), "tolerance": format_number(tolerance, comma=False)}
    if kind == Kind.INLINE:
        _text, parts, gaps = _sentence(source)
        choices = []
        for gap in gaps:
            options, correct = _marked([o.strip() for o in gap.split("|")])
            if len(options) < 2 or len(correct) != 1:
                raise ItemError(_("Each [gap] needs options split by |, one marked with *: [*yes|no]."))
            choices.append({"options": options, "correct": correct[0]})
        return {"parts": parts, "gaps": choices}
    if kind == Kind.GAPMATCH:
        raw = (source or "").replace("\r\n", "\n").strip()
        extra: list[str] = []
        head, _sep, tail = raw.rpartition("\n")
        if head and tail.strip().startswith("+"):
            extra = [w.strip() for w in tail.strip()[1:].split(",") if w.strip()]
            raw = head
        _text, parts, gaps = _sentence(raw)
        answers = [g.strip() for g in gaps]
        if not all(answers):
            raise ItemError(_("A gap is empty: write its word between the brackets."))
        words = sorted(set(answers) | set(extra), key=str.casefold)
        return {"parts": parts, "answers": answers, "words": words}
    if kind == Kind.ORDER:
        lines = _lines(source)
        if len(lines) < 2:
            raise ItemError(_("Write at least two lines, in their correct order."))
        return {"lines": lines}
    if kind == Kind.MATCH:
        pairs, extra = [], []
        for line in _lines(source):
            left, sep, right = line.rpartition("=")
            left, right = left.strip(), right.strip()
            if not sep or not right:
                raise ItemError(_("Write one pair per line: left = right."))
            if left:
                pairs.append([left, right])
            else:
                extra.append(right)
        if len(pairs) < 2:
            raise ItemError(_("Write at least two pairs, one per line: left = right."))
        return {"pairs": pairs, "extra": extra}
    raise ItemError(_("Unknown item type."))


def source_of(kind: str, body: dict[str, Any]) -> str:
    """The lines a teacher edits, from the stored body (parse(source_of(b)) == b)."""
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        marked = {body["correct"]} if kind == Kind.SINGLE else set(body["correct"])
        return "\n".join(("*" if i in marked else "") + o for i, o in enumerate(body["options"]))
    if kind == Kind.TRUEFALSE:
        return "true" if body["correct"] else "false"
    if kind == Kind.TEXT:
        return "\n".join(body["accepted"])
    if kind == Kind.NUMERIC:
        value = format_number(body["value"])
        return value if Decimal(body["tolerance"]) == 0 else f"{value} ± {format_number(body['tolerance'])}"
    if kind == Kind.INLINE:
        gaps = ["[" + "|".join(("*" if i == g["correct"] else "") + o for i, o in enumerate(g["options"])) + "]"
                for g in body["gaps"]]
        return _join(body["parts"], gaps)
    if kind == Kind.GAPMATCH:
        text = _join(body["parts"], [f"[{a}]" for a in body["answers"]])
        extra = [w for w in body["words"] if w not in body["answers"]]
        return text + ("\n+ " + ", ".join(extra) if extra else "")
    if kind == Kind.ORDER:
        return "\n".join(body["lines"])
    if kind == Kind.MATCH:
        return "\n".join([f"{left} = {right}" for left, right in body["pairs"]] + [f"= {e}" for e in body["extra"]])
    raise ItemError(_("Unknown item type."))


def _join(parts: Sequence[str], gaps: Sequence[str]) -> str:
    out = [parts[0]]
    for gap, part in zip(gaps, parts[1:], strict=True):
        out += [gap, part]
    return "".join(out)


def rights(body: dict[str, Any]) -> list[str]:
    """The right-hand sides of a match item in their canonical order: the pairs', then the extra ones."""
    return [right for _left, right in body["pairs"]] + list(body["extra"])


# ---------------------------------------------------------------- scoring


def _index_list(value: Any, length: int) -> list[int] | None:
    if not isinstance(value, list) or len(value) != length:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    return value


def score(kind: str, body: dict[str, Any], response: Any) -> bool:
    """Whether a response is correct. A response of the wrong shape is wrong, never an error."""
    if kind == Kind.SINGLE:
        return isinstance(response, int) and not isinstance(response, bool) and response == body["correct"]
    if kind == Kind.MULTIPLE:
        if not isinstance(response, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                     for v in response):
            return False
        return sorted(set(response)) == sorted(body["correct"]) and len(response) == len(set(response))
    if kind == Kind.TRUEFALSE:
        return isinstance(response, bool) and response == body["correct"]
    if kind == Kind.TEXT:
        if not isinstance(response, str):
            return False
        given = normalise_text(response)
        return bool(given) and any(given == normalise_text(a) for a in body["accepted"])
    if kind == Kind.NUMERIC:
        if not isinstance(response, str):
            return False
        number = parse_number(response)
        return number is not None and abs(number - Decimal(body["value"])) <= Decimal(body["tolerance"])
    if kind == Kind.INLINE:
        chosen = _index_list(response, len(body["gaps"]))
        return chosen is not None and all(c == g["correct"] for c, g in zip(chosen, body["gaps"], strict=True))
    if kind == Kind.GAPMATCH:
        answers = body["answers"]
        if not isinstance(response, list) or len(response) != len(answers):
            return False
        return all(isinstance(w, str) and w == a for w, a in zip(response, answers, strict=True))
    if kind == Kind.ORDER:
        lines = body["lines"]
        order = _index_list(response, len(lines))
        if order is None or sorted(order) != list(range(len(lines))):
            return False
        return [lines[i] for i in order] == lines
    if kind == Kind.MATCH:
        sides = rights(body)
        chosen = _index_list(response, len(body["pairs"]))
        if chosen is None or not all(0 <= c < len(sides) for c in chosen):
            return False
        return all(sides[c] == right for c, (_left, right) in zip(chosen, body["pairs"], strict=True))
    return False


def correct_response(kind: str, body: dict[str, Any]) -> Any:
    """A response that scores as correct (shown after a wrong answer, and used by tests)."""
    if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUEFALSE):
        return body["correct"]
    if kind == Kind.TEXT:
        return body["accepted"][0]
    if kind == Kind.NUMERIC:
        return format_number(body["value"])
    if kind == Kind.INLINE:
        return [g["correct"] for g in body["gaps"]]
    if kind == Kind.GAPMATCH:
        return list(body["answers"])
    if kind == Kind.ORDER:
        return list(range(len(body["lines"])))
    if kind == Kind.MATCH:
        return list(range(len(body["pairs"])))
    raise ItemError(_("Unknown item type."))
