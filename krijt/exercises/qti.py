"""QTI item packages in and out: QTI 3.0 and 2.x items become Krijt items; an exercise is exported as a QTI 3.0
content package.

Reading is safe by construction: the XML is parsed by defusedxml (no DTDs, entities or external references), a
zip is read within limits (entries, sizes, no paths outside the package), and nothing of a package is ever run
or shown as HTML: every text is taken as text (MathML excepted, which krijt/exercises/render.py sanitises), and
scripts, stylesheets, object and media elements are dropped. What an item holds that Krijt cannot do (an
interaction it does not know, several different interactions in one item, custom scoring) is skipped with a
reason, never half-imported.

QTI 3.0 names elements and attributes in kebab case with a `qti-` prefix (`qti-choice-interaction`,
`response-identifier`); QTI 2.x in camel case (`choiceInteraction`, `responseIdentifier`). Both are read through
one normalised tree in camel case.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET  # only to build XML; parsing goes through defusedxml

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _
from latex2mathml.converter import convert as latex_to_mathml

from krijt.exercises import items as item_types

MAX_ENTRIES = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 60
QTI3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MATHML = "http://www.w3.org/1998/Math/MathML"
_DROPPED = {"script", "style", "object", "embed", "iframe", "audio", "video", "img", "stylesheet",
            "templateDeclaration", "modalFeedback", "feedbackBlock", "feedbackInline", "rubricBlock"}
_INTERACTIONS = {"choiceInteraction", "textEntryInteraction", "inlineChoiceInteraction", "gapMatchInteraction",
                 "orderInteraction", "matchInteraction", "extendedTextInteraction", "associateInteraction",
                 "hotspotInteraction", "hottextInteraction", "sliderInteraction", "uploadInteraction",
                 "drawingInteraction", "graphicGapMatchInteraction", "customInteraction", "portableCustomInteraction",
                 "selectPointInteraction", "positionObjectInteraction", "mediaInteraction",
                 "graphicOrderInteraction", "graphicAssociateInteraction", "endAttemptInteraction"}


class PackageError(ValueError):
    """The file is not a QTI item or package Krijt can read at all."""


@dataclass
class Imported:
    kind: str
    prompt: str
    body: dict[str, Any]
    title: str = ""


@dataclass
class Report:
    items: list[Imported] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file or item, reason)


# ---------------------------------------------------------------- a normalised tree


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node]
    text: str
    tail: str
    raw: Any = None  # the parsed element (for MathML)

    def find(self, tag: str) -> Node | None:
        return next(self.iter(tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            yield from child.iter(tag)


def _camel(name: str) -> str:
    local = name.rsplit("}", 1)[-1]
    if local.startswith("qti-"):
        local = local[4:]
    head, *rest = local.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _normalise(element: Any) -> Node:
    namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
    tag = "math" if namespace == MATHML else _camel(element.tag)
    attrs = {_camel(k): v for k, v in element.attrib.items()}
    children = [] if tag == "math" else [_normalise(c) for c in element]
    return Node(tag, attrs, children, element.text or "", element.tail or "", element if tag == "math" else None)


def _mathml(node: Node) -> str:
    def strip(element: Any) -> Any:
        copy = ET.Element(element.tag.rsplit("}", 1)[-1], {k: v for k, v in element.attrib.items()
                                                           if "}" not in k and k != "xmlns"})
        copy.text, copy.tail = element.text, None
        for child in element:
            stripped = strip(child)
            stripped.tail = child.tail
            copy.append(stripped)
        return copy

    return ET.tostring(strip(node.raw), encoding="unicode")


def _text(node: Node, *, skip: set[str] | None = None, gap: str | None = None, keep_math: bool = True,
          without: Node | None = None) -> str:
    """The text of a node as Krijt keeps it: words, MathML as <math>, paragraphs on their own lines."""
    out: list[str] = []
    skip = skip or set()

    def walk(n: Node, top: bool) -> None:
        if n.tag in _DROPPED or n.tag in skip or n is without:
            pass
        elif n.tag == "math":
            out.append(_mathml(n) if keep_math else "".join(n.raw.itertext()))
        elif gap is not None and n.tag in ("gap", "inlineChoiceInteraction", "textEntryInteraction"):
            out.append(gap)
        else:
            if n.tag in ("p", "div", "li", "br") and out and not out[-1].endswith("\n"):
                out.append("\n")
            out.append(n.text)
            for child in n.children:
                walk(child, False)
            if n.tag in ("p", "div", "li"):
                out.append("\n")
        if not top:
            out.append(n.tail)

    walk(node, True)
    text = "".join(out)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


# ---------------------------------------------------------------- reading


def read_package(data: bytes, name: str = "") -> Report:
    """Items of a QTI package (a zip with imsmanifest.xml) or of one item's XML."""
    report = Report()
    if data[:2] == b"PK":
        for file_name, xml in _zip_items(data):
            _read_file(report, file_name, xml)
    else:
        _read_file(report, name or "item.xml", data)
    if len(report.items) > MAX_ITEMS:
        raise PackageError(_("A package may hold at most %(n)d items.") % {"n": MAX_ITEMS})
    return report


