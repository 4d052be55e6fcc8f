"""Search matching (api/matching.py): the prefilter the store applies never drops a text that
matches, and it does drop texts that cannot."""

from __future__ import annotations

import random
import sys
import unicodedata

from api.views import matching
from api.views.search import _score


def test_every_changing_character_is_scanned() -> None:
    """Only code points below CHANGING_BELOW are scanned for characters that normalize to
    others: every other code point must normalize to itself."""
    missed = [
        hex(code)
        for code in range(matching.CHANGING_BELOW, sys.maxunicode + 1)
        if matching.normalize(chr(code)) != chr(code)
    ]
    assert missed == []


def test_sources_are_what_normalizes_to_a_character() -> None:
    assert {"カ", "ｶ", "㋕"} <= matching.sources("カ")
    assert {"一", "⼀", "㆒", "㊀"} <= matching.sources("一")
    assert {"a", "A", "ａ", "Ａ"} <= matching.sources("a")
    assert "A" not in matching.sources("A")  # a text holding "A" normalizes to "a"
    assert matching.prefilter(["A"]) is None  # no text normalizes to hold "A"
    assert matching.prefilter(["稼働率"]) == [["働"], ["稼"], sorted(matching.sources("率"))]
    assert matching.prefilter(["ab"]) == []  # dozens of forms each: not looked for


# Characters in several published forms: full and half width, compatibility ideographs,
# radicals, circled and squared forms, upper case, white space.
POOL = "カｶ㋕タﾀ一⼀㊀全角率率稼働aAａＡbB1１①¹ ー－ｰ-\u3000ｺールセンター応答。"


def test_a_text_that_matches_passes_the_prefilter() -> None:
    rng = random.Random(7)
    rejected = 0
    for _ in range(4000):
        text = "".join(rng.choice(POOL) for _ in range(rng.randint(1, 12)))
        norm = matching.normalized(text)[0]
        if len(norm) < 2:
            continue
        start = rng.randrange(len(norm) - 1)
        term = norm[start : start + rng.randint(1, 3)]
        other = "".join(rng.choice(POOL) for _ in range(2))
        for query in (term, f"{term} {other}", unicodedata.normalize("NFKD", term)):
            terms = matching.search_terms(query)
            needed = matching.prefilter(terms)
            passes = needed is not None and all(any(s in text for s in g) for g in needed)
            if _score(text, terms) is not None:
                assert passes, (text, query, needed)
            rejected += not passes
    assert rejected > 1000  # the prefilter does filter
