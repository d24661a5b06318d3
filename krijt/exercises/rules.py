"""Pure rules of practice: mastery, how long one sitting lasts, and which week an attempt is filed under.

The same mastery rule runs on the pupil's device (static/exercises/practice.js), which decides when a sitting
ends, and in the worker that keeps the dashboard, which decides it again from the scored answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_RULE = (4, 5)
MAX_N = 20
# A sitting ends at mastery, when the pupil stops, or after this many answers: practice is not endless.
SITTING_FACTOR = 3


@dataclass(frozen=True)
class Rule:
    """Mastered when at least `m` of the last `n` answers were correct."""

    m: int
    n: int

    def valid(self) -> bool:
        return 1 <= self.m <= self.n <= MAX_N


def mastered(rule: Rule, results: Sequence[bool]) -> bool:
    last = list(results[-rule.n:])
    return sum(1 for r in last if r) >= rule.m


def first_mastery(rule: Rule, results: Sequence[bool]) -> int | None:
    """How many answers it took to reach mastery (1-based), or None."""
    for i in range(1, len(results) + 1):
        if mastered(rule, results[:i]):
            return i
    return None


def sitting_limit(rule: Rule, pool: int) -> int:
    """The most answers one sitting asks: enough to reach mastery after a bad start, never endless."""
    return max(SITTING_FACTOR * rule.n, pool + rule.n)


def week_of(moment: dt.datetime) -> dt.date:
    """The Monday (UTC) of the week an attempt finished in: the partition it is filed under."""
    day = moment.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def rule_history_has(history: Sequence[Sequence[int]], rule: Rule) -> bool:
    """Whether a snapshot sent by a device is a rule this assignment had (a device may have started before the
    teacher changed it: its snapshot holds for that sitting)."""
    return any(list(entry[:2]) == [rule.m, rule.n] for entry in history)
