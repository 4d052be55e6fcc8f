"""Parser for the self-evaluation report in its Markdown/HTML-table form (自己評価書).

The report follows the ministers' template ("様式"): 1-1-2 overall grade (総合評価), 1-1-3 item
grade summary table (項目別評価総括表, ministerial grades of past years with marks), 1-1-4 one
item sheet (項目別評価調書 / 項目別評定調書) per evaluation item. Table rows are tab-separated
lines; cells keep the HTML the conversion left (``<p>``, ``<li>``, ``<u>`` …).

An item sheet's table has one row per goal clause with the plan and annual-plan clauses that
implement it. A page break cuts a row: the first row under a repeated page header carries the
rest of the cut cells, and may *also* start new clauses (a cell reads "…end of the cut
sentence。 ○next clause"). So the table is read as one text stream per column: text before a
clause bullet in the first row of a page continues the open clause of that column; every other
cell, and every bullet, starts a clause in its row. Clauses that start in the same row are one
trace row: a plan clause implements the goal clause of its row (or the last goal clause above
it, as a merged cell does), an annual clause the plan clause of its row.

Nothing here knows which items, grades or values exist; only the template's markers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.errors import ParseError
from kg.ingest.citations import detail_reference
from kg.ingest.quantities import Quantity, quantities, statistic_in
from kg.ingest.targets import read_clause_targets, stated_targets
from kg.records import (
    Clause,
    DocumentRecords,
    Evaluation,
    Indicator,
    Item,
    Marks,
    Observation,
    OverallEvaluation,
    Span,
    Target,
)
from kg.text import fiscal_years_in, match_key, nfkc, squash, strip_markup

KIND = "self-evaluation-report"
ISSUES = frozenset({"indicator"})
"""A report sets that year's indicators in full; the plans it only quotes, row by row."""

_GRADES = "SABCD"
_ITEM_CODE = re.compile(r"^(I{1,3}|IV|V)-(\d{1,2})$")
_SECTION = re.compile(r"^1-1-(\d)(?:-(\d))?\s")
_TOC = re.compile(r"・・・\s*p\s*\d")
_SELF_GRADE = re.compile(r"(?:評定|評価)\s*[:：]\s*([SABCD])(?![A-Za-z])")
_RATIONALE = re.compile(r"根拠\s*[:：]\s*(.+?)(?:<課題と対応>|$)")
_BULLET = re.compile(r"(?:^|(?<=[\s>]))[○〇]")
_LIST_BULLET = re.compile(r"(?:^|(?<=[\s>]))[・○〇]")
_IND_HEADER = re.compile(r"<(主な定量的指標|評価の視点)>")
# The actuals of quantitative indicators: from [定量的指標の実績] to the next bracketed heading.
_RESULT_HEADER = re.compile(r"<主要な業務実績>|[\[［]定量的指標の実績")
_QUANT_BLOCK = re.compile(r"[\[［]定量的指標の実績[\]］](.*?)(?=[\[［]定量的指標|$)", re.S)
_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")
_SUB_VALUE = re.compile(r"[（(]うち(.+?)[:：](.+?)[）)]")
# Values listed in one bullet are separated by 、 (a comma followed by three digits is a
# thousands separator, not a list).
_VALUE_SEPARATOR = re.compile(r"、|[,，](?!\d{3})")


def detect(text: str) -> bool:
    """A self-evaluation report in table form: the template's summary table and item sheets
    as tab-separated rows (the PDF extraction of the same template has no tabs)."""
    norm = nfkc(text[:200_000])
    return (
        "自己評価書" in norm
        and re.search(r"項目別評[価定]総括表", norm) is not None
        and re.search(r"中期目標\t+中期計画\t+年度計画", norm) is not None
    )


@dataclass
class _Row:
    """One line of a table, split into cells (raw text, markup kept)."""

    line: int
    cells: list[str]

    def cell(self, i: int | None) -> str:
        if i is None or i >= len(self.cells):
            return ""
        return self.cells[i]

    def plain(self, i: int | None) -> str:
        return strip_markup(self.cell(i))

    def texts(self) -> list[str]:
        return [strip_markup(c) for c in self.cells]


def _rows(lines: list[str], start: int, end: int) -> list[_Row]:
    """Lines ``start``..``end`` (0-based, end exclusive) as rows, blank lines dropped."""
    out = []
    for i in range(start, end):
        if lines[i].strip():
            out.append(_Row(i + 1, lines[i].split("\t")))
    return out


