"""Text helpers shared by the parsers.

Japanese text is kept as published; :func:`match_key` (NFKC, no white space) exists only to
*compare* texts, never to display them.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Tags the self-evaluation report uses for layout. Angle-bracketed Japanese headings such as
# ``<評価の視点>`` are text, not markup, so only known HTML tag names are removed.
_TAG = re.compile(
    r"</?(?:p|ul|ol|li|b|u|i|a|br|span|div|strong|em|sup|sub|table|tr|td|th)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")

ERA_OFFSETS = {"令和": 2018, "平成": 1988}
_ERA_YEAR = re.compile(r"(令和|平成)\s*(\d+|元)\s*年")


def nfkc(text: str) -> str:
    """NFKC-normalise (full-width digits and letters become ASCII)."""
    return unicodedata.normalize("NFKC", text)


def match_key(text: str) -> str:
    """A key for matching the same sentence across documents: NFKC, no white space, no bullets."""
    key = _SPACE.sub("", nfkc(text))
    return key.lstrip("○〇・")


def strip_markup(cell: str) -> str:
    """Turn a table cell of the Markdown/HTML form into plain text, keeping line breaks as spaces.

    Paragraph and list-item boundaries become a single space so that bullets stay separable.
    """
    text = _TAG.sub(" ", cell)
    text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def squash(text: str) -> str:
    """Collapse runs of white space to one space (display form of a merged cell)."""
    return _SPACE.sub(" ", text).strip()


def era_to_year(era: str, number: str) -> int:
    """``("令和", "3")`` → 2021. The first year of an era is written 元."""
    n = 1 if number == "元" else int(nfkc(number))
    return ERA_OFFSETS[era] + n


def fiscal_years_in(text: str) -> list[int]:
    """Every ``令和N年度``/``令和N年`` in ``text`` as a Gregorian year, in order."""
    return [era_to_year(m.group(1), m.group(2)) for m in _ERA_YEAR.finditer(nfkc(text))]


# --- numbers and law numbers as printed ----------------------------------------------------------

DIGITS = "0-9０-９"
"""Digits in either width, for a regular expression's character class."""
_KANJI_DIGITS = "〇一二三四五六七八九"
KANJI_NUMERALS = "〇一二三四五六七八九十百千"
"""Kanji numerals, for a regular expression's character class."""

_ERA_CODES = {"明治": 1, "大正": 2, "昭和": 3, "平成": 4, "令和": 5}
"""e-Gov's code of each era in a law ID."""
LAW_NUMBER = re.compile(
    rf"(?P<era>明治|大正|昭和|平成|令和)(?P<year>[{DIGITS}]+|[{KANJI_NUMERALS}]+|元)年"
    r"(?P<kind>法律|政令|勅令|[^\s（）()「」。、第]{1,20}?(?:省令|府令|規則))"
    rf"第(?P<number>[{DIGITS}]+|[{KANJI_NUMERALS}]+)号"
)
"""A law number as printed: ``平成25年法律第27号``, ``平成十四年法律第百五十三号``."""


def kanji_number(text: str) -> int:
    """``"百五十三"`` → 153, ``"二十五"`` → 25, ``"１４"`` → 14 (digits in either width too).

    Law numbers in statute text are written in kanji numerals, elsewhere in digits.
    """
    norm = nfkc(text)
    if norm.isdigit():
        return int(norm)
    if norm == "元":
        return 1
    total, digit = 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for ch in norm:
        if ch in _KANJI_DIGITS:
            digit = _KANJI_DIGITS.index(ch)
        elif ch in units:
            total += (digit or 1) * units[ch]
            digit = 0
        else:
            raise ValueError(f"not a number: {text!r}")
    return total + digit


def egov_law_id(law_number: str) -> str | None:
    """The e-Gov law ID for a law number as printed, or None where the rule is not certain.

    e-Gov names an Act ``<era code><2-digit year>AC0000000<3-digit number>`` (era code 1 明治,
    2 大正, 3 昭和, 4 平成, 5 令和; the first year of an era is 01), so ``平成25年法律第27号`` →
    ``425AC0000000027``, and a Cabinet Order (政令) the same with ``CO`` (``平成26年政令第155号``
    → ``426CO0000000155``). Ministerial ordinances (省令, 府令) carry a code for the issuing
    ministry that a law number does not state, so they get None, as does anything that is not
    a law number or whose number has more than three digits.
    """
    m = LAW_NUMBER.fullmatch(re.sub(r"\s+", "", law_number))
    if m is None:
        return None
    kinds = {"法律": "AC", "政令": "CO"}
    kind = kinds.get(m.group("kind"))
    if kind is None:
        return None
    year = kanji_number(m.group("year"))
    number = kanji_number(m.group("number"))
    if not (1 <= year <= 99 and 1 <= number <= 999):
        return None
    return f"{_ERA_CODES[m.group('era')]}{year:02d}{kind}0000000{number:03d}"
