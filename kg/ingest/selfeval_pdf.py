"""Parser for the self-evaluation report in its PDF-extracted text form (自己評価書).

The report may come on its own or after a business report in the same file (the FY2021
business report carries it as an annex). It holds, in this order: the grading rubric (評定 /
定量的指標 / 定性的指標, one block per grade S … D), a one-page summary of the self grades
(自己評価の概要: item title, grade, 主な成果等, two columns interleaved), the ministers' form
(1-1-1 評価の概要 with the fiscal year, 1-1-2 総合評定, 1-1-3 総括表) and one item sheet per
evaluation item (項目別評定調書 / 項目別評価調書), read by :mod:`.selfeval_pdf_sheet`.

The Markdown/HTML form of the same template is read by :mod:`.selfeval_md`; the two are told
apart by the table header, which the PDF text prints with spaces and the Markdown with tabs.
Nothing here knows the document's content; only the template's markers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.errors import ParseError
from kg.ingest.rubric import bands_in
from kg.ingest.selfeval_pdf_sheet import SheetReader, sheet_starts
from kg.ingest.selfeval_pdf_table import join_lines
from kg.ingest.targets import read_clause_targets
from kg.records import (
    DocumentRecords,
    GradeRubric,
    Marks,
    OverallEvaluation,
    ParseNote,
    Span,
    SummaryGrade,
)
from kg.text import era_to_year, match_key, nfkc

KIND = "self-evaluation-report-pdf"
ISSUES = frozenset({"indicator"})
"""A report sets that year's indicators in full; the plans it only quotes, row by row."""

_PLAIN_TABLE_HEADER = re.compile(
    r"^[ \u3000]*中期目標[ \u3000]+中期計画[ \u3000]+年度計画[ \u3000]+主な評価指標", re.M
)
_SHEET_TITLE = re.compile(r"項目別評[定価]調書")
_SELF_GRADE_LINE = re.compile(
    r"^[ \u3000]*(?:評定|評価)[ \u3000]*[:：][ \u3000]*[SABCDＳＡＢＣＤ]", re.M
)
_YEAR = re.compile(r"年度評価\s*(令和|平成)\s*([0-9]+|元)\s*年度")
_RUBRIC_HEADER = re.compile(r"^評定\s+定量的指標\s+定性的指標$")
_GRADE_ONLY = re.compile(r"^([SABCD])$")
_PAGE_NUMBER = re.compile(r"[ \u3000]+\d+[ \u3000]*$")
_SECTION = re.compile(r"^(?:I{1,3}|IV|V)\.\S")
# A grade standing alone as a word in a summary line: "…の一体化 B", "B ・要件定義…", "A".
_SUMMARY_GRADE = re.compile(
    r"^(?P<title>.*?)(?:^|[ \u3000])(?P<grade>[SABCDＳＡＢＣＤ])(?P<marks>[○〇重]*)"
    r"(?:[ \u3000]+(?P<rest>.*?))?[ \u3000]*$"
)
_OVERALL_HEADING = re.compile(r"年度評価\s*総合評[定価]")
_OVERALL_GRADE = re.compile(r"^([SABCD])\s*:\s*(.*)$")
_PLACEHOLDER = "○○"
_TOC = "・・・"


def detect(text: str) -> bool:
    """A self-evaluation report as PDF text: item sheets whose table header is printed with
    spaces (not tabs) and self grades at the start of a line."""
    return (
        _PLAIN_TABLE_HEADER.search(text) is not None
        and _SHEET_TITLE.search(text) is not None
        and _SELF_GRADE_LINE.search(text) is not None
    )


def parse(text: str, doc: str) -> DocumentRecords:
    """Read rubric, fiscal year, summary of grades and every item sheet."""
    if not text.strip():
        raise ParseError(doc, "empty document (expected a self-evaluation report)")
    lines = text.split("\n")
    starts = sheet_starts(lines)
    if not starts:
        raise ParseError(
            doc, "no item sheet (expected '１．当事務及び事業に関する基本情報' headings)"
        )
    front = lines[: starts[0] - 1]
    year = _fiscal_year(front, doc)
    records = DocumentRecords(doc=doc, kind=KIND, year=year, issues=ISSUES)
    rubric_end = _rubric(front, doc, records)
    for k, start in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        SheetReader(lines, start, end, doc, year, records).run()
    _summary(front, rubric_end, doc, year, records)
    _overall(front, doc, year, records)
    read_clause_targets(records)
    return records


def _fiscal_year(front: Sequence[str], doc: str) -> int:
    """The year evaluated, from 年度評価 令和N年度 of 1-1-1 評価の概要."""
    for line in front:
        m = _YEAR.search(nfkc(line))
        if m:
            return era_to_year(m.group(1), m.group(2))
    raise ParseError(doc, "no fiscal year (expected '年度評価 令和N年度' in 評価の概要)")


