"""Item types: what a teacher writes becomes a body and back, every type scores as the device scores it (one
table of cases for both), numeric tolerance and text normalisation hold for any input (property tests), and the
mastery rule."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krijt.exercises import items, rules
from krijt.exercises.items import ItemError, Kind

CASES = json.loads((Path(__file__).parent / "scoring_cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['kind']}-{json.dumps(c['response'])}")
def test_scoring_table(case: dict) -> None:
    assert items.score(case["kind"], case["body"], case["response"]) is case["correct"]


def test_every_kind_is_in_the_table() -> None:
    assert {c["kind"] for c in CASES} == {k.value for k in Kind}


SOURCES = {
    Kind.SINGLE: "2\n*3\n4",
    Kind.MULTIPLE: "*even\noneven\n*deelbaar door 2",
    Kind.TRUEFALSE: "fout",
    Kind.TEXT: "Brussel\nBruxelles",
    Kind.NUMERIC: "3,5 ± 0,05",
    Kind.INLINE: "[*Brussel|Gent] is de hoofdstad van [Frankrijk|*België].",
    Kind.GAPMATCH: "Een [hond] blaft, een [kat] miauwt.\n+ koe, paard",
    Kind.ORDER: "een\ntwee\ndrie",
    Kind.MATCH: "3 × 4 = 12\n5 × 3 = 15\n= 16",
}


@pytest.mark.parametrize("kind", list(Kind))
def test_source_round_trip_and_correct_response(kind: Kind) -> None:
    body = items.parse(kind, SOURCES[kind])
    assert items.parse(kind, items.source_of(kind, body)) == body
    assert items.score(kind, body, items.correct_response(kind, body))


def test_parsed_bodies() -> None:
    assert items.parse(Kind.SINGLE, SOURCES[Kind.SINGLE]) == {"options": ["2", "3", "4"], "correct": 1}
    assert items.parse(Kind.TRUEFALSE, "Juist") == {"correct": True}
    assert items.parse(Kind.NUMERIC, "3,5 ± 0,05") == {"value": "3.5", "tolerance": "0.05"}
    assert items.parse(Kind.NUMERIC, "12") == {"value": "12", "tolerance": "0"}
    gap = items.parse(Kind.GAPMATCH, SOURCES[Kind.GAPMATCH])
    assert gap == {"parts": ["Een ", " blaft, een ", " miauwt."], "answers": ["hond", "kat"],
                   "words": ["hond", "kat", "koe", "paard"]}
    assert items.parse(Kind.MATCH, SOURCES[Kind.MATCH]) == {"pairs": [["3 × 4", "12"], ["5 × 3", "15"]],
                                                             "extra": ["16"]}
    inline = items.parse(Kind.INLINE, SOURCES[Kind.INLINE])
    assert inline["gaps"] == [{"options": ["Brussel", "Gent"], "correct": 0},
                              {"options": ["Frankrijk", "België"], "correct": 1}]


@pytest.mark.parametrize(("kind", "source", "says"), [
    (Kind.SINGLE, "2\n3", "Mark exactly one"),
    (Kind.SINGLE, "*2\n*3", "Mark exactly one"),
    (Kind.SINGLE, "*2", "at least two"),
    (Kind.MULTIPLE, "a\nb", "Mark the correct"),
    (Kind.TRUEFALSE, "misschien", "true or false"),
    (Kind.TEXT, "  ", "accepted answers"),
    (Kind.NUMERIC, "drie", "not a number"),
    (Kind.NUMERIC, "3 ± -1", "tolerance"),
    (Kind.NUMERIC, "3\n4", "one number"),
    (Kind.INLINE, "Geen gaten hier.", "at least one gap"),
    (Kind.INLINE, "Kies [a|b].", "one marked with *"),
    (Kind.GAPMATCH, "Een [] blaft.", "empty"),
    (Kind.ORDER, "alleen", "at least two"),
    (Kind.MATCH, "a = 1\nb", "left = right"),
    (Kind.MATCH, "a = 1", "at least two pairs"),
    ("essay", "x", "Unknown"),
])
def test_what_a_teacher_is_told(kind: str, source: str, says: str) -> None:
    with pytest.raises(ItemError, match=says):
        items.parse(kind, source)


def test_limits() -> None:
    with pytest.raises(ItemError, match="at most 20 lines"):
        items.parse(Kind.ORDER, "\n".join(str(i) for i in range(21)))
    with pytest.raises(ItemError, match="at most 300"):
        items.parse(Kind.TEXT, "x" * 301)


# ---------------------------------------------------------------- properties


decimals = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=3,
                       allow_nan=False, allow_infinity=False)
tolerances = st.decimals(min_value=Decimal(0), max_value=Decimal("100"), places=3, allow_nan=False,
                         allow_infinity=False)


def typed(value: Decimal, comma: bool) -> str:
    return items.format_number(value, comma=comma)


@given(decimals, tolerances, st.booleans())
def test_numeric_accepts_everything_within_the_tolerance(value: Decimal, tolerance: Decimal, comma: bool) -> None:
    body = items.parse(Kind.NUMERIC, f"{typed(value, True)} ± {typed(tolerance, True)}")
    for answer in (value, value + tolerance, value - tolerance):
        assert items.score(Kind.NUMERIC, body, typed(answer, comma))


@given(decimals, tolerances, st.booleans())
def test_numeric_refuses_anything_beyond_the_tolerance(value: Decimal, tolerance: Decimal, comma: bool) -> None:
    body = items.parse(Kind.NUMERIC, f"{typed(value, False)} ± {typed(tolerance, False)}")
    step = Decimal("0.001")
    for answer in (value + tolerance + step, value - tolerance - step):
        assert not items.score(Kind.NUMERIC, body, typed(answer, comma))


@given(decimals)
def test_a_decimal_comma_and_point_read_alike(value: Decimal) -> None:
    assert items.parse_number(typed(value, True)) == items.parse_number(typed(value, False)) == value


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
       st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0", "\n"]), min_size=1, max_size=3))
def test_text_ignores_case_and_spaces(answer: str, spaces: list[str]) -> None:
    if not items.normalise_text(answer):
        return
    body = {"accepted": [answer]}
    padded = spaces[0] + answer.upper().replace(" ", "".join(spaces)) + spaces[-1]
    assert items.normalise_text(padded) == items.normalise_text(answer.upper())
    assert items.score(Kind.TEXT, body, answer.lower().strip()) == (
        items.normalise_text(answer.lower()) == items.normalise_text(answer))


@given(st.text(min_size=1, max_size=30))
def test_text_is_idempotent_to_normalise(answer: str) -> None:
    once = items.normalise_text(answer)
    assert items.normalise_text(once) == once


# ---------------------------------------------------------------- mastery


def test_mastery_is_m_of_the_last_n() -> None:
    rule = rules.Rule(4, 5)
    assert not rules.mastered(rule, [True, True, True])
    assert rules.mastered(rule, [True, True, True, True])
    assert rules.mastered(rule, [False, True, True, False, True, True])
    assert not rules.mastered(rule, [True, True, True, True, False, False])
    assert rules.first_mastery(rule, [False, True, True, True, True]) == 5
    assert rules.first_mastery(rule, [False, False]) is None


@given(st.integers(1, 20), st.integers(1, 20), st.lists(st.booleans(), max_size=60))
def test_mastery_looks_only_at_the_last_n(m: int, n: int, results: list[bool]) -> None:
    if m > n:
        m, n = n, m
    rule = rules.Rule(m, n)
    assert rules.mastered(rule, results) == (sum(results[-n:]) >= m)
    assert rules.mastered(rule, [False] * 30 + results) == rules.mastered(rule, results)
    assert rules.sitting_limit(rule, 10) >= n


def test_rules_valid() -> None:
    assert rules.Rule(4, 5).valid()
    assert not rules.Rule(6, 5).valid()
    assert not rules.Rule(0, 5).valid()
    assert not rules.Rule(5, 21).valid()