def _zip_items(data: bytes) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageError(_("This is not a readable zip file.")) from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise PackageError(_("This package holds too many files."))
    if sum(e.file_size for e in entries) > MAX_TOTAL_BYTES:
        raise PackageError(_("This package is too large once unpacked."))
    names = {e.filename: e for e in entries if not e.is_dir()}
    wanted: list[str] = []
    manifest = names.get("imsmanifest.xml")
    if manifest is not None:
        tree = _parse(_read_entry(archive, manifest))
        for resource in tree.iter("resource"):
            if "item" in resource.attrs.get("type", "") and resource.attrs.get("href"):
                wanted.append(resource.attrs["href"])
    else:
        wanted = sorted(n for n in names if n.lower().endswith(".xml"))
    found = []
    for href in wanted:
        if href.startswith(("/", "\\")) or ".." in href.replace("\\", "/").split("/"):
            continue
        entry = names.get(href)
        if entry is not None:
            found.append((href, _read_entry(archive, entry)))
    if not found:
        raise PackageError(_("This package holds no QTI items."))
    return found


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    if entry.file_size > MAX_FILE_BYTES:
        raise PackageError(_("A file in this package is too large."))
    with archive.open(entry) as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PackageError(_("A file in this package is too large."))
    return data


def _parse(data: bytes) -> Node:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except Exception:
        raise PackageError(_("A file of this package is not well-formed XML.")) from None
    return _normalise(root)


def _read_file(report: Report, name: str, data: bytes) -> None:
    try:
        root = _parse(data)
    except PackageError as error:
        report.skipped.append((name, str(error)))
        return
    if root.tag != "assessmentItem":
        report.skipped.append((name, _("Not a QTI item.")))
        return
    try:
        report.items.append(read_item(root))
    except item_types.ItemError as error:
        report.skipped.append((root.attrs.get("title") or name, str(error)))


def _declarations(root: Node) -> dict[str, dict[str, Any]]:
    found = {}
    for decl in root.iter("responseDeclaration"):
        correct = decl.find("correctResponse")
        mapping = decl.find("mapping")
        found[decl.attrs.get("identifier", "")] = {
            "base": decl.attrs.get("baseType", ""),
            "correct": [v.text.strip() for v in correct.findall("value")] if correct else [],
            "mapped": [(e.attrs.get("mapKey", ""), e.attrs.get("mappedValue", "0"))
                       for e in mapping.findall("mapEntry")] if mapping else [],
        }
    return found


def _unsupported(why: str) -> item_types.ItemError:
    return item_types.ItemError(why)