def _rubric(front: Sequence[str], doc: str, out: DocumentRecords) -> int:
    """The grading rubric: a grade alone on a line, then its quantitative criterion and, after
    a blank line, its qualitative one. Returns the 0-based index after the rubric (0 if none)."""
    header = next(
        (i for i, line in enumerate(front) if _RUBRIC_HEADER.match(nfkc(line).strip())), None
    )
    if header is None:
        out.notes.append(
            ParseNote(Span(doc, 1, 1), "no grading rubric (評定 定量的指標 定性的指標)")
        )
        return 0
    i = header + 1
    while i < len(front) and not front[i].strip():
        i += 1
    while i < len(front):
        m = _GRADE_ONLY.match(nfkc(front[i]).strip())
        if not m:
            break
        grade_line = i
        paragraphs: list[list[int]] = []
        i += 1
        while i < len(front) and not _GRADE_ONLY.match(nfkc(front[i]).strip()):
            if not front[i].strip():
                i += 1
                continue
            if len(paragraphs) == 2 and not front[i - 1].strip():
                break  # the rubric's last grade is over
            if not paragraphs or not front[i - 1].strip():
                paragraphs.append([])
            paragraphs[-1].append(i)
            i += 1
        texts = [[front[n].strip() for n in p] for p in paragraphs]
        last_grade = i >= len(front) or not _GRADE_ONLY.match(nfkc(front[i]).strip())
        if last_grade and texts:  # the page number printed after the rubric's last line
            texts[-1][-1] = _PAGE_NUMBER.sub("", texts[-1][-1])
        criteria = ["\n".join(t) for t in texts] + ["", ""]
        end = paragraphs[-1][-1] if paragraphs else grade_line
        out.rubric.append(
            GradeRubric(
                grade=m.group(1),
                span=Span(doc, grade_line + 1, end + 1),
                quantitative=_dash_none(criteria[0]),
                qualitative=_dash_none(criteria[1]),
                bands=bands_in(criteria[0]),
            )
        )
    if not out.rubric:
        raise ParseError(doc, "grading rubric header without grades S … D", header + 1)
    return i


def _dash_none(text: str) -> str | None:
    return None if text.strip() in {"", "-", "－", "―", "—"} else text


@dataclass
class _Entry:
    """One item of the summary page, in the making."""

    title: list[str] = field(default_factory=list)
    grade: str = ""
    marks: str = ""
    highlights: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def _summary(front: Sequence[str], start: int, doc: str, year: int, out: DocumentRecords) -> None:
    """The one-page summary of self grades: under each section heading (Ⅰ．…), entries of a
    title (wrapped), a grade standing alone as a word, and bullets of highlights."""
    entries: list[_Entry] = []
    current: _Entry | None = None
    in_section = False
    blank_before = True
    for i in range(start, len(front)):
        raw = front[i]
        text = nfkc(raw).strip()
        if _SHEET_TITLE.search(raw) or _OVERALL_HEADING.search(text):
            break  # the ministers' form begins (its table of contents names the sheets)
        if not text:
            blank_before = True
            continue
        if _SECTION.match(text):
            in_section, current = True, None
        elif raw[0] in " \u3000":
            in_section, current = False, None  # a new text block: page header, schedule …
        elif in_section:
            current = _summary_line(raw, current, entries, blank_before)
            if current is not None:
                current.lines.append(i + 1)
        blank_before = False
    by_title = {match_key(item.title): item.code for item in out.items}
    for entry in entries:
        if not entry.grade:
            continue
        title = join_lines(entry.title)
        code = _match_title(title, by_title)
        span = Span(doc, min(entry.lines), max(entry.lines))
        if code is None:
            out.notes.append(ParseNote(span, f"summary entry '{title}' names no item sheet"))
            continue
        out.summary_grades.append(
            SummaryGrade(
                item=code,
                year=year,
                grade=entry.grade,
                by="self",
                title=title,
                span=span,
                marks=Marks(
                    importance_high=any(c in "○〇" for c in entry.marks),
                    priority="重" in entry.marks,
                ),
                highlights="\n".join(entry.highlights) or None,
            )
        )


def _summary_line(
    raw: str, current: _Entry | None, entries: list[_Entry], blank_before: bool
) -> _Entry | None:
    """Add one summary line to the entry it belongs to; return the current entry."""
    line = raw.strip()
    m = _SUMMARY_GRADE.match(line)
    if m:
        title, rest = m.group("title").strip(), (m.group("rest") or "").strip()
        if current is None or current.grade:
            current = _Entry()
            entries.append(current)
        if title:
            current.title.append(title)
        current.grade, current.marks = nfkc(m.group("grade")), m.group("marks")
        if rest:
            current.highlights.append(rest)
        return current
    bullet = nfkc(line[0]) in "・【("
    if current is not None and current.grade and (bullet or not blank_before):
        current.highlights.append(line)  # kept line by line, as printed
        return current
    if current is None or current.grade:
        current = _Entry()
        entries.append(current)
    current.title.append(line)
    return current


def _match_title(title: str, by_title: dict[str, str]) -> str | None:
    key = match_key(title)
    if key in by_title:
        return by_title[key]
    found = [code for k, code in by_title.items() if key and (key in k or k in key)]
    return found[0] if len(found) == 1 else None


def _overall(front: Sequence[str], doc: str, year: int, out: DocumentRecords) -> None:
    """The overall grade of 1-1-2 総合評定, when the form's cell holds one (not ○○)."""
    heading = next(
        (
            i
            for i, line in enumerate(front)
            if _OVERALL_HEADING.search(nfkc(line)) and _TOC not in line
        ),
        None,
    )
    if heading is None:
        return
    for i in range(heading + 1, len(front)):
        text = nfkc(front[i]).strip()
        if "総括表" in text:
            return
        m = _OVERALL_GRADE.match(text)
        if not m:
            continue
        span = Span(doc, i + 1, i + 1)
        if m.group(2).startswith(_PLACEHOLDER):
            out.notes.append(
                ParseNote(span, "the overall grade cell holds the form's placeholder (Ｂ：○○・・)")
            )
            return
        out.overall.append(OverallEvaluation(year, m.group(1), "self", span))
        return
