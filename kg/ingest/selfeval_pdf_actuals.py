"""Read the values of ［定量的指標の実績］ entries and say which indicator and subject each is for.

An entry is a label, a colon and values, as printed: ``月単位での…発送可能枚数：約480万枚``,
``緊急時対応訓練の実施回数：２回（カード管理システム関係）、２回（公的個人認証システム関係）``,
``中途採用人数：17人（うちマイナンバーカード関係事務に関連した中途採用人数：６人）``, or a label
and a value without colon (``カード管理システム 100％``). Numbers inside a label (``1日当たり最大
16万件の申請に対する…最大日数：13日``) are part of the label, not values.

Which system, desk or part a value is for (its *subject*) is what its label adds to, or picks
out of, the indicator's label: ``住民向けコールセンター年間応答率`` under the indicator
``住民向けコールセンター及び地方公共団体向けヘルプデスクの年間応答率`` is for
``住民向けコールセンター``; a value list with one note per value (``２回（A関係）、２回（B関係）``)
names its subjects in the notes. What is left after the indicator's own words may name a
statistic instead (最大日数 → max). Subjects are cut from the published text, so they read as
printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.ingest.quantities import Quantity, quantities, statistic_in, without_statistic
from kg.text import nfkc

_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_FILLER = "の・、 "
# A shared head or tail shorter than this is a coincidence (…件数 / …回数), not a common word.
_MIN_SHARED = 2


@dataclass
class Value:
    """One value of an entry: the quantity, the label it stands under, the note after it."""

    quantity: Quantity
    label: str  # as printed
    note: str | None = None  # the parenthesis right after the value, as printed
    breakdown: bool = False  # stands under うち… (a part of the value before it)


def entry_values(text: str) -> list[Value]:
    """The values of one entry, each with its label (see the module docstring)."""
    norm = nfkc(text)
    printed = text if len(norm) == len(text) else norm  # offsets of ``norm`` index ``printed``
    depth = _depths(norm)
    colons = [i for i, ch in enumerate(norm) if ch == ":"]
    out: list[Value] = []
    for q in quantities(norm):
        before = [c for c in colons if c < q.start]
        if colons and not before:
            continue  # a number inside the first label
        if before:
            colon = before[-1]
            between = norm[colon + 1 : q.start]
            if any(ch in "、(" for ch in between):
                # A new segment after 、: a value of the label before, or part of a new label.
                segment_end = _segment_end(norm, depth, q.end)
                if ":" in norm[q.end : segment_end]:
                    continue
                if not out:
                    continue
                label, breakdown = out[-1].label, out[-1].breakdown
            else:
                label, breakdown = _label(printed, norm, depth, colon)
        else:
            label = _clean(printed[: q.start])
            if out and not label:
                label = out[-1].label
            breakdown = False
        out.append(Value(q, label, _note(printed, norm, q.end), breakdown))
    return out


def _depths(norm: str) -> list[int]:
    out, depth = [], 0
    for ch in norm:
        if ch == "(":
            depth += 1
        out.append(depth)
        if ch == ")":
            depth = max(0, depth - 1)
    return out


def _segment_end(norm: str, depth: list[int], start: int) -> int:
    for i in range(start, len(norm)):
        if norm[i] in "、()" and depth[i] <= depth[start - 1]:
            return i
    return len(norm)


def _label(printed: str, norm: str, depth: list[int], colon: int) -> tuple[str, bool]:
    """The label before ``colon``: back to the 、 or the opening parenthesis of its level."""
    level = depth[colon]
    start = 0
    for i in range(colon - 1, -1, -1):
        if (norm[i] == "、" and depth[i] == level) or (norm[i] == "(" and depth[i] == level):
            start = i + 1
            break
    label = printed[start:colon]
    breakdown = nfkc(label).lstrip().startswith("うち")
    if breakdown:
        label = label.lstrip()[2:]
    return _clean(label), breakdown


def _note(printed: str, norm: str, end: int) -> str | None:
    rest = norm[end:]
    skipped = len(rest) - len(rest.lstrip())
    if not rest.lstrip().startswith("("):
        return None
    start = end + skipped
    close = norm.find(")", start)
    if close == -1:
        return None
    note = printed[start + 1 : close].strip()
    return None if nfkc(note).startswith("うち") else note


def _clean(label: str) -> str:
    return label.strip().lstrip("・").strip().rstrip(":：").strip()


# -- subjects ----------------------------------------------------------------------------------


def _key(text: str) -> str:
    """The form labels are compared in: NFKC, no white space."""
    return _keyed(text)[0]


def _keyed(text: str) -> tuple[str, list[int]]:
    """``text``'s comparison key with, for each key character, its offset in ``text``."""
    key, where = [], []
    for i, ch in enumerate(text):
        for c in nfkc(ch):
            if not c.isspace():
                key.append(c)
                where.append(i)
    return "".join(key), where


def _cut(text: str, start: int, end: int) -> str:
    """Key characters ``start``..``end`` of ``text`` as printed, without filler at the ends."""
    key, where = _keyed(text)
    if start >= end or start >= len(key):
        return ""
    return text[where[start] : where[end - 1] + 1].strip(_FILLER)


def _common_head(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n if n >= _MIN_SHARED else 0


def _common_tail(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n if n >= _MIN_SHARED else 0


def indicator_core(label: str) -> str:
    """An indicator's label without its closing note (``…日数（最大日数・平均日数）``)."""
    return _TRAILING_NOTE.sub("", label.strip().rstrip("。").strip())


def subjects(labels: list[str], indicator: str) -> list[tuple[str | None, str | None]]:
    """(subject, statistic) for values with ``labels``, all reported for ``indicator``."""
    core = _key(indicator_core(indicator))
    keys = [_key(label) for label in labels]
    out: list[tuple[str | None, str | None]] = [(None, None)] * len(labels)
    others = [i for i, k in enumerate(keys) if k != core]
    distinct = sorted({keys[i] for i in others})
    if len(distinct) >= 2:
        # Siblings: strip the words all of them share (the measure), keep what differs.
        head = min(_common_head(distinct[0], k) for k in distinct[1:])
        tail = min(_common_tail(distinct[0], k) for k in distinct[1:])
        for i in others:
            rest = _cut(labels[i], head, len(keys[i]) - tail)
            out[i] = _subject(rest or labels[i])
        return out
    for i in others:
        key = keys[i]
        tail = _common_tail(key, core)
        head_len = len(key) - tail
        shared = _common_head(key[:head_len], core[: len(core) - tail]) if head_len else 0
        if head_len == 0:
            out[i] = (_clean(labels[i]), None)  # the indicator's measure, more broadly counted
        elif shared == head_len:
            out[i] = _subject(_cut(labels[i], 0, head_len))  # picks a part of the indicator
        else:
            out[i] = _subject(_cut(labels[i], shared, head_len))
    return out


def _subject(rest: str) -> tuple[str | None, str | None]:
    statistic = statistic_in(rest)
    if not without_statistic(rest).strip(_FILLER):
        return None, statistic
    return rest, statistic
