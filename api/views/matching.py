"""How search matches text: NFKC and lower case character by character, white space ignored;
and which characters a text must contain to match, so the store can skip the rest.

Search keeps texts as published and compares their normalized form (:func:`normalized`) with
normalized terms (:func:`search_terms`). Normalizing is per character, so whether a normalized
text holds a character ``c`` depends only on which characters the published text holds: it
does exactly when the text holds one of :func:`sources` ``(c)``, the characters whose own
normalization contains ``c`` (``カ`` for ``ｶ``, ``一`` for the Kangxi radical ``⼀``, ``a`` for
``Ａ``). :func:`prefilter` turns that into conditions a SPARQL ``FILTER`` can check with
``CONTAINS`` on the published text: a text that fails them cannot match, so at 1000 bodies
the store passes on a few rows instead of every clause text (33 s of Python scoring).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import cache

CHANGING_BELOW = 0x30000
"""Every character whose normalization differs from itself is below this code point (planes
0–2; tests/api/views/test_matching.py scans all of Unicode to check it), so only those are
scanned."""

PREFILTER_CHARACTERS = 3
"""How many characters of the terms the store is asked to look for: those with the fewest
sources (an ideograph has one to three, a kana about seven, a Latin letter or digit dozens)."""

PREFILTER_SOURCES = 8
"""Characters with more sources than this are not looked for: each source is one ``CONTAINS``
per text, and such a common character rejects few texts (on the J-LIS data, looking for
``ー``'s 32 forms made a search of カード half again as slow as scoring every text)."""


def normalize(char: str) -> str:
    """One character as search compares it: NFKC, lower case, without white space."""
    return "".join(n for n in unicodedata.normalize("NFKC", char).lower() if not n.isspace())


def normalized(text: str) -> tuple[str, list[int]]:
    """``text`` normalized (:func:`normalize`, character by character), with the index in
    ``text`` of each character of the result (to cut snippets from the text as published)."""
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        for n in normalize(c):
            chars.append(n)
            where.append(i)
    return "".join(chars), where


def search_terms(query: str) -> list[str]:
    """The terms of a search: split at white space (full-width too), normalized, distinct."""
    terms = []
    for part in unicodedata.normalize("NFKC", query).split():
        term = normalized(part)[0]
        if term and term not in terms:
            terms.append(term)
    return terms


@cache
def _changed() -> dict[str, frozenset[str]]:
    """For each character, the other characters whose normalization contains it (0.1 s, once
    per process)."""
    found: dict[str, set[str]] = defaultdict(set)
    for code in range(CHANGING_BELOW):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        norm = normalize(char)
        if norm != char:
            for n in norm:
                found[n].add(char)
    return {c: frozenset(s) for c, s in found.items()}


def sources(char: str) -> frozenset[str]:
    """Every character whose normalization contains ``char`` (possibly ``char`` itself)."""
    own = {char} if char in normalize(char) else set()
    return _changed().get(char, frozenset()) | own


def prefilter(terms: list[str], most: int = PREFILTER_CHARACTERS) -> list[list[str]] | None:
    """What a published text must contain to match every term: for each of at most ``most``
    characters of the terms (with at most :data:`PREFILTER_SOURCES` sources), the characters
    of which it must hold one (sorted; no groups: nothing to look for). None when no text can
    match (a character nothing normalizes to)."""
    chars = sorted({c for t in terms for c in t}, key=lambda c: (len(sources(c)), c))
    if chars and not sources(chars[0]):
        return None
    return [sorted(sources(c)) for c in chars[:most] if len(sources(c)) <= PREFILTER_SOURCES]