def read_item(root: Node) -> Imported:
    body = root.find("itemBody")
    if body is None:
        raise _unsupported(_("The item has no body."))
    declarations = _declarations(root)
    interactions = [n for n in body.iter() if n.tag in _INTERACTIONS]
    kinds = {n.tag for n in interactions}
    title = root.attrs.get("title", "")
    if not interactions:
        raise _unsupported(_("The item asks nothing Krijt can score."))
    if len(kinds) > 1 or (len(interactions) > 1 and kinds != {"inlineChoiceInteraction"}):
        raise _unsupported(_("Krijt reads one question per item."))
    interaction = interactions[0]
    declaration = declarations.get(interaction.attrs.get("responseIdentifier", ""), {})
    correct: list[str] = declaration.get("correct", [])
    tag = interaction.tag

    def prompt_of(*, exclude_interaction: bool = True) -> str:
        prompt = interaction.find("prompt")
        if prompt is not None:
            return _text(prompt)
        skip = set(_INTERACTIONS) if exclude_interaction else set()
        return _text(body, skip=skip)

    if tag == "choiceInteraction":
        choices = list(interaction.iter("simpleChoice"))
        ids = [c.attrs.get("identifier", "") for c in choices]
        options = [_text(c) for c in choices]
        chosen = [ids.index(c) for c in correct if c in ids]
        if not chosen or len(options) < 2:
            raise _unsupported(_("The item has no correct answer Krijt can read."))
        single = interaction.attrs.get("maxChoices", "1") == "1" and len(chosen) == 1
        if single:
            return Imported(item_types.Kind.SINGLE, prompt_of(), {"options": options, "correct": chosen[0]}, title)
        return Imported(item_types.Kind.MULTIPLE, prompt_of(), {"options": options, "correct": sorted(chosen)}, title)
    if tag == "textEntryInteraction":
        base = declaration.get("base", "string")
        if base in ("float", "integer"):
            if not correct:
                raise _unsupported(_("The item has no correct answer Krijt can read."))
            value = item_types.parse_number(correct[0])
            if value is None:
                raise _unsupported(_("The item has no correct answer Krijt can read."))
            tolerance = _tolerance(root)
            return Imported(item_types.Kind.NUMERIC, _gapped(body), {
                "value": item_types.format_number(value, comma=False),
                "tolerance": item_types.format_number(tolerance, comma=False)}, title)
        accepted = list(dict.fromkeys(
            [*correct, *[k for k, v in declaration.get("mapped", []) if _positive(v)]]))
        accepted = [a for a in accepted if a.strip()]
        if not accepted:
            raise _unsupported(_("The item has no correct answer Krijt can read."))
        return Imported(item_types.Kind.TEXT, _gapped(body), {"accepted": accepted}, title)
    if tag == "inlineChoiceInteraction":
        holder = _holder(body, interactions)
        parts, gaps = _split(holder, "inlineChoiceInteraction")
        gap_choices: list[dict[str, Any]] = []
        for gap in gaps:
            decl = declarations.get(gap.attrs.get("responseIdentifier", ""), {})
            options_nodes = gap.findall("inlineChoice")
            ids = [o.attrs.get("identifier", "") for o in options_nodes]
            right = [ids.index(c) for c in decl.get("correct", []) if c in ids]
            if len(right) != 1 or len(ids) < 2:
                raise _unsupported(_("The item has no correct answer Krijt can read."))
            gap_choices.append({"options": [_text(o, keep_math=False) for o in options_nodes], "correct": right[0]})
        prompt = _text(body, without=holder) if holder is not body else ""
        return Imported(item_types.Kind.INLINE, prompt or title or "…", {"parts": parts, "gaps": gap_choices}, title)
    if tag == "gapMatchInteraction":
        words = {g.attrs.get("identifier", ""): _text(g, keep_math=False) for g in interaction.iter("gapText")}
        word_of_gap: dict[str, str] = {v.split()[1]: v.split()[0] for v in correct if len(v.split()) == 2}
        parts, gaps = _split(interaction, "gap", skip={"gapText", "prompt"})
        answers = [words.get(word_of_gap.get(g.attrs.get("identifier", ""), ""), "") for g in gaps]
        if not gaps or not all(answers):
            raise _unsupported(_("The item has no correct answer Krijt can read."))
        return Imported(item_types.Kind.GAPMATCH, prompt_of(), {
            "parts": parts, "answers": answers, "words": sorted(set(words.values()), key=str.casefold)}, title)
    if tag == "orderInteraction":
        order_choices = {c.attrs.get("identifier", ""): _text(c) for c in interaction.iter("simpleChoice")}
        lines = [order_choices[c] for c in correct if c in order_choices]
        if len(lines) < 2 or len(lines) != len(order_choices):
            raise _unsupported(_("The item has no correct answer Krijt can read."))
        return Imported(item_types.Kind.ORDER, prompt_of(), {"lines": lines}, title)
    if tag == "matchInteraction":
        sets = list(interaction.iter("simpleMatchSet"))
        if len(sets) != 2:
            raise _unsupported(_("The item has no correct answer Krijt can read."))
        lefts = {c.attrs.get("identifier", ""): _text(c) for c in sets[0].iter("simpleAssociableChoice")}
        rights = {c.attrs.get("identifier", ""): _text(c) for c in sets[1].iter("simpleAssociableChoice")}
        right_of: dict[str, str] = {v.split()[0]: v.split()[1] for v in correct if len(v.split()) == 2}
        if set(right_of) != set(lefts) or not all(r in rights for r in right_of.values()):
            raise _unsupported(_("Krijt reads matches where each left-hand side has one right-hand side."))
        used = set(right_of.values())
        return Imported(item_types.Kind.MATCH, prompt_of(), {
            "pairs": [[text, rights[right_of[left]]] for left, text in lefts.items()],
            "extra": [text for key, text in rights.items() if key not in used]}, title)
    raise _unsupported(_("Krijt cannot score this kind of question (%(kind)s).") % {"kind": tag})