def parse(text: str, doc: str) -> DocumentRecords:
    """Read the whole report; raise :class:`ParseError` when the template is not there."""
    if not detect(text):
        raise ParseError(
            doc,
            "not a self-evaluation report in table form (expected the 項目別評価総括表 "
            "and item sheets with 中期目標/中期計画/年度計画 columns)",
        )
    lines = text.split("\n")
    sections = _sections(lines)
    year = _report_year(lines, sections, doc)
    records = DocumentRecords(doc=doc, kind=KIND, year=year, issues=ISSUES)
    records.covers_goal_period = _covers_goal_period(lines)
    for (major, minor), (start, end) in sorted(sections.items(), key=lambda kv: kv[1]):
        if (major, minor) == ("2", None):
            records.overall.extend(_overall(lines, start, end, doc))
        elif (major, minor) == ("3", None):
            records.evaluations.extend(_summary(lines, start, end, doc))
        elif major == "4":
            for sheet_start, sheet_end in _sheets(lines, start, end):
                _SheetParser(lines, sheet_start, sheet_end, doc, year, records).run()
    if not records.items:
        raise ParseError(
            doc,
            "no item sheet found (expected rows like 'I-1<TAB>title' under "
            "'1. 当事務及び事業に関する基本情報')",
        )
    if not any(e.by == "ministerial" for e in records.evaluations):
        raise ParseError(doc, "the item grade summary table (1-1-3) has no grades")
    read_clause_targets(records)
    return records


def _sections(lines: list[str]) -> dict[tuple[str, str | None], tuple[int, int]]:
    """Template sections by number (``("3", None)`` is 1-1-3; ``("4", "1")`` is 1-1-4-1).

    A section's range runs to the next heading; the table of contents (lines ending in
    ``・・・ p N``) is skipped. Sections 1-1-4-x may repeat (one heading per sheet).
    """
    heads: list[tuple[int, str, str | None]] = []
    for i, line in enumerate(lines):
        m = _SECTION.match(nfkc(line))
        if m and not _TOC.search(line):
            heads.append((i, m.group(1), m.group(2)))
    out: dict[tuple[str, str | None], tuple[int, int]] = {}
    for n, (i, major, _minor) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        # Item sheets repeat their heading: keep one range from the first to the last.
        key = (major, None) if major != "4" else ("4", "*")
        first = out.get(key, (i, end))[0]
        out[key] = (first, end)
    return out


def _report_year(
    lines: list[str], sections: dict[tuple[str, str | None], tuple[int, int]], doc: str
) -> int:
    """The fiscal year evaluated: the first 令和N年度 of the title lines (before 1-1-1)."""
    first_section = min((r[0] for r in sections.values()), default=len(lines))
    for line in lines[:first_section]:
        if "年度" in line and (years := fiscal_years_in(line)):
            return years[0]
    raise ParseError(doc, "no fiscal year (令和N年度) in the report's title")


def _covers_goal_period(lines: list[str]) -> bool:
    """Whether the report's kind (評価対象事業年度 row) is 見込評価 or 期間実績評価: the
    evaluations of the goal period as a whole that 番号利用法 第38条の11第1項第2号・第3号
    require in its last two years, rather than (only) a 年度評価."""
    for line in lines:
        cells = [nfkc(c).strip() for c in line.split("\t")]
        if cells and cells[0].startswith("評価対象事業年度"):
            return any(c in ("見込評価", "期間実績評価") for c in cells[1:])
    return False


def _grade_cell(cell: str) -> tuple[str, Marks] | None:
    """``<u>A</u> ○重`` → ("A", difficulty, importance, priority); None for an empty cell."""
    plain = nfkc(strip_markup(cell))
    m = re.match(r"^([SABCD])\s*([○〇]?)\s*(重?)", plain)
    if not m:
        return None
    underlined = re.search(r"<u>\s*[SABCDＳＡＢＣＤ]\s*</u>", cell) is not None
    return m.group(1), Marks(
        importance_high=bool(m.group(2)), difficulty_high=underlined, priority=bool(m.group(3))
    )


def _year_columns(row: _Row) -> dict[int, int]:
    """Cell index → fiscal year, for a header row of ``令和N年度`` cells."""
    out = {}
    for i, text in enumerate(row.texts()):
        years = fiscal_years_in(text)
        if len(years) == 1 and "年度" in text:
            out[i] = years[0]
    return out


