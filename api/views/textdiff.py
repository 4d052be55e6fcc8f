"""What changed between two versions of a text: a character diff, for the pages and the API.

Japanese has no spaces between words, so the diff is by character (``difflib`` with its
junk heuristic off, which would otherwise ignore the commonest characters of long clauses).
:func:`char_diff` gives one list of segments in reading order — ``equal``, ``delete`` (only in
the old text), ``insert`` (only in the new one) — so that the old text is its equal and delete
segments joined, and the new text its equal and insert segments. The JSON API gives that list
as it is (:func:`text_diff`); a page shows the two sides (:attr:`Diff.old`, :attr:`Diff.new`),
whose segments the template writes as text, ``<del>`` and ``<ins>``: the texts are never
joined into markup, so they are escaped like any other document text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from api.views import models as m

Op = Literal["equal", "delete", "insert"]


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class Diff:
    segments: list[Segment]
    """In reading order (see the module doc)."""
    ratio: float  # 1.0 for equal texts

    @property
    def old(self) -> list[Segment]:
        """The old text: its unchanged and deleted segments."""
        return _side(s for s in self.segments if s.op != "insert")

    @property
    def new(self) -> list[Segment]:
        """The new text: its unchanged and inserted segments."""
        return _side(s for s in self.segments if s.op != "delete")

    @classmethod
    def of(cls, diff: m.TextDiff) -> Diff:
        """The diff the API gives (:func:`text_diff`) back as one for a page."""
        return cls([Segment(s.op, s.text) for s in diff.segments], diff.similarity)


def _side(segments: Iterable[Segment]) -> list[Segment]:
    side: list[Segment] = []
    for s in segments:
        _push(side, s.op, s.text)
    return side


def _push(side: list[Segment], op: Op, text: str) -> None:
    if not text:
        return
    if side and side[-1].op == op:
        side[-1] = Segment(op, side[-1].text + text)
    else:
        side.append(Segment(op, text))


def char_diff(old: str, new: str) -> Diff:
    """The character differences from ``old`` to ``new``."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _push(segments, "equal", old[i1:i2])
        else:
            _push(segments, "delete", old[i1:i2])
            _push(segments, "insert", new[j1:j2])
    return Diff(segments, round(matcher.ratio(), 3))


def text_diff(old: str, new: str) -> m.TextDiff:
    """:func:`char_diff` as the JSON API gives it."""
    diff = char_diff(old, new)
    return m.TextDiff(
        segments=[m.TextSegment(op=s.op, text=s.text) for s in diff.segments],
        similarity=diff.ratio,
    )
