"""The percent bands of a grading rubric's quantitative criterion (評定の基準, 定量的指標).

A criterion is printed as alternatives joined by または, each a conjunction joined by かつ::

    目標を上回る成果
    120％以上達成、または
    100％以上達成、かつ困難度が高いもの

Each alternative that states a percentage becomes one :class:`~kg.records.AchievementBand`:
``N％以上`` is its inclusive minimum, ``N％未満`` its exclusive maximum; a part naming 困難度が
高い makes it hold only for high-difficulty items; any other part joined by かつ (質的に顕著な
成果) is a condition the numbers cannot show, kept as printed. Text before the first percentage
of an alternative is the grade's description, not a condition. Matching runs on the NFKC text
without white space (the PDF breaks lines inside the criterion).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from kg.ingest.quantities import Folded
from kg.records import AchievementBand

_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%(以上|未満)")
_DIFFICULTY = re.compile(r"困難度が高い")
_TRIM = "、。,()（）「」 \n"


def bands_in(criterion: str) -> list[AchievementBand]:
    """The bands ``criterion`` states, in the order printed (none when it states no percent)."""
    folded = Folded.of(criterion)
    text = folded.text
    bands = []
    for start, end in _pieces(text, 0, len(text), "または"):
        bounds: dict[str, Decimal] = {}
        difficulty = False
        requires: list[str] = []
        for n, (c_start, c_end) in enumerate(_pieces(text, start, end, "かつ")):
            part = text[c_start:c_end]
            found = _PERCENT.findall(part)
            for number, word in found:
                bounds[word] = Decimal(number)
            if _DIFFICULTY.search(part):
                difficulty = True
            elif not found and n > 0:
                requires.append(_published(folded, criterion, c_start, c_end))
        if bounds:
            bands.append(
                AchievementBand(
                    bounds.get("以上"), bounds.get("未満"), difficulty, "、".join(requires) or None
                )
            )
    return bands


def _pieces(text: str, start: int, end: int, word: str) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` split at ``word``, as (start, end) offsets without the word."""
    at = start
    for m in re.finditer(re.escape(word), text[start:end]):
        yield at, start + m.start()
        at = start + m.end()
    yield at, end


def _published(folded: Folded, original: str, start: int, end: int) -> str:
    while start < end and folded.text[start] in _TRIM:
        start += 1
    while end > start and folded.text[end - 1] in _TRIM:
        end -= 1
    return folded.published(original, start, end) if end > start else ""
