"""A mid-term plan or an annual plan published on its own, as its own document.

The board material proposes the plans together with the goal table and the statutes
(:mod:`kg.ingest.board`); a plan is also published alone — the plan as revised and approved
(変更認可), next year's annual plan. Such a document is a title (…に係る中期計画（第１期）,
…に係る年度計画（令和４年度）), a preamble, and the same numbered outline (Ⅰ．/１．/①) of
paragraphs, with page footers and numbers between them; an approval or decision date may be
printed near the top (令和４年３月31日). The outline is read as the board material's is, so
the same paragraph is the same clause in both; which clause of the level above a clause
implements, and which item it is under, the linker decides across documents (by heading,
:mod:`kg.link`; by section and the versions in force on the document's date,
:mod:`kg.versions`).
"""

from __future__ import annotations

import re
from datetime import date

from kg.errors import ParseError
from kg.ingest.board import add_clauses, era_date, outline
from kg.ingest.pdflines import Line, printed_lines
from kg.ingest.targets import read_clause_targets
from kg.records import DocumentDate, DocumentRecords, Span
from kg.text import fiscal_years_in, nfkc

_HEAD = 12
"""The title and a date are looked for in this many printed lines from the top."""
_FOOTER = re.compile(r"^(?:議案第\d+号\s*(?:\(案\))?|\d+|-\s*\d+\s*-)$")  # on NFKC text
_DATE = re.compile(r"(令和|平成)([0-9]+|元)年([0-9]+)月([0-9]+)日[^\s。、]{0,8}")
"""A date on a line of its own, with at most a word after it (認可, 変更, 決定)."""
_BOARD = ("参照条文", "参考資料")


_TITLE = re.compile(r"(中期計画|年度計画)\s*(?:[(（][^()（）]*[)）]\s*)*$")


def title_lines(text: str) -> list[str]:
    """The printed lines of the title, as printed: from the top (after a date line) to the line
    ending in the plan's name (with its parenthesised term or year, 中期計画（第１期）)."""
    lines = [x.text.strip() for x in printed_lines(text)[:_HEAD]]
    end = next((n for n, t in enumerate(lines) if _TITLE.search(nfkc(t))), None)
    if end is None:
        return []
    return [t for t in lines[: end + 1] if not _DATE.fullmatch(re.sub(r"\s+", "", nfkc(t)))]


def detects(text: str, name: str) -> bool:
    """A plan named ``name`` (中期計画 / 年度計画) on its own: its title ends in that name,
    and the text has an outline but not the board material's reference parts."""
    title = title_lines(text)
    found = _TITLE.search(nfkc(title[-1])) if title else None
    norm = nfkc(text[:200_000])
    return (
        found is not None
        and found.group(1) == name
        and "Ⅰ" in text
        and not any(w in norm for w in _BOARD)
    )


def parse_plan(text: str, doc: str, kind: str, level: str) -> DocumentRecords:
    """The clauses of a plan of ``level`` ("plan" or "annual") and the date printed on top."""
    lines = [x for x in printed_lines(text) if not _FOOTER.match(nfkc(x.text))]
    if not lines:
        raise ParseError(doc, f"empty document (expected a {kind}: a title and Ⅰ．/１．/①)")
    year = None
    if level == "annual":
        years = fiscal_years_in("".join(title_lines(text)))
        if not years:
            raise ParseError(doc, "the annual plan's title names no fiscal year (令和N年度)", 1)
        year = years[0]
    paras = outline(lines, bullets=False)
    if not paras:
        raise ParseError(doc, f"the {kind} has no numbered section (expected Ⅰ．/１．/①)")
    records = DocumentRecords(doc=doc, kind=kind, year=year, issues=frozenset({level}))
    add_clauses(records, paras, level, year, doc)
    read_clause_targets(records)
    records.dates = _dated(lines[:_HEAD], doc)
    return records


def _dated(lines: list[Line], doc: str) -> list[DocumentDate]:
    """A date printed near the top (the approval or decision), as the document's date."""
    for line in lines:
        m = _DATE.fullmatch(re.sub(r"\s+", "", nfkc(line.text)))
        if m is None:
            continue
        try:
            day: date = era_date(*m.groups())
        except ValueError:
            continue
        return [DocumentDate("issued", day, line.text.strip(), Span(doc, line.no, line.no))]
    return []
