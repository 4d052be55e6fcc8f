"""Read one item sheet (項目別評定調書 / 項目別評価調書) of the PDF-extracted self-evaluation.

A sheet follows the ministers' form: 1. basic information (item code and title, related policy,
legal basis, staff per year), 2. the table of goals, plans, indicators, results and grades (the
self grade 評定：X with its rationale 根拠：… comes first, then one row per goal), 3. other
information. The table's columns are interleaved in the text; :mod:`.selfeval_pdf_table`
rebuilds its rows, this module turns sheet and rows into records.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from kg.errors import ParseError
from kg.ingest.citations import detail_reference
from kg.ingest.selfeval_pdf_actuals import Value, entry_values, subjects
from kg.ingest.selfeval_pdf_table import (
    ANNUAL,
    GOAL,
    INDICATORS,
    PLAN,
    RESULTS,
    Cell,
    Row,
    is_page_furniture,
    join_lines,
    minister_template_lines,
    read_rows,
    similarity,
)
from kg.ingest.targets import stated_targets
from kg.records import (
    Clause,
    DocumentRecords,
    Evaluation,
    Indicator,
    Item,
    Marks,
    Observation,
    ParseNote,
    Span,
    Target,
)
from kg.text import fiscal_years_in, nfkc

_SHEET_START = re.compile(r"^1\.\s*当事務及び事業に関する基本情報")
_CODE = re.compile(r"^\s*([ⅠⅡⅢⅣⅤIVX]+)\s*[-‐－―ー–—]\s*([0-9０-９]+)\s*(.*?)\s*$")
_TABLE_TITLE = re.compile(r"^2\.\s*各事業年度")
_SHEET_END = re.compile(r"^(?:3\.\s*その他参考情報|注\d+\))")
_GRADE = re.compile(r"(?:評定|評価)\s*[:：]\s*([SABCDＳＡＢＣＤ])\s*([○〇]?)\s*(重?)")
_RATIONALE = re.compile(r"^根拠\s*[:：]\s*")
_RATIONALE_END = re.compile(r"^(?:\[定量的指標の実績\]|<課題と対応>)")
_ISSUES = re.compile(r"^<課題と対応>")
_POLICY = re.compile(r"業務に関連する政策・?施\s*策(.*?)当該事業実施に係る根拠", re.S)
_BASIS = re.compile(r"当該事業実施に係る根拠\s*[（(]\s*個別法\s*条文など\s*[）)](.*)$", re.S)
_STAFF = re.compile(r"([0-9０-９][0-9０-９,，]*)\s*人")
_DASHES = {"-", "—", "－", "ー", "―", "‐"}


def sheet_starts(lines: Sequence[str]) -> list[int]:
    """1-based numbers of the lines that open an item sheet (1. 当事務及び事業に関する基本情報)."""
    return [i + 1 for i, line in enumerate(lines) if _SHEET_START.match(nfkc(line).strip())]


class SheetReader:
    """Reads the sheet on lines ``start``..``end`` (1-based, inclusive) into ``out``."""

    def __init__(
        self, lines: Sequence[str], start: int, end: int, doc: str, year: int, out: DocumentRecords
    ) -> None:
        self.lines, self.start, self.end = lines, start, end
        self.doc, self.year, self.out = doc, year, out
        self.code = ""

    def line(self, n: int) -> str:
        return self.lines[n - 1]

    def span(self, start: int, end: int | None = None) -> Span:
        return Span(self.doc, start, end if end is not None else start)

    def fail(self, message: str, line: int) -> ParseError:
        where = f"item sheet {self.code}" if self.code else "item sheet"
        return ParseError(self.doc, f"{where}: {message}", line)

    def find(self, pattern: re.Pattern[str], start: int, end: int | None = None) -> int | None:
        """The first line in ``start``..``end`` whose NFKC text (stripped) matches."""
        for n in range(start, (end if end is not None else self.end) + 1):
            if pattern.search(nfkc(self.line(n)).strip()):
                return n
        return None

    def starting(self, prefix: str, start: int, end: int) -> int | None:
        """The first line in ``start``..``end`` whose NFKC text starts with ``prefix``."""
        return next(
            (n for n in range(start, end + 1) if nfkc(self.line(n)).strip().startswith(prefix)),
            None,
        )

    def run(self) -> None:
        item = self._basic_info()
        table = self.find(_TABLE_TITLE, item.span.end + 1)
        if table is None:
            raise self.fail("no table '2. 各事業年度の業務に係る目標…'", self.start)
        rows_start = self._evaluation(table)
        rows_end = self.find(_SHEET_END, rows_start)
        if rows_end is None:
            raise self.fail("the table ends before '3. その他参考情報' (truncated?)", rows_start)
        rows, notes = read_rows([(n, self.line(n)) for n in range(rows_start, rows_end)])
        if not rows:
            raise self.fail("the table has no row starting with a ○ clause", rows_start)
        self.out.items.append(item)
        for note in notes:
            self.out.notes.append(ParseNote(self.span(note.line), note.message, self.code))
        for row in rows:
            self._row(row)

    # -- 1. basic information ------------------------------------------------------------------

    def _basic_info(self) -> Item:
        at = next((n for n in range(self.start + 1, self.end + 1) if self.line(n).strip()), None)
        m = _CODE.match(self.line(at)) if at is not None else None
        if at is None or m is None:
            raise self.fail("expected an item code such as 'Ⅰ-１' after the heading", self.start)
        self.code = f"{nfkc(m.group(1))}-{int(nfkc(m.group(2)))}"
        info_end = (self.find(_TABLE_TITLE, at) or self.end + 1) - 1
        title_parts, last = [m.group(3)], at
        if not m.group(3):
            for n in range(at + 1, info_end + 1):
                text = nfkc(self.line(n)).strip()
                if text.startswith(("業務に関連する政策", "注")):
                    break
                if text:
                    title_parts.append(self.line(n))
                    last = n
        title = join_lines(title_parts)
        if not title:
            raise self.fail("no item title", at)
        item = Item(self.code, title, self.span(self.start, last), category=nfkc(m.group(1)))
        self._policy_and_basis(item, at, info_end)
        self._staff(item, at, info_end)
        return item

    def _policy_and_basis(self, item: Item, start: int, end: int) -> None:
        first = self.starting("業務に関連する政策", start, end)
        if first is None:
            return
        stop = self.starting("人員に関する情報", first, end) or end + 1
        text = join_lines([self.line(n) for n in range(first, stop)])
        policy, basis = _POLICY.search(text), _BASIS.search(text)
        item.related_policy = _dash_none(policy.group(1)) if policy else None
        item.legal_basis = _dash_none(basis.group(1)) if basis else None
        item.span = item.span.union(self.span(first, stop - 1))

    def _staff(self, item: Item, start: int, end: int) -> None:
        head = self.starting("人員に関する情報", start, end)
        if head is None:
            return
        years_at = next((n for n in range(head, end + 1) if fiscal_years_in(self.line(n))), None)
        if years_at is None:
            return
        years = fiscal_years_in(self.line(years_at))
        counts_at = next((n for n in range(years_at + 1, end + 1) if self.line(n).strip()), None)
        if counts_at is None:
            return
        counts = _STAFF.findall(self.line(counts_at))
        for year, count in zip(years, counts, strict=False):
            item.staff[year] = int(nfkc(count).replace(",", ""))
        item.span = item.span.union(self.span(head, counts_at))

    # -- 2. the self grade ---------------------------------------------------------------------

    def _evaluation(self, table: int) -> int:
        """Read the reference, the self grade and its rationale; return the first row line."""
        grade_at = self.find(_GRADE, table)
        if grade_at is None:
            raise self.fail("no self grade '評定：X' in the table", table)
        self._reference(table, grade_at)
        m = _GRADE.search(nfkc(self.line(grade_at)))
        assert m is not None
        issues = self.find(_ISSUES, grade_at)
        first_clause = next(
            (
                n
                for n in range((issues or grade_at) + 1, self.end + 1)
                if nfkc(self.line(n).strip()[:1]) in ("○", "〇")
            ),
            None,
        )
        if first_clause is None:
            raise self.fail("no row starting with a ○ clause after the self grade", grade_at)
        rationale, last = self._rationale(grade_at, issues or first_clause)
        marks = Marks(importance_high=bool(m.group(2)), priority=bool(m.group(3)))
        self.out.evaluations.append(
            Evaluation(
                self.code,
                self.year,
                nfkc(m.group(1)),
                "self",
                self.span(grade_at, last),
                marks=marks,
                rationale=rationale,
            )
        )
        return first_clause

    def _rationale(self, grade_at: int, stop: int) -> tuple[str | None, int]:
        """根拠：… up to the actuals summary or ＜課題と対応＞, without the ministers' column."""
        numbered = [(n, self.line(n)) for n in range(grade_at + 1, stop)]
        skip = minister_template_lines(numbered)
        parts: list[str] = []
        last = grade_at
        started = False
        for n, raw in numbered:
            text = nfkc(raw).strip()
            if not text or n in skip or is_page_furniture(raw):
                continue
            if _RATIONALE_END.match(text):
                break
            if not started:
                if not _RATIONALE.match(text):
                    continue
                started = True
                raw = _RATIONALE.sub("", raw.strip(), count=1)
            parts.append(raw)
            last = n
        text = join_lines(parts)
        return (text or None), last

    def _reference(self, table: int, grade_at: int) -> None:
        """（詳細は、…令和３年度事業報告第３章三）: a pointer into the business report."""
        numbered = [n for n in range(table, grade_at) if self.line(n).strip()]
        if not numbered:
            return
        text = join_lines([self.line(n) for n in numbered])
        first = next((n for n in numbered if "詳" in self.line(n)), numbered[0])
        last = next((n for n in numbered if n >= first and ")" in nfkc(self.line(n))), first)
        ref = detail_reference(text, self.code, self.span(first, last))
        if ref is not None:
            self.out.references.append(ref)

    # -- the rows ------------------------------------------------------------------------------

    def _row(self, row: Row) -> None:
        out = self.out
        levels = {}
        for level, column in (("goal", GOAL), ("plan", PLAN), ("annual", ANNUAL)):
            indices = []
            for cell in row.columns[column]:
                indices.append(len(out.clauses))
                out.clauses.append(
                    Clause(
                        level=level,
                        item=self.code,
                        text=cell.text,
                        span=self.span(cell.start, cell.end),
                        year=self.year if level == "annual" else None,
                    )
                )
            levels[level] = indices
        self._link(levels["plan"], levels["goal"])
        self._link(levels["annual"], levels["plan"])
        measures = levels["plan"] + levels["annual"]
        quantitative: list[int] = []
        for cell in row.columns[INDICATORS]:
            is_quantitative = cell.kind == "quantitative"
            if is_quantitative:
                quantitative.append(len(out.indicators))
            out.indicators.append(
                Indicator(
                    self.code,
                    _label(cell.text),
                    is_quantitative,
                    self.span(cell.start, cell.end),
                    measures=list(measures),
                )
            )
        actuals = [c for c in row.columns[RESULTS] if c.kind == "actuals"]
        if actuals and not quantitative:
            out.notes.append(
                ParseNote(
                    self.span(actuals[0].start),
                    "actuals reported in a row without a quantitative indicator; not read",
                    self.code,
                )
            )
        observed = self._observations(actuals, quantitative) if quantitative else {}
        sources = [out.clauses[i] for i in levels["goal"] + levels["plan"]]
        for index in quantitative:
            out.indicators[index].targets = _targets(sources, observed.get(index, set()))

    def _link(self, lower: list[int], upper: list[int]) -> None:
        """A lower-level clause implements the upper clause of its row in the same place (or the
        only one, or the most similar one when the counts differ)."""
        clauses = self.out.clauses
        for n, index in enumerate(lower):
            if not upper:
                return
            if len(upper) == len(lower):
                target = upper[n]
            elif len(upper) == 1:
                target = upper[0]
            else:
                target = max(upper, key=lambda u: similarity(clauses[u].text, clauses[index].text))
                self.out.notes.append(
                    ParseNote(
                        clauses[index].span,
                        f"{clauses[index].level} clause linked to the most similar of "
                        f"{len(upper)} clauses one level up",
                        self.code,
                    )
                )
            clauses[index].implements = target

    def _observations(self, cells: list[Cell], quantitative: list[int]) -> dict[int, set[str]]:
        """Observations of the row's actuals; returns the units observed per indicator."""
        out = self.out
        read: list[tuple[int, Cell, Value]] = []
        for cell in cells:
            values = entry_values(_entry_text(cell.text))
            if not values and re.search(r"[:：]", cell.text):
                out.notes.append(
                    ParseNote(
                        self.span(cell.start, cell.end),
                        f"actual without a number, not an observation: {_entry_text(cell.text)}",
                        self.code,
                    )
                )
            for value in values:
                read.append((_best(out.indicators, quantitative, value.label), cell, value))
        units: dict[int, set[str]] = {}
        for index in dict.fromkeys(i for i, _, _ in read):
            group = [(cell, value) for i, cell, value in read if i == index]
            named = subjects([v.label for _, v in group], out.indicators[index].label)
            per_label = Counter(v.label for _, v in group)
            for (cell, value), (subject, statistic) in zip(group, named, strict=True):
                if value.note and per_label[value.label] > 1:
                    subject = value.note  # a list of values, one note each: their subjects
                q = value.quantity
                out.observations.append(
                    Observation(
                        indicator=index,
                        year=self.year,
                        value=q.value,
                        unit=q.unit,
                        text=_entry_text(cell.text),
                        span=self.span(cell.start, cell.end),
                        subject=subject,
                        statistic=q.statistic or statistic,
                        approximate=q.approximate,
                    )
                )
                units.setdefault(index, set()).add(q.unit)
        return units


def _best(indicators: list[Indicator], candidates: list[int], label: str) -> int:
    """The candidate indicator whose label is most like ``label`` (the first on a tie)."""
    return max(candidates, key=lambda i: similarity(indicators[i].label, label))


def _entry_text(text: str) -> str:
    return text.strip().lstrip("・").strip()


def _label(text: str) -> str:
    return text.strip().lstrip("・").strip().rstrip("。").strip()


def _dash_none(text: str) -> str | None:
    text = text.strip()
    return None if not text or text in _DASHES else text


def _targets(sources: list[Clause], units: set[str]) -> list[Target]:
    """Targets stated in the row's goal and plan clauses; when actuals were reported, only
    those in the units the actuals are in (a clause can state a capacity and a deadline)."""
    out: list[Target] = []
    seen: set[tuple[str, str, str]] = set()
    for clause in sources:
        for target in stated_targets(clause.text, clause.span):
            key = (str(target.value), target.unit, target.comparator)
            if key in seen or (units and target.unit not in units):
                continue
            seen.add(key)
            out.append(target)
    return out