def _overall(lines: list[str], start: int, end: int, doc: str) -> list[OverallEvaluation]:
    """Past years' overall grades: a row of year headers followed by a row of grades.

    These are the ministers' grades of earlier years (本中期目標期間における過年度の総合評価).
    The grade cell of the year under evaluation belongs to the ministers' part of the form
    and is left to a later report.
    """
    rows = _rows(lines, start, end)
    out = []
    for head, values in itertools.pairwise(rows):
        years = _year_columns(head)
        if len(years) < 2:
            continue
        for i, year in years.items():
            grade = _grade_cell(values.cell(i))
            if grade:
                span = Span(doc, head.line, values.line)
                out.append(OverallEvaluation(year, grade[0], "ministerial", span))
    return out


def _summary(lines: list[str], start: int, end: int, doc: str) -> list[Evaluation]:
    """The item grade summary table: one ministerial grade per filled (item, year) cell."""
    years: dict[int, int] = {}
    out = []
    for row in _rows(lines, start, end):
        header = _year_columns(row)
        if len(header) >= 2:
            years = header
            continue
        code = next((nfkc(t) for t in row.texts() if _ITEM_CODE.match(nfkc(t))), None)
        if code is None or not years:
            continue
        for i, year in years.items():
            grade = _grade_cell(row.cell(i))
            if grade:
                out.append(
                    Evaluation(
                        code,
                        year,
                        grade[0],
                        "ministerial",
                        Span(doc, row.line, row.line),
                        marks=grade[1],
                    )
                )
    return out


def _sheets(lines: list[str], start: int, end: int) -> Iterator[tuple[int, int]]:
    """Item sheets: from a row whose first cell is an item code to the next such row."""
    starts = []
    for i in range(start, end):
        first = nfkc(lines[i].split("\t")[0].strip())
        if _ITEM_CODE.match(first):
            starts.append(i)
    for n, i in enumerate(starts):
        yield i, starts[n + 1] if n + 1 < len(starts) else end


@dataclass
class _Columns:
    """Cell indices of one page of an item sheet's table, read from its header row."""

    goal: int
    plan: int
    annual: int
    indicators: int
    results: int
    self_eval: int
    minister: int | None

    @classmethod
    def from_header(cls, row: _Row) -> _Columns | None:
        texts = [nfkc(t) for t in row.texts()]

        def at(label: str) -> int | None:
            return next((i for i, t in enumerate(texts) if t.startswith(label)), None)

        goal, plan, annual = at("中期目標"), at("中期計画"), at("年度計画")
        indicators, results = at("主な評価指標"), at("法人の業務実績")
        if None in (goal, plan, annual, indicators, results):
            return None
        assert goal is not None and plan is not None and annual is not None
        assert indicators is not None and results is not None
        return cls(goal, plan, annual, indicators, results, results + 1, at("主務大臣"))


