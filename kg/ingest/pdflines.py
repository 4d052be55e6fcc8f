"""Lines of text extracted from a PDF: the small tools every PDF-text parser needs.

The extraction leaves a blank line between printed lines, breaks sentences at the printed line
ends (and at page ends), indents at random, and prints digits and parentheses in either width.
These helpers keep the printed characters untouched and only decide *where* text is: which
line a piece of text came from, how wide a printed line was, and how broken lines join.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from kg.records import Span
from kg.text import match_key

_ASCII_WORD = re.compile(r"[0-9A-Za-z]")


@dataclass(frozen=True)
class Line:
    """One printed line: its 1-based number in the file and its text without outer blanks."""

    no: int
    text: str


def printed_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text``, stripped of leading and trailing white space."""
    return [
        Line(i, stripped)
        for i, raw in enumerate(text.split("\n"), start=1)
        if (stripped := raw.strip())
    ]


def width(text: str) -> int:
    """Printed width in half-width cells (a full-width character counts 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def join(parts: list[str]) -> str:
    """Join texts cut at printed line ends.

    Japanese has no spaces between words, so pieces are joined as they are; only two ASCII
    words that met at a line end get the space the line break stood for.
    """
    out = ""
    for part in parts:
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]):
            out += " "
        out += part
    return out


def span_of(doc: str, lines: list[Line]) -> Span:
    """The span from the first to the last of ``lines`` (which must not be empty)."""
    return Span(doc, min(x.no for x in lines), max(x.no for x in lines))


class KeyedText:
    """The match keys of a run of lines, concatenated, with a map back to the lines.

    Searching the keys finds a phrase whatever the width of its digits and however the PDF
    broke it into lines; :meth:`line_at` says which line a found position is on.
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.starts: list[int] = []
        keys: list[str] = []
        pos = 0
        for line in lines:
            self.starts.append(pos)
            key = match_key(line.text)
            keys.append(key)
            pos += len(key)
        self.text = "".join(keys)

    def index_at(self, pos: int) -> int:
        """Index (into :attr:`lines`) of the line holding key position ``pos``."""
        return max(0, bisect_right(self.starts, pos) - 1)

    def line_at(self, pos: int) -> Line:
        return self.lines[self.index_at(pos)]

    def end_of(self, index: int) -> int:
        """Key position just after line ``index``."""
        if index + 1 < len(self.starts):
            return self.starts[index + 1]
        return len(self.text)


class CompactText:
    """The printed characters of a run of lines with white space removed, mapped to lines.

    Unlike :class:`KeyedText` nothing is normalised, so what is found here can be returned
    as printed (a law number, a date), only without the spaces the PDF put inside it.
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.starts: list[int] = []
        parts: list[str] = []
        pos = 0
        for line in lines:
            self.starts.append(pos)
            compact = re.sub(r"\s+", "", line.text)
            parts.append(compact)
            pos += len(compact)
        self.text = "".join(parts)

    def line_at(self, pos: int) -> Line:
        return self.lines[max(0, bisect_right(self.starts, pos) - 1)]

    def span(self, doc: str, start: int, end: int) -> Span:
        """The lines holding compact positions ``start`` .. ``end`` (end exclusive)."""
        first = self.line_at(start)
        last = self.line_at(max(start, end - 1))
        return Span(doc, first.no, last.no)
