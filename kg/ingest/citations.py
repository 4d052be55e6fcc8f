"""Citations of statute provisions in running text, e.g. an item's legal basis (根拠).

Japanese legal citations name a law once in full with its number and a short name
(「行政手続における…法律（平成25年法律第27号。以下「番号利用法」）第16条の2」) and later by the
short name alone (「番号利用法第16条の2」); a run of articles joined by ・ shares the law named
before it (「公的個人認証法第16条の2・第35条の2」). :func:`citations` reads such text into
:class:`~kg.records.ProvisionRef` values; which statute a ref means is decided by the linker
against the statutes the documents print.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kg.records import ProvisionRef, Reference, Span
from kg.text import era_to_year, nfkc

_LAW_NUMBER = r"(?:明治|大正|昭和|平成|令和)(?:\d+|元)年[^\s()、。第]{1,20}第\d+号"
# A law number in parentheses after a title, perhaps defining a short name.
_NUMBER_RE = rf"\((?P<number>{_LAW_NUMBER})(?:。以下「(?P<short>[^」]+)」(?:という)?。?)?\)"
_NUMBER = re.compile(_NUMBER_RE)
# A full title not known in advance: it cannot contain a separator.
_FULL = re.compile(rf"(?P<title>[^、・。()「」]+?){_NUMBER_RE}")
_ARTICLE = re.compile(
    r"(?P<suppl>附則)?第(?P<art>\d+)条(?P<sub>(?:の\d+)*)(?:第(?P<para>\d+)項)?(?:第(?P<item>\d+)号)?"
)


_Law = tuple[str | None, str | None, str | None]
"""A law as a citation names it: (title, law number, short name)."""


def citations(
    text: str, short_titles: Iterable[str] = (), titles: Iterable[str] = ()
) -> list[ProvisionRef]:
    """Every provision cited in ``text``, each with the law it belongs to.

    ``short_titles`` and ``titles`` are names of laws known from elsewhere (the statute
    excerpts of another document): a known title is recognised even where it contains a 、,
    which otherwise ends a title. Names defined in ``text`` itself are added as they appear.
    An article with no law named before it cannot be placed and is skipped.
    """
    norm = _compact(text)
    law: _Law | None = None
    known: dict[str, _Law] = {_compact(s): (None, None, _compact(s)) for s in short_titles}
    known.update({_compact(t): (_compact(t), None, None) for t in titles})
    names = sorted(known, key=len, reverse=True)
    out: list[ProvisionRef] = []
    pos = 0
    while pos < len(norm):
        name = next((n for n in names if _names_law(norm, pos, n)), None)
        if name and (number := _NUMBER.match(norm, pos + len(name))):
            law = (known[name][0] or name, number.group("number"), number.group("short"))
            pos = number.end()
        elif name:
            law, pos = known[name], pos + len(name)
        elif (full := _FULL.match(norm, pos)) and _starts_title(norm, pos):
            law = (full.group("title").strip(), full.group("number"), full.group("short"))
            pos = full.end()
        elif (art := _ARTICLE.match(norm, pos)) and law is not None:
            out.append(_ref(art, law))
            pos = art.end()
            continue
        else:
            pos += 1
            continue
        if law[2] and law[2] not in known:
            known[law[2]] = law
            names = sorted(known, key=len, reverse=True)
    return out


def _ref(art: re.Match[str], law: _Law) -> ProvisionRef:
    return ProvisionRef(
        article=f"第{art.group('art')}条{art.group('sub')}",
        law_title=law[0],
        law_number=law[1],
        short_title=law[2],
        paragraph=int(art.group("para")) if art.group("para") else None,
        item_number=int(art.group("item")) if art.group("item") else None,
        supplementary=art.group("suppl") is not None,
    )


def _compact(text: str) -> str:
    """NFKC without white space: PDF text breaks numbers and names with spaces (「第 16条」)."""
    return re.sub(r"\s+", "", nfkc(text))


def _names_law(text: str, pos: int, name: str) -> bool:
    """``name`` stands at ``pos`` as a whole name: not as the start of a longer title
    (法律 in 法律施行規則), so an article, a law number or a separator follows."""
    end = pos + len(name)
    return text.startswith(name, pos) and (end == len(text) or text[end] in "(第附、・。")


def _starts_title(text: str, pos: int) -> bool:
    """A full title starts the text or follows a separator."""
    return pos == 0 or text[pos - 1] in "、・。"


_DETAIL = re.compile(r"[（(]詳細は.*?[）)]")
_CITED = re.compile(
    r"(令和|平成)\s*([0-9０-９]+|元)\s*年度\s*(事業報告書?)\s*第\s*([0-9０-９]+)\s*章"
    r"\s*([一二三四五六七八九十]*)"
)


def detail_reference(text: str, item: str, span: Span) -> Reference | None:
    """（詳細は、…令和３年度事業報告第３章三）: a pointer from an item sheet into a report.

    Self-evaluation reports (both forms) print it above the item's results; the linker
    resolves it to the business report of that year when that report is a source.
    """
    detail = _DETAIL.search(text)
    cited = _CITED.search(detail.group(0)) if detail else None
    if detail is None or cited is None:
        return None
    return Reference(
        item=item,
        text=detail.group(0),
        target=cited.group(0),
        span=span,
        document=cited.group(3),
        year=era_to_year(cited.group(1), cited.group(2)),
        chapter=int(nfkc(cited.group(4))),
        section=cited.group(5) or None,
    )