@dataclass
class _Segment:
    """Text of one column that starts in row ``line`` and runs to ``end`` (continuations)."""

    line: int
    end: int
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Plain text as published; a cut sentence is joined without a space."""
        return "".join(strip_markup(p) for p in self.parts)


class _SheetParser:
    """Reads one item sheet into the records (item, self grade, clauses, indicators, actuals)."""

    def __init__(
        self, lines: list[str], start: int, end: int, doc: str, year: int, out: DocumentRecords
    ) -> None:
        self.lines, self.start, self.end = lines, start, end
        self.doc, self.year, self.out = doc, year, out
        self.code = nfkc(lines[start].split("\t")[0].strip())
        # Column streams of the trace table, each a list of segments.
        self.streams: dict[str, list[_Segment]] = {
            k: [] for k in ("goal", "plan", "annual", "indicators", "results")
        }
        # Kind of the indicator list being read (True: 主な定量的指標, False: 評価の視点); a
        # list cut by a page break goes on under the same heading.
        self.quantitative: bool | None = None

    def span(self, start: int, end: int | None = None) -> Span:
        return Span(self.doc, start, end if end is not None else start)

    def run(self) -> None:
        rows = _rows(self.lines, self.start, self.end)
        head = rows[0]
        item = Item(
            code=self.code,
            title=squash(head.plain(1)),
            span=self.span(head.line),
            category=self.code.split("-")[0],
        )
        table_start = self._basic_info(rows, item)
        self.out.items.append(item)
        self._table(rows[table_start:])
        self._emit(item)

    def _basic_info(self, rows: list[_Row], item: Item) -> int:
        """Policy, legal basis and staff; returns the index of the first row after them."""
        for n, row in enumerate(rows):
            texts = row.texts()
            first = nfkc(texts[0]) if texts else ""
            if first.startswith("2."):
                return n
            if first.startswith("業務に関連する政策"):
                values = [t for t in texts[1:] if t]
                basis_at = next((i for i, t in enumerate(values) if "根拠" in t), None)
                policy = values[:basis_at] if basis_at is not None else values
                basis = values[basis_at + 1 :] if basis_at is not None else []
                item.related_policy = _dash_none(" ".join(policy))
                item.legal_basis = _dash_none(" ".join(basis))
                item.span = item.span.union(self.span(row.line))
            elif first.startswith("人員に関する情報") and n + 1 < len(rows):
                years = _year_columns(row)
                counts = rows[n + 1]
                for i, year in years.items():
                    m = re.match(r"^(\d[\d,]*)\s*人", nfkc(counts.plain(i)))
                    if m:
                        item.staff[year] = int(m.group(1).replace(",", ""))
                item.span = item.span.union(self.span(counts.line))
        raise ParseError(
            self.doc,
            f"item sheet {self.code} has no table '2. 各事業年度の業務に係る目標…'",
            rows[0].line,
        )

    def _table(self, rows: list[_Row]) -> None:
        columns: _Columns | None = None
        first_on_page = False
        for row in rows:
            texts = [nfkc(t) for t in row.texts()]
            nonempty = [t for t in texts if t]
            if not nonempty:
                continue
            if nonempty[0].startswith("3."):  # 3. その他参考情報: the table has ended
                break
            if nonempty[0].startswith(("2.", "注")):  # the table's title, footnotes
                continue
            header = _Columns.from_header(row)
            if header:
                columns, first_on_page = header, True
                continue
            if columns is None:
                continue
            if set(nonempty) <= {"業務実績", "自己評価", "評定", "評価", "評 定"}:
                continue
            if self._evaluation_row(row, columns):
                first_on_page = False
                continue
            self._table_row(row, columns, first_on_page)
            first_on_page = False
        if columns is None:
            raise ParseError(
                self.doc,
                f"item sheet {self.code}: no header row with "
                "中期目標/中期計画/年度計画/主な評価指標",
                self.start + 1,
            )

    def _evaluation_row(self, row: _Row, columns: _Columns) -> bool:
        """The row with the item's self grade (評定：B / 評価：B) and the ministers' cell."""
        cell = row.cell(columns.self_eval)
        plain = strip_markup(cell)
        grade = _SELF_GRADE.search(nfkc(plain))
        if not grade:
            return False
        rationale = _RATIONALE.search(plain)
        difficulty = re.search(r"<u>\s*[SABCD]\s*</u>", nfkc(cell)) is not None
        ref = detail_reference(
            strip_markup(row.cell(columns.results)), self.code, self.span(row.line)
        )
        if ref is not None:
            self.out.references.append(ref)
        self.out.evaluations.append(
            Evaluation(
                self.code,
                self.year,
                grade.group(1),
                "self",
                self.span(row.line),
                marks=Marks(difficulty_high=difficulty) if difficulty else None,
                rationale=squash(rationale.group(1)) if rationale else None,
            )
        )
        minister = " ".join(row.cells[columns.minister :]) if columns.minister else ""
        mgrade = _SELF_GRADE.search(nfkc(strip_markup(minister)))
        if mgrade:
            self.out.evaluations.append(
                Evaluation(
                    self.code, self.year, mgrade.group(1), "ministerial", self.span(row.line)
                )
            )
        return True

    def _table_row(self, row: _Row, columns: _Columns, first_on_page: bool) -> None:
        """Append this row's cells to the column streams (see the module docstring)."""
        for name, index in (
            ("goal", columns.goal),
            ("plan", columns.plan),
            ("annual", columns.annual),
            ("indicators", columns.indicators),
            ("results", columns.results),
        ):
            cell = row.cell(index)
            if not strip_markup(cell):
                continue
            stream = self.streams[name]
            if not (first_on_page and stream):
                cont, rest = "", cell
            elif name == "indicators":
                cont, rest = _split_continuation(cell, _LIST_BULLET, _IND_HEADER)
            elif name == "results":
                cont, rest = _split_continuation(cell, _RESULT_HEADER)
            else:
                cont, rest = _split_continuation(cell, _BULLET)
            if strip_markup(cont) and stream:
                stream[-1].parts.append(cont)
                stream[-1].end = row.line
            if strip_markup(rest):
                stream.append(_Segment(row.line, row.line, [rest]))

    def _emit(self, item: Item) -> None:
        """Turn the column streams into clauses, indicators, targets and observations."""
        clause_rows: dict[str, dict[int, list[int]]] = {"goal": {}, "plan": {}, "annual": {}}
        for level, stream_name in (("goal", "goal"), ("plan", "plan"), ("annual", "annual")):
            for seg in self.streams[stream_name]:
                for text in _split_clauses(seg.text):
                    clause = Clause(
                        level=level,
                        item=self.code,
                        text=text,
                        span=self.span(seg.line, seg.end),
                        year=self.year if level == "annual" else None,
                    )
                    clause_rows[level].setdefault(seg.line, []).append(len(self.out.clauses))
                    self.out.clauses.append(clause)
        self._link(clause_rows, "plan", "goal")
        self._link(clause_rows, "annual", "plan")
        for seg in self.streams["indicators"]:
            self._indicators(seg, clause_rows)
        first_observation = len(self.out.observations)
        for seg in self.streams["results"]:
            self._observations(seg)
        self._keep_measured_targets(first_observation)

    def _keep_measured_targets(self, first_observation: int) -> None:
        """A clause can state several numbers (a capacity and a deadline); an indicator whose
        actuals are reported keeps only the targets in the unit those actuals are in."""
        units: dict[int, set[str]] = {}
        for obs in self.out.observations[first_observation:]:
            units.setdefault(obs.indicator, set()).add(obs.unit)
        for index, measured in units.items():
            ind = self.out.indicators[index]
            ind.targets = [t for t in ind.targets if t.unit in measured]

    def _link(self, rows: dict[str, dict[int, list[int]]], lower: str, upper: str) -> None:
        """Each ``lower`` clause implements the ``upper`` clause of its row, or the last above."""
        uppers = sorted(rows[upper].items())
        for line, indices in rows[lower].items():
            same = rows[upper].get(line)
            above = [ix for ln, ixs in uppers if ln <= line for ix in ixs]
            for n, index in enumerate(indices):
                if same:
                    target = same[min(n, len(same) - 1)]
                elif above:
                    target = above[-1]
                else:
                    continue
                self.out.clauses[index].implements = target

    def _row_clauses(self, rows: dict[str, dict[int, list[int]]], line: int) -> list[int]:
        """Plan and annual clauses of the trace row at ``line`` (or the last ones above)."""
        out = []
        for level in ("plan", "annual"):
            at = rows[level].get(line)
            if at is None:
                above = [ixs for ln, ixs in sorted(rows[level].items()) if ln <= line]
                at = above[-1][-1:] if above else []
            out.extend(at)
        return out

    def _indicators(self, seg: _Segment, rows: dict[str, dict[int, list[int]]]) -> None:
        measures = self._row_clauses(rows, seg.line)
        for part in _IND_HEADER.split(seg.text):
            part = part.strip()
            if part in ("主な定量的指標", "評価の視点"):
                self.quantitative = part == "主な定量的指標"
                continue
            for bullet in _LIST_BULLET.split(part):
                label = _clean_label(bullet)
                if not label or self.quantitative is None:
                    continue
                ind = Indicator(
                    self.code,
                    label,
                    self.quantitative,
                    self.span(seg.line, seg.end),
                    measures=list(measures),
                )
                if self.quantitative:
                    ind.targets = self._targets(measures)
                self.out.indicators.append(ind)

    def _targets(self, measures: list[int]) -> list[Target]:
        """Numeric targets stated in the goal and plan clauses a quantitative indicator measures."""
        out: list[Target] = []
        seen: set[tuple[str, str, str]] = set()
        sources: list[Clause] = []
        for index in measures:
            clause = self.out.clauses[index]
            if clause.level == "plan":
                if clause.implements is not None:
                    sources.append(self.out.clauses[clause.implements])
                sources.append(clause)
        for clause in sources:
            for target in stated_targets(clause.text, clause.span):
                key = (str(target.value), target.unit, target.comparator)
                if key in seen:
                    continue
                seen.add(key)
                out.append(target)
        return out

    def _observations(self, seg: _Segment) -> None:
        """Actuals of the quantitative indicators of the segment's trace row.

        Read from the published text (subjects and quotes as printed); NFKC only to match.
        """
        sheet = [
            i
            for i, ind in enumerate(self.out.indicators)
            if ind.item == self.code and ind.quantitative and ind.span.start <= seg.line
        ]
        # The indicators of the same trace row; a row that reports actuals without listing
        # indicators of its own reports on those listed above it in the sheet.
        quantitative = [i for i in sheet if seg.line <= self.out.indicators[i].span.end] or sheet
        if not quantitative:
            return
        for block in _QUANT_BLOCK.findall(seg.text):
            for bullet in _LIST_BULLET.split(block):
                m = re.match(r"^(.*?)[:：](.*)$", bullet.strip())
                if not m:
                    continue
                label, value_text = m.group(1).strip(), m.group(2).strip()
                for value, subject, measure in _values(value_text):
                    self.out.observations.append(
                        Observation(
                            indicator=_best_indicator(
                                self.out.indicators, quantitative, measure or label
                            ),
                            year=self.year,
                            value=value.value,
                            unit=value.unit,
                            text=squash(bullet),
                            span=self.span(seg.line, seg.end),
                            subject=subject or label,
                            statistic=value.statistic or statistic_in(label),
                            approximate=value.approximate,
                        )
                    )


