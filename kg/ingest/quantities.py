"""Numbers with units as printed in the plans and reports.

Reads ``99.9%以上``, ``14日以内``, ``最大約480万枚``, ``1,321人``, ``約54.3万件`` into
(value, unit, comparator, statistic, approximate). Units are whatever the document prints after
the number (ideographs, katakana or %); nothing here knows which indicators exist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from kg.text import nfkc

_MULTIPLIERS = {"万": Decimal(10_000), "億": Decimal(100_000_000), "千": Decimal(1_000)}
# Comparator words that follow a quantity in a target, mapped to SPARQL-style comparators.
_COMPARATORS = {"以上": ">=", "以内": "<=", "以下": "<=", "未満": "<", "を超": ">", "超": ">"}
_STATISTICS = {"最大": "max", "最小": "min", "平均": "mean", "累計": "total", "合計": "total"}

_QUANTITY = re.compile(
    r"(?P<stat>最大|最小|平均)?\s*(?P<approx>約)?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<mult>[万億千](?=[\u4e00-\u9fff%]))?"
    r"(?P<unit>%|団体|時間|週間|日間|か月|ヶ月|箇所|か所|[\u4e00-\u9fff])"
    r"(?P<cmp>以上|以内|以下|未満|を超|超)?"
)
_CONDITION = re.compile(r"\s*[^、。\s]{0,12}?に対し")
# Era years and dates are numbers with units too; they are never quantities.
_NOT_QUANTITY_UNITS = {"年", "月", "条", "項", "号", "期"}


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str
    text: str
    start: int
    end: int
    comparator: str | None = None
    statistic: str | None = None
    approximate: bool = False


@dataclass(frozen=True)
class Folded:
    """``text`` NFKC-normalised character by character with white space dropped, and for each
    character of that form the index of the published character it came from."""

    text: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Folded:
        chars: list[str] = []
        origin: list[int] = []
        for i, c in enumerate(text):
            for n in unicodedata.normalize("NFKC", c):
                if not n.isspace():
                    chars.append(n)
                    origin.append(i)
        return cls("".join(chars), tuple(origin))

    def published(self, original: str, start: int, end: int) -> str:
        """The published text that the folded characters ``start``..``end`` came from."""
        return original[self.origin[start] : self.origin[end - 1] + 1]


def quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` (NFKC-normalised for matching; offsets refer to that form)."""
    norm = nfkc(text)
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(norm):
        unit, cmp = m.group("unit"), m.group("cmp")
        if unit in _NOT_QUANTITY_UNITS or norm[m.end() : m.end() + 2] == "当た":
            continue  # a date, an article number, or a rate's denominator (1日当たり)
        if norm[m.start("num") - 1 : m.start("num")] in ("第", "令和", "平成"):
            continue
        value = Decimal(m.group("num").replace(",", ""))
        if m.group("mult"):
            value *= _MULTIPLIERS[m.group("mult")]
        found.append(
            Quantity(
                value=value,
                unit=unit,
                text=m.group(0).strip(),
                start=m.start(),
                end=m.end(),
                comparator=_COMPARATORS[cmp] if cmp else None,
                statistic=_STATISTICS.get(m.group("stat") or ""),
                approximate=m.group("approx") is not None,
            )
        )
    return found


def targets_in(text: str) -> list[Quantity]:
    """Quantities stated as targets: with a comparator word, or a maximum capacity (最大…).

    A maximum followed by ``…に対し`` (``最大16万件の申請に対し``) is the load under which
    another target holds, not a target itself.
    """
    norm = nfkc(text)
    out = []
    for q in quantities(text):
        if q.comparator:
            out.append(q)
        elif q.statistic == "max" and not _CONDITION.match(norm, q.end):
            # "最大約480万枚…発送できる" states a capacity to reach: at least that much.
            out.append(Quantity(q.value, q.unit, q.text, q.start, q.end, ">=", None, q.approximate))
    return out


def statistic_in(label: str) -> str | None:
    """The statistic a label names (最大日数 → max, 平均日数 → mean), if any."""
    norm = nfkc(label)
    return next((s for w, s in _STATISTICS.items() if w in norm), None)


def without_statistic(label: str) -> str:
    """``label`` with the statistic words removed, to compare labels of one measure."""
    norm = nfkc(label)
    for word in _STATISTICS:
        norm = norm.replace(word, "")
    return norm
