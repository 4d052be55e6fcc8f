"""What changed between two versions of a clause: a character diff for side-by-side display.

Japanese has no spaces between words, so the diff is by character (``difflib`` with its
junk heuristic off, which would otherwise ignore the commonest characters of long clauses).
The result is a list of segments per side — unchanged, deleted (old side) or inserted (new
side) — that the template writes as text, ``<del>`` and ``<ins>``: the texts are never joined
into markup, so they are escaped like any other document text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Op = Literal["same", "del", "ins"]


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class Diff:
    old: list[Segment]
    new: list[Segment]
    ratio: float  # 1.0 for equal texts


def _push(side: list[Segment], op: Op, text: str) -> None:
    if not text:
        return
    if side and side[-1].op == op:
        side[-1] = Segment(op, side[-1].text + text)
    else:
        side.append(Segment(op, text))


def char_diff(old: str, new: str) -> Diff:
    """The two texts as segments: ``old`` with its deletions, ``new`` with its insertions."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _push(left, "same", old[i1:i2])
            _push(right, "same", new[j1:j2])
        else:
            _push(left, "del", old[i1:i2])
            _push(right, "ins", new[j1:j2])
    return Diff(left, right, round(matcher.ratio(), 3))