def _values(text: str) -> list[tuple[Quantity, str | None, str | None]]:
    """The values of one bullet as (quantity, subject, measure).

    ``2回（A関係）、4回（B関係）`` gives two values whose subjects are A関係 and B関係;
    ``23人（うちX：10人）`` gives 23 and a value 10 of the narrower measure X (matched to the
    indicator named X). A parenthesis after a lone value is a note (``12日(年末年始を除く)``).
    """
    out: list[tuple[Quantity, str | None, str | None]] = []
    sub = _SUB_VALUE.search(text)
    if sub:
        measure = sub.group(1).strip()
        out += [(q, None, None) for q in quantities(text[: sub.start()])[:1]]
        out += [(q, measure, measure) for q in quantities(sub.group(2))[:1]]
        return out
    parts = [p for p in _VALUE_SEPARATOR.split(text) if p.strip()]
    for part in parts:
        found = quantities(part)
        if not found:
            continue
        paren = _PAREN.search(part)
        subject = paren.group(1).strip() if paren and len(parts) > 1 else None
        out.append((found[0], subject, None))
    return out


def _best_indicator(indicators: list[Indicator], candidates: list[int], label: str) -> int:
    """The candidate indicator whose label shares the most characters with ``label``."""
    key = set(match_key(label))
    return max(candidates, key=lambda i: len(key & set(match_key(indicators[i].label))))


