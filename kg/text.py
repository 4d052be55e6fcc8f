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
