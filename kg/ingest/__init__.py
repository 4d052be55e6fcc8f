"""Parsers: one module per document kind, each turning a document's text into records.

Every parser module exposes ``KIND`` (the document kind it reads), ``detect(text) -> bool``
(does this text look like that kind? decided from content, never from the file name) and
``parse(text, doc) -> DocumentRecords`` (``doc`` is the document id from the manifest).

:data:`PARSERS` is the registry :mod:`kg.build` and ``plantrace ingest`` consult, in order: the
first parser whose ``detect`` accepts a text reads it. To add a parser, import its module here
and append it to the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kg.ingest import annual_plan, board, midterm_plan, selfeval_md, selfeval_pdf
from kg.records import DocumentRecords


class Parser(Protocol):
    """What a parser module provides (modules satisfy this protocol structurally)."""

    KIND: str

    def detect(self, text: str) -> bool: ...

    def parse(self, text: str, doc: str) -> DocumentRecords: ...


PARSERS: list[Parser] = [selfeval_md, selfeval_pdf, board, midterm_plan, annual_plan]
"""The registered parser modules, most specific first."""


def parser_for(text: str, parsers: Sequence[Parser] | None = None) -> Parser | None:
    """The first parser (of ``parsers``, default :data:`PARSERS`) that accepts ``text``."""
    candidates = PARSERS if parsers is None else parsers
    return next((p for p in candidates if p.detect(text)), None)


def known_kinds(parsers: Sequence[Parser] | None = None) -> list[str]:
    """The kinds the registered parsers (or ``parsers``) read, for error messages."""
    return [p.KIND for p in (PARSERS if parsers is None else parsers)]