def _split_continuation(
    cell: str, bullet: re.Pattern[str], header: re.Pattern[str] | None = None
) -> tuple[str, str]:
    """Split a page's first cell into (rest of the cut clause, new clauses from the bullet)."""
    cell = cell.replace("&lt;", "<").replace("&gt;", ">")
    marks = [m.start() for m in bullet.finditer(cell)]
    if header is not None:
        marks += [m.start() for m in header.finditer(cell)]
    if not marks:
        return cell, ""
    cut = min(marks)
    head = cell[:cut]
    # A paragraph tag opening right before the bullet belongs to the new clause.
    head_open = head.rfind("<p>")
    if head_open != -1 and not strip_markup(head[head_open:]):
        cut = head_open
    return cell[:cut], cell[cut:]


def _split_clauses(plain: str) -> list[str]:
    """A column segment's clauses, split at ``○`` bullets (text as published)."""
    starts = [m.start() for m in _BULLET.finditer(plain)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    pieces = [plain[a:b].strip() for a, b in zip(starts, [*starts[1:], len(plain)], strict=True)]
    return [p for p in pieces if p]


def _clean_label(bullet: str) -> str:
    label = squash(bullet).strip()
    return label.rstrip("。").strip()


def _dash_none(text: str) -> str | None:
    """Cells printed as ``-`` or ``—`` mean "none"."""
    text = squash(text)
    return None if not text or text in {"-", "—", "－", "ー", "―"} else text