def _gapped(body: Node) -> str:
    """The question around a typed answer: the answer's place shown as "…", unless it ends the question."""
    text = _text(body, gap="…")
    return text[:-1].rstrip() if text.endswith("…") else text


def _positive(value: str) -> bool:
    try:
        return Decimal(value) > 0
    except Exception:
        return False


def _tolerance(root: Node) -> Decimal:
    for equal in root.iter("equal"):
        if equal.attrs.get("toleranceMode", "exact") == "absolute":
            parts = equal.attrs.get("tolerance", "0").split()
            number = item_types.parse_number(parts[0]) if parts else None
            if number is not None and number >= 0:
                return number
    return Decimal(0)


def _holder(body: Node, interactions: list[Node]) -> Node:
    """The smallest element holding every inline interaction (the sentence): their deepest common ancestor,
    found in one walk of the body."""
    parent: dict[int, Node] = {}
    stack = [body]
    while stack:
        node = stack.pop()
        for child in node.children:
            parent[id(child)] = node
            stack.append(child)

    def ancestors(node: Node) -> list[Node]:
        line = []
        while id(node) in parent:
            node = parent[id(node)]
            line.append(node)
        return line

    common = ancestors(interactions[0])
    for other in interactions[1:]:
        theirs = {id(n) for n in ancestors(other)}
        common = [n for n in common if id(n) in theirs]
    return common[0] if common else body


def _split(holder: Node, gap_tag: str, skip: set[str] | None = None) -> tuple[list[str], list[Node]]:
    """The text around each gap of a sentence: parts (one more than gaps) and the gap nodes in order."""
    parts: list[str] = [""]
    gaps: list[Node] = []
    skip = (skip or set()) | _DROPPED

    def walk(n: Node, top: bool) -> None:
        if n.tag == gap_tag:
            gaps.append(n)
            parts.append("")
        elif n.tag in skip:
            pass
        elif n.tag == "math":
            parts[-1] += "".join(n.raw.itertext())
        else:
            if n.tag in ("p", "div", "br") and parts[-1] and not parts[-1].endswith(" "):
                parts[-1] += " "
            parts[-1] += n.text
            for child in n.children:
                walk(child, False)
        if not top:
            parts[-1] += n.tail

    walk(holder, True)
    parts = [re.sub(r"\s+", " ", p) for p in parts]
    parts[0], parts[-1] = parts[0].lstrip(), parts[-1].rstrip()
    return parts, gaps


# ---------------------------------------------------------------- writing (QTI 3.0)


def _q(name: str) -> str:
    return f"{{{QTI3}}}{name}"


def _rich_into(parent: Any, text: str) -> None:
    """Krijt's text (maths as \\(...\\) or <math>) into a QTI element: text and MathML elements."""
    pieces = re.split(r"(\\\(.+?\\\)|<math\b.*?</math>)", text or "", flags=re.DOTALL)
    last: Any = None
    for piece in pieces:
        if not piece:
            continue
        math = None
        if piece.startswith("\\("):
            try:
                math = SafeET.fromstring(latex_to_mathml(piece[2:-2]))
            except Exception:
                math = None
        elif piece.startswith("<math"):
            try:
                math = SafeET.fromstring(piece.replace("<math", f'<math xmlns="{MATHML}"', 1))
            except Exception:
                math = None
        if math is not None:
            parent.append(math)
            last = math
        elif last is None:
            parent.text = (parent.text or "") + piece
        else:
            last.tail = (last.tail or "") + piece


def _p(parent: Any, text: str) -> Any:
    p = ET.SubElement(parent, _q("p"))
    _rich_into(p, text)
    return p


