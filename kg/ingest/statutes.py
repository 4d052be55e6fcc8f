"""Statute excerpts (参照条文) as printed in board material, and e-Gov law IDs.

An excerpt lists statutes, each headed ``○ <title>（抄）``, and under it the articles shown:
an optional caption in parentheses (``（個人番号カードの発行等）``), the article line
``第１６条の２ <text>``, further paragraphs ``２ <text>``, items ``一 <text>`` and sub-items
``イ <text>``; ``附 則`` starts the supplementary provisions. The excerpt prints neither law
numbers nor short names, so those are read from where the rest of the document cites the
title: ``<title>（平成25年法律第27号。以下「番号利用法」という。）``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import ParseError
from kg.ingest.pdflines import CompactText, Line, join, span_of
from kg.records import Provision, ProvisionParagraph, Statute
from kg.text import DIGITS, KANJI_NUMERALS, LAW_NUMBER, egov_law_id

_ARTICLE = re.compile(
    rf"^(第[{DIGITS}{KANJI_NUMERALS}]+条(?:の[{DIGITS}{KANJI_NUMERALS}]+)*)(?:\s+(.*))?$"
)
_PARAGRAPH = re.compile(rf"^([{DIGITS}]+)\s+(.*)$")
_ITEM = re.compile(rf"^(?:[{KANJI_NUMERALS}]+|[イロハニホヘトチリヌルヲワカヨタレソツネナラム])\s+")
_STATUTE_HEAD = re.compile(r"^[○〇]\s*(.+)$")
_EXCERPT_MARK = re.compile(r"[（(](?:抄|抜粋)[）)]\s*$")
_TOC_LEADER = re.compile(r"[・…]{3,}\s*[0-9０-９]*\s*$")
_SUPPLEMENTARY = re.compile(r"^附\s*則$")
_NOISE = re.compile(r"^(?:参考資料\s*[0-9０-９]+|[0-9０-９]+)$")

_SHORT_NAME = re.compile(r"^[。、]?以下「(?P<short>[^」]{1,30})」という")


@dataclass
class _Article:
    label: str
    caption: list[Line]
    lines: list[Line]
    supplementary: bool
    paragraphs: list[list[Line]] = field(default_factory=list)


def parse_excerpts(
    lines: list[Line], document: CompactText, doc: str
) -> tuple[list[Statute], list[Provision]]:
    """Statutes and their articles from the lines of a 参照条文 section.

    ``document`` is the whole document, searched for each title's law number and short name.
    Provisions refer to their statute by index into the returned statute list.
    """
    statutes: list[Statute] = []
    provisions: list[Provision] = []
    body = [x for x in lines if not _NOISE.match(x.text)]
    heads = _statute_heads(body)
    if not heads:
        raise ParseError(
            doc,
            "参照条文 has no statute heading (expected '○ <title>（抄）')",
            lines[0].no if lines else None,
        )
    for n, (start, end, title_lines) in enumerate(heads):
        title = _EXCERPT_MARK.sub("", join([x.text for x in title_lines])).strip()
        title = re.sub(r"^[○〇]\s*", "", title)
        cited = _citation(title, document)
        statute = Statute(
            title=title,
            span=span_of(doc, title_lines),
            short_title=cited.short_title if cited else None,
            law_number=cited.law_number if cited else None,
            egov_law_id=egov_law_id(cited.law_number) if cited else None,
            citation_span=document.span(doc, cited.start, cited.end) if cited else None,
        )
        statutes.append(statute)
        articles = _articles(body[start:end])
        if not articles:
            raise ParseError(
                doc,
                f"statute '{title}' in 参照条文 shows no article (expected 第N条 …)",
                title_lines[0].no,
            )
        for article in articles:
            provisions.append(_provision(n, article, doc))
    return statutes, provisions


def _statute_heads(body: list[Line]) -> list[tuple[int, int, list[Line]]]:
    """(first body index, end index, heading lines) of each statute in ``body``.

    A heading is a ``○`` line; when the title wraps, the lines up to the one that ends in
    ``（抄）`` belong to it.
    """
    heads: list[tuple[int, list[Line]]] = []
    i = 0
    while i < len(body):
        if _STATUTE_HEAD.match(body[i].text) is None:
            i += 1
            continue
        title = [body[i]]
        j = i + 1
        if not _EXCERPT_MARK.search(body[i].text):
            while j < len(body) and j - i <= 2 and not _TOC_LEADER.search(title[-1].text):
                nxt = body[j].text
                if _ARTICLE.match(nxt) or nxt.startswith(("（", "(")) or _STATUTE_HEAD.match(nxt):
                    break
                title.append(body[j])
                j += 1
                if _EXCERPT_MARK.search(nxt):
                    break
        if not any(_TOC_LEADER.search(x.text) for x in title):  # not a contents entry
            heads.append((j, title))
        i = j
    out = []
    for n, (start, title) in enumerate(heads):
        end = len(body)
        if n + 1 < len(heads):
            end = body.index(heads[n + 1][1][0])
        out.append((start, end, title))
    return out


def _articles(lines: list[Line]) -> list[_Article]:
    """The articles among ``lines``: caption, article line, paragraphs."""
    articles: list[_Article] = []
    supplementary = False
    pending_caption: list[Line] = []
    i = 0
    while i < len(lines):
        text = lines[i].text
        if _SUPPLEMENTARY.match(text):
            supplementary = True
            i += 1
            continue
        caption_end = _caption_end(lines, i)
        if caption_end is not None:
            pending_caption = lines[i:caption_end]
            i = caption_end
            continue
        m = _ARTICLE.match(text)
        if m is not None:
            article = _Article(m.group(1), pending_caption, [lines[i]], supplementary)
            article.paragraphs.append([Line(lines[i].no, m.group(2) or "")])
            articles.append(article)
            pending_caption = []
        elif articles:
            article = articles[-1]
            article.lines.append(lines[i])
            if _PARAGRAPH.match(text):
                article.paragraphs.append([lines[i]])
            else:
                article.paragraphs[-1].append(lines[i])
        i += 1
    return articles


def _caption_end(lines: list[Line], i: int) -> int | None:
    """If a caption (見出し) starts at ``i``, the index after it, else None.

    A caption is text in parentheses, possibly over two lines, followed by an article line;
    a parenthesised line inside an article's text is not followed by one.
    """
    if not lines[i].text.startswith(("（", "(")):
        return None
    for j in range(i, min(i + 3, len(lines))):
        if lines[j].text.endswith(("）", ")")):
            nxt = j + 1
            if nxt < len(lines) and _ARTICLE.match(lines[nxt].text):
                return nxt
            return None
    return None


def _provision(statute: int, article: _Article, doc: str) -> Provision:
    paragraphs = []
    for number, para in enumerate(article.paragraphs, start=1):
        texts = [x.text for x in para if x.text]
        first = _PARAGRAPH.match(texts[0]) if texts and number > 1 else None
        if first is not None:
            texts[0] = first.group(2)
        paragraphs.append(
            ProvisionParagraph(
                number=number,
                text=_paragraph_text(texts),
                span=span_of(doc, para),
            )
        )
    caption = None
    if article.caption:
        caption = join([x.text for x in article.caption]).strip("（）()")
    lines = article.caption + article.lines
    return Provision(
        statute=statute,
        label=article.label,
        text="\n".join(p.text for p in paragraphs),
        span=span_of(doc, lines),
        caption=caption,
        supplementary=article.supplementary,
        paragraphs=paragraphs,
    )


def _paragraph_text(texts: list[str]) -> str:
    """A paragraph's lines joined; each item (一, 二 … or イ, ロ …) starts a new line."""
    pieces: list[list[str]] = [[]]
    for text in texts:
        if _ITEM.match(text) and pieces[-1]:
            pieces.append([])
        pieces[-1].append(text)
    return "\n".join(join(p) for p in pieces if p)


@dataclass(frozen=True)
class _Citation:
    law_number: str
    short_title: str | None
    start: int
    end: int


def _citation(title: str, document: CompactText) -> _Citation | None:
    """Law number and short name printed after ``title`` somewhere in the document.

    Every ``<title>（<law number>…）`` is looked at; the first one that also defines a short
    name (``以下「…」という``) wins over one that does not.
    """
    compact_title = re.sub(r"\s+", "", title)
    first: _Citation | None = None
    for m in re.finditer(re.escape(compact_title) + r"[（(]", document.text):
        rest = document.text[m.end() : m.end() + 80]
        number = LAW_NUMBER.match(rest)
        if number is None:
            continue
        short = _SHORT_NAME.match(rest[number.end() :])
        end = m.end() + number.end()
        if short is not None:
            return _Citation(number.group(0), short.group("short"), m.start(), end + short.end())
        if first is None:
            first = _Citation(number.group(0), None, m.start(), end)
    return first
