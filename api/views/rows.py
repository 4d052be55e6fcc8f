"""Query rows made into plain values, and the orders views sort by.

A node that several documents describe may carry several values of one property (the same
clause printed with slightly different wording): views show the first value in a stable order
(:func:`first`) and keep every source span.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from kg.queries import Row


def code_key(code: str) -> tuple[int, str, int, str]:
    """Sort key for item codes: ``I-2`` before ``I-10`` before ``II-1``."""
    match = re.fullmatch(r"([IVX]+)-(\d+)", code)
    if not match:
        return (99, code, 0, code)
    roman = match.group(1)
    numerals = {"I": 1, "V": 5, "X": 10}
    value = sum(numerals[c] for c in roman)
    if roman in ("IV", "IX"):
        value -= 2
    return (value, roman, int(match.group(2)), code)


def as_str(value: Any) -> str | None:
    return None if value is None else str(value)


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return None


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def first(values: Iterable[Any]) -> Any:
    """The first non-None value in a stable (sorted by text) order."""
    present = sorted((v for v in values if v is not None), key=lambda v: (str(type(v)), str(v)))
    return present[0] if present else None


def grouped(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        out[str(row[key])].append(row)
    return out


def column(rows: Iterable[Row], name: str) -> Any:
    return first(r[name] for r in rows)


def all_values(rows: Iterable[Row], name: str) -> list[str]:
    return sorted({str(r[name]) for r in rows if r[name] is not None})