def item_xml(identifier: str, title: str, kind: str, prompt: str, body: dict[str, Any]) -> bytes:
    """One Krijt item as a QTI 3.0 assessment item."""
    ET.register_namespace("", QTI3)
    root = ET.Element(_q("qti-assessment-item"), {"identifier": identifier, "title": title[:200],
                                                  "adaptive": "false", "time-dependent": "false"})
    decl = ET.SubElement(root, _q("qti-response-declaration"), {"identifier": "RESPONSE"})
    correct = ET.SubElement(decl, _q("qti-correct-response"))

    def values(*texts: str) -> None:
        for text in texts:
            ET.SubElement(correct, _q("qti-value")).text = text

    ET.SubElement(ET.SubElement(ET.SubElement(root, _q("qti-outcome-declaration"), {
        "identifier": "SCORE", "cardinality": "single", "base-type": "float"}), _q("qti-default-value")),
        _q("qti-value")).text = "0"
    item_body = ET.SubElement(root, _q("qti-item-body"))
    template = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
    if kind in (item_types.Kind.SINGLE, item_types.Kind.MULTIPLE, item_types.Kind.TRUEFALSE):
        options = body["options"] if kind != item_types.Kind.TRUEFALSE else [_("True"), _("False")]
        right = ([body["correct"]] if kind == item_types.Kind.SINGLE else body["correct"]
                 if kind == item_types.Kind.MULTIPLE else [0 if body["correct"] else 1])
        decl.attrib.update({"cardinality": "single" if kind != item_types.Kind.MULTIPLE else "multiple",
                            "base-type": "identifier"})
        values(*[f"C{i}" for i in right])
        interaction = ET.SubElement(item_body, _q("qti-choice-interaction"), {
            "response-identifier": "RESPONSE", "shuffle": "true",
            "max-choices": "1" if kind != item_types.Kind.MULTIPLE else "0"})
        _rich_into(ET.SubElement(interaction, _q("qti-prompt")), prompt)
        for i, option in enumerate(options):
            _rich_into(ET.SubElement(interaction, _q("qti-simple-choice"), {"identifier": f"C{i}"}), option)
    elif kind == item_types.Kind.TEXT:
        decl.attrib.update({"cardinality": "single", "base-type": "string"})
        values(body["accepted"][0])
        mapping = ET.SubElement(decl, _q("qti-mapping"), {"default-value": "0"})
        for accepted in body["accepted"]:
            ET.SubElement(mapping, _q("qti-map-entry"), {"map-key": accepted, "mapped-value": "1",
                                                         "case-sensitive": "false"})
        _p(item_body, prompt)
        ET.SubElement(ET.SubElement(item_body, _q("p")), _q("qti-text-entry-interaction"),
                      {"response-identifier": "RESPONSE"})
        template = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
    elif kind == item_types.Kind.NUMERIC:
        decl.attrib.update({"cardinality": "single", "base-type": "float"})
        values(body["value"])
        _p(item_body, prompt)
        ET.SubElement(ET.SubElement(item_body, _q("p")), _q("qti-text-entry-interaction"),
                      {"response-identifier": "RESPONSE", "expected-length": "8"})
        template = ""
    elif kind == item_types.Kind.INLINE:
        decl.attrib.update({"cardinality": "single", "base-type": "identifier"})
        root.remove(decl)
        _p(item_body, prompt)
        sentence = ET.SubElement(item_body, _q("p"))
        sentence.text = body["parts"][0]
        for n, (gap, after) in enumerate(zip(body["gaps"], body["parts"][1:], strict=True)):
            gap_decl = ET.Element(_q("qti-response-declaration"), {
                "identifier": f"RESPONSE{n}", "cardinality": "single", "base-type": "identifier"})
            ET.SubElement(ET.SubElement(gap_decl, _q("qti-correct-response")), _q("qti-value")).text = \
                f"G{n}C{gap['correct']}"
            root.insert(n, gap_decl)
            choice = ET.SubElement(sentence, _q("qti-inline-choice-interaction"), {
                "response-identifier": f"RESPONSE{n}", "shuffle": "false"})
            for i, option in enumerate(gap["options"]):
                ET.SubElement(choice, _q("qti-inline-choice"), {"identifier": f"G{n}C{i}"}).text = option
            choice.tail = after
        template = ""
    elif kind == item_types.Kind.GAPMATCH:
        decl.attrib.update({"cardinality": "multiple", "base-type": "directedPair"})
        words = body["words"]
        values(*[f"W{words.index(a)} G{n}" for n, a in enumerate(body["answers"])])
        interaction = ET.SubElement(item_body, _q("qti-gap-match-interaction"), {
            "response-identifier": "RESPONSE", "shuffle": "true"})
        _rich_into(ET.SubElement(interaction, _q("qti-prompt")), prompt)
        for i, word in enumerate(words):
            ET.SubElement(interaction, _q("qti-gap-text"), {"identifier": f"W{i}", "match-max": "0"}).text = word
        sentence = ET.SubElement(interaction, _q("p"))
        sentence.text = body["parts"][0]
        for n, after in enumerate(body["parts"][1:]):
            ET.SubElement(sentence, _q("qti-gap"), {"identifier": f"G{n}"}).tail = after
    elif kind == item_types.Kind.ORDER:
        decl.attrib.update({"cardinality": "ordered", "base-type": "identifier"})
        values(*[f"L{i}" for i in range(len(body["lines"]))])
        interaction = ET.SubElement(item_body, _q("qti-order-interaction"), {
            "response-identifier": "RESPONSE", "shuffle": "true"})
        _rich_into(ET.SubElement(interaction, _q("qti-prompt")), prompt)
        for i, line in enumerate(body["lines"]):
            _rich_into(ET.SubElement(interaction, _q("qti-simple-choice"), {"identifier": f"L{i}"}), line)
    elif kind == item_types.Kind.MATCH:
        decl.attrib.update({"cardinality": "multiple", "base-type": "directedPair"})
        sides = item_types.rights(body)
        values(*[f"A{i} B{i}" for i in range(len(body["pairs"]))])
        interaction = ET.SubElement(item_body, _q("qti-match-interaction"), {
            "response-identifier": "RESPONSE", "shuffle": "true", "max-associations": str(len(body["pairs"]))})
        _rich_into(ET.SubElement(interaction, _q("qti-prompt")), prompt)
        left_set = ET.SubElement(interaction, _q("qti-simple-match-set"))
        for i, (left, _right) in enumerate(body["pairs"]):
            _rich_into(ET.SubElement(left_set, _q("qti-simple-associable-choice"), {
                "identifier": f"A{i}", "match-max": "1"}), left)
        right_set = ET.SubElement(interaction, _q("qti-simple-match-set"))
        for i, right in enumerate(sides):
            _rich_into(ET.SubElement(right_set, _q("qti-simple-associable-choice"), {
                "identifier": f"B{i}", "match-max": "0"}), right)
    else:
        raise item_types.ItemError(_("Unknown item type."))
    if kind == item_types.Kind.NUMERIC:
        processing = ET.SubElement(root, _q("qti-response-processing"))
        condition = ET.SubElement(ET.SubElement(processing, _q("qti-response-condition")), _q("qti-response-if"))
        equal = ET.SubElement(condition, _q("qti-equal"), {"tolerance-mode": "absolute",
                                                           "tolerance": f"{body['tolerance']} {body['tolerance']}"})
        ET.SubElement(equal, _q("qti-variable"), {"identifier": "RESPONSE"})
        ET.SubElement(equal, _q("qti-correct"), {"identifier": "RESPONSE"})
        ET.SubElement(ET.SubElement(condition, _q("qti-set-outcome-value"), {"identifier": "SCORE"}),
                      _q("qti-base-value"), {"base-type": "float"}).text = "1"
    elif template:
        ET.SubElement(root, _q("qti-response-processing"), {"template": template})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def package(title: str, entries: list[tuple[str, str, str, dict[str, Any]]]) -> bytes:
    """A QTI 3.0 content package: imsmanifest.xml and one file per item. entries: (identifier, kind, prompt, body)."""
    buffer = io.BytesIO()
    manifest_ns = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
    ET.register_namespace("", manifest_ns)
    manifest = ET.Element(f"{{{manifest_ns}}}manifest", {"identifier": "krijt-export"})
    ET.SubElement(ET.SubElement(manifest, f"{{{manifest_ns}}}metadata"), f"{{{manifest_ns}}}schema").text = \
        "QTI Package"
    ET.SubElement(manifest, f"{{{manifest_ns}}}organizations")
    resources = ET.SubElement(manifest, f"{{{manifest_ns}}}resources")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for identifier, kind, prompt, body in entries:
            href = f"items/{identifier}.xml"
            archive.writestr(href, item_xml(identifier, title, kind, prompt, body))
            resource = ET.SubElement(resources, f"{{{manifest_ns}}}resource", {
                "identifier": identifier, "type": "imsqti_item_xmlv3p0", "href": href})
            ET.SubElement(resource, f"{{{manifest_ns}}}file", {"href": href})
        archive.writestr("imsmanifest.xml", ET.tostring(manifest, encoding="utf-8", xml_declaration=True))
    return buffer.getvalue()
