"""Parser for board material (経営審議委員会資料) that proposes a mid-term plan and an annual plan.

The material opens with a table of contents (【議案】 議案第N号 …, 【参考資料】 参考資料N …), then
the committee's opinion (意見書), the proposals in order — the mid-term plan and the annual plan,
each a numbered outline (Ⅰ．/１．/①) of paragraphs — the reference material, and last the
statute excerpts (参照条文). One reference is a three-column table 中期目標 / 中期計画 / 年度計画;
it is the only place the mid-term goal is printed.

The PDF extraction prints that table page by page and column by column: on each page the goal
column's text, then the plan column's, then the annual plan column's, with nothing to mark where
one column ends — and once two columns share a line. The plan and annual-plan columns repeat
the proposals, so the columns are told apart by that text: on each page the plan column is the
run of lines that continues the proposal's text where the previous page left it, the annual
column the run that continues the annual plan's text up to the page end, and the goal column
is what comes before. Where the table breaks the proposal's text inside a printed line, the
proposal's own line end there is not a paragraph end (a paragraph that ends exactly at the
right margin looks like one in the proposal alone).

A clause is a ○ paragraph of the goal (with the paragraphs under it up to the next ○), a
paragraph of the plans, or a section body without ○. Plan clauses link to the goal clause
of the section the table sets beside them — a goal section with the same sub-headings — and
annual clauses to the plan clause of the same section number; inside a section the clauses are
aligned in order by their wording. Nothing here knows the documents' sections, titles or
values; only the outline markers and the words that name the parts.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from kg.errors import ParseError
from kg.ingest.pdflines import CompactText, KeyedText, Line, join, printed_lines, span_of, width
from kg.ingest.statutes import parse_excerpts
from kg.ingest.targets import read_clause_targets
from kg.records import Clause, DocumentDate, DocumentRecords, Opinion, Period, Span
from kg.text import era_to_year, fiscal_years_in, match_key, nfkc

KIND = "board-material"
ISSUES = frozenset({"goal", "plan", "annual"})
"""The material states the goal (its table), the proposed plan and annual plan in full."""

_PROPOSAL = re.compile(r"^議案第([0-9０-９]+)号\s*(.*)$")
_MATERIAL = re.compile(r"^参考資料\s*([0-9０-９]+)\s*(.*)$")
_BRACKET = re.compile(r"^【[^】]+】$")
_DRAFT = re.compile(r"[（(]案[）)]$")
_NOISE = re.compile(r"^(?:議案第\d+号\s*\(案\)|\d+)$")  # page footers and numbers, on NFKC text
_TABLE_HEADER = re.compile(r"^中期目標中期計画(?:\(案\))?年度計画(?:\(案\))?$")  # on match keys
_TOP = re.compile(r"^([ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ][．.])\s*(.*)$")
_MID = re.compile(r"^([0-9０-９]{1,2}[．.])(?![0-9０-９])\s*(.*)$")
_LOW = re.compile(r"^([①-⑳])\s*(.*)$")
_BULLET = re.compile(r"^[○〇]\s*")
_POINT = re.compile(r"^[・･]\s*")
_NOTE = re.compile(r"^[＜<]注")
_ERA_DATE = r"(令和|平成)([0-9０-９]+|元)年([0-9０-９]+)月([0-9０-９]+)日"
_GOAL_PERIOD = re.compile(
    r"中期目標の期間[（(]?(?:は[、，])?"
    r"(?P<text>" + _ERA_DATE + r"(?:～|~|〜|から)" + _ERA_DATE + ")"
)


def detect(text: str) -> bool:
    """Board material with proposals (議案第N号), a mid-term plan and statute excerpts."""
    norm = nfkc(text)
    return (
        re.search(r"議案第\d+号", norm) is not None
        and "中期計画" in norm
        and "参照条文" in norm
        and "参考資料" in norm
    )


def parse(text: str, doc: str) -> DocumentRecords:
    """Read the opinion, the plans, the goal, the statutes and the dates of board material."""
    lines = printed_lines(text)
    if not lines:
        raise ParseError(doc, "empty document (expected board material: 【議案】 議案第N号 …)")
    parts = _Parts(lines, doc)
    plan_body = [x for x in parts.body("plan") if not _NOISE.match(nfkc(x.text))]
    annual_body = [x for x in parts.body("annual") if not _NOISE.match(nfkc(x.text))]
    plan_keys, annual_keys = KeyedText(plan_body), KeyedText(annual_body)
    columns = _split_table(parts.body("table"), plan_keys, annual_keys, doc)

    goal = outline(columns.goal, bullets=True)
    plan = outline(plan_body, bullets=False, keys=plan_keys, inside=columns.plan_inside)
    annual = outline(annual_body, bullets=False, keys=annual_keys, inside=columns.annual_inside)
    for name, paras in (
        ("mid-term goal (参考資料 table)", goal),
        ("mid-term plan", plan),
        ("annual plan", annual),
    ):
        if not paras:
            raise ParseError(doc, f"the {name} has no numbered section (expected Ⅰ．/１．/①)")
    years = fiscal_years_in(parts.title("annual"))
    if not years:
        raise ParseError(doc, "the annual plan's title names no fiscal year (expected 令和N年度)")

    records = DocumentRecords(doc=doc, kind=KIND, year=years[0], issues=ISSUES)
    goal_ix = add_clauses(records, goal, "goal", None, doc)
    plan_ix = add_clauses(records, plan, "plan", None, doc)
    annual_ix = add_clauses(records, annual, "annual", years[0], doc)
    _link(records, plan, plan_ix, goal, goal_ix, _top_mapping(plan, goal))
    _link(records, annual, annual_ix, plan, plan_ix, None)

    whole = CompactText(lines)
    records.statutes, records.provisions = parse_excerpts(parts.body("statutes"), whole, doc)
    records.periods = _goal_periods(whole, doc)
    if parts.opinion:
        opinion, dated = _opinion(parts.opinion, text, doc)
        records.opinions.append(opinion)
        records.dates.append(dated)
    read_clause_targets(records)
    return records


# --- the parts named in the table of contents ----------------------------------------------------


@dataclass
class _Entry:
    label: str  # "議案第１号", "参考資料３"
    title: str
    role: str | None  # "plan", "annual", "table", "statutes" or None
    start: int = 0  # index of the title's first line in the body
    body: int = 0  # index of the first line after the title
    end: int = 0  # index of the next part's title


class _Parts:
    """The table of contents and where each listed part starts in the body."""

    def __init__(self, lines: list[Line], doc: str) -> None:
        self.lines = lines
        self.doc = doc
        self.entries, toc_end = self._toc()
        self.opinion: list[Line] = []
        self._locate(toc_end)

    def _toc(self) -> tuple[list[_Entry], int]:
        entries: list[_Entry] = []
        i = 0
        # The contents open the document: bracketed group names and numbered entries.
        while i < len(self.lines):
            text = self.lines[i].text
            if re.sub(r"\s+", "", text) == "意見書":
                break
            m = _PROPOSAL.match(text) or _MATERIAL.match(text)
            if m is not None:
                label = text[: m.start(2)].strip()
                entries.append(_Entry(label, m.group(2).strip(), None))
            elif _BRACKET.match(text):
                pass
            elif entries and not entries[-1].title.endswith(("）", ")")):
                entries[-1].title += text  # a title that wrapped
            else:
                break
            i += 1
        for entry in entries:
            entry.role = _role(entry)
        missing = [
            r
            for r in ("plan", "annual", "table", "statutes")
            if not any(e.role == r for e in entries)
        ]
        if missing:
            wanted = {
                "plan": "議案 … 中期計画",
                "annual": "議案 … 年度計画",
                "table": "参考資料 … 中期目標、中期計画及び年度計画",
                "statutes": "参考資料 … 参照条文",
            }
            raise ParseError(
                self.doc,
                "table of contents lacks "
                + ", ".join(wanted[r] for r in missing)
                + " (expected 【議案】 議案第N号 … and 【参考資料】 参考資料N … at the start)",
                self.lines[0].no,
            )
        return entries, i

    def _locate(self, toc_end: int) -> None:
        keyed = KeyedText(self.lines[toc_end:])
        line_starts = set(keyed.starts)
        cursor = 0
        for entry in self.entries:
            key = match_key(_DRAFT.sub("", entry.title.strip()))
            pos = keyed.text.find(key, cursor)
            while pos >= 0 and pos not in line_starts:
                pos = keyed.text.find(key, pos + 1)
            if not key or pos < 0:
                raise ParseError(
                    self.doc,
                    f"{entry.label} 「{entry.title}」 listed in the contents is not in the "
                    "document (truncated?)",
                )
            entry.start = toc_end + keyed.index_at(pos)
            entry.body = toc_end + keyed.index_at(pos + len(key) - 1) + 1
            cursor = pos + len(key)
        for n, entry in enumerate(self.entries):
            nxt = self.entries[n + 1].start if n + 1 < len(self.entries) else len(self.lines)
            entry.end = nxt
        heading = toc_end  # the opinion runs from its heading to the first proposal
        if heading < len(self.lines) and re.sub(r"\s+", "", self.lines[heading].text) == "意見書":
            self.opinion = self.lines[heading : self.entries[0].start]

    def entry(self, role: str) -> _Entry:
        return next(e for e in self.entries if e.role == role)

    def body(self, role: str) -> list[Line]:
        entry = self.entry(role)
        return self.lines[entry.body : entry.end]

    def title(self, role: str) -> str:
        return self.entry(role).title


def _role(entry: _Entry) -> str | None:
    title = entry.title
    if entry.label.startswith("議案"):
        if "年度計画" in title:
            return "annual"
        if "中期計画" in title:
            return "plan"
    elif "参照条文" in title:
        return "statutes"
    elif all(w in title for w in ("中期目標", "中期計画", "年度計画")) and "概要" not in title:
        return "table"
    return None


# --- the three-column table ----------------------------------------------------------------------


@dataclass
class _Columns:
    goal: list[Line] = field(default_factory=list)
    plan_inside: set[int] = field(default_factory=set)  # plan key positions inside a table line
    annual_inside: set[int] = field(default_factory=set)


@dataclass
class _Run:
    """Lines ``start``..``end`` (page indices) continue a text at key positions ``ranges``."""

    start: int
    end: int
    pos: int
    cost: int  # lines that matched only approximately
    ranges: list[tuple[int, int]]


def _advance(key: str, text: str, pos: int, skip: int = 0) -> tuple[int, int] | None:
    """Where ``text`` goes on if line ``key`` continues it at ``pos``, or None if it does not.

    An exact continuation is expected; a line the table prints with a few words changed
    (an inserted definition, a different digit, an edited heading) is accepted when at least
    half of it matches from ``pos`` on. The result is the position after the last matching
    piece and the length of the line's unmatched tail, up to which the next line may start
    further on (``skip``): whether a changed tail replaced text or was inserted is not known.
    """
    if text.startswith(key, pos):
        return pos + len(key), 0
    if not key:
        return pos, 0
    window = text[pos : pos + len(key) + 8 + skip]
    blocks = [
        b
        for b in difflib.SequenceMatcher(None, key, window, autojunk=False).get_matching_blocks()
        if b.size >= 2
    ]
    if not blocks or blocks[0].b > 2 + skip or sum(b.size for b in blocks) < len(key) / 2:
        return None
    last = blocks[-1]
    return pos + last.b + last.size, len(key) - (last.a + last.size)


def _run(keys: list[str], start: int, text: str, pos: int, first: str | None = None) -> list[_Run]:
    """Every prefix of the longest run of ``keys[start:]`` that continues ``text`` at ``pos``."""
    runs = [_Run(start, start, pos, 0, [])]
    i, cost, skip = start, 0, 0
    ranges: list[tuple[int, int]] = []
    while i < len(keys):
        key = first if (first is not None and i == start) else keys[i]
        found = _advance(key, text, pos, skip)
        if found is None:
            break
        nxt, skip = found
        cost += 0 if text.startswith(key, pos) else 1
        ranges = [*ranges, (pos, nxt)]
        pos, i = nxt, i + 1
        runs.append(_Run(start, i, pos, cost, ranges))
    return runs


def _split_table(lines: list[Line], plan: KeyedText, annual: KeyedText, doc: str) -> _Columns:
    """Separate the goal column of the table from the plan and annual-plan columns."""
    pages: list[list[Line]] = [[]]
    for line in lines:
        if _TABLE_HEADER.match(match_key(line.text)):
            if pages[-1]:
                pages.append([])
        elif not _NOISE.match(nfkc(line.text)):
            pages[-1].append(line)
    columns = _Columns()
    plan_pos = annual_pos = 0
    for page in pages:
        if not page:
            continue
        cut = _cut_page(page, plan.text, plan_pos, annual.text, annual_pos)
        if cut is None:
            raise ParseError(
                doc,
                "cannot separate the 中期目標 column of the 中期目標/中期計画/年度計画 table from "
                "the plan columns on this page (expected the plan columns to repeat the "
                "proposals' text)",
                page[0].no,
            )
        goal_end, plan_run, annual_run = cut
        columns.goal.extend(page[:goal_end])
        for a, b in plan_run.ranges:
            columns.plan_inside.update(range(a + 1, b))
        for a, b in annual_run.ranges:
            columns.annual_inside.update(range(a + 1, b))
        plan_pos, annual_pos = plan_run.pos, annual_run.pos
    return columns


def _cut_page(
    page: list[Line], plan: str, plan_pos: int, annual: str, annual_pos: int
) -> tuple[int, _Run, _Run] | None:
    """Where the goal column ends and the plan and annual columns run on one table page.

    Candidates are scored by (lines left to the goal column, approximate lines, -plan lines):
    the goal column is as short as the continuation allows. A line may hold the end of the
    plan column and the start of the annual column, separated by a space. Until a column's
    text is used up, every page shows some of it; without that, a page whose plan columns no
    longer repeat the proposals would silently become goal text.
    """
    keys = [match_key(x.text) for x in page]
    n = len(keys)
    annual_runs: dict[int, _Run] = {}

    def annual_from(j: int) -> _Run:
        if j not in annual_runs:
            annual_runs[j] = _run(keys, j, annual, annual_pos)[-1]
        return annual_runs[j]

    best: tuple[tuple[int, int, int], tuple[int, _Run, _Run]] | None = None
    for start in range(n + 1):
        if best is not None and best[0][0] < start:
            break
        for plan_run in _run(keys, start, plan, plan_pos):
            j = plan_run.end
            candidates = []
            tail = annual_from(j)
            shows_plan = plan_run.end > start or plan_pos >= len(plan)
            shows_annual = tail.end > j or annual_pos >= len(annual)
            if tail.end == n and shows_plan and shows_annual:
                candidates.append((plan_run, tail))
            if j < n:
                candidates.extend(
                    _shared_line(page[j].text, keys, j, plan_run, plan, annual, annual_pos)
                )
            for p, a in candidates:
                score = (start, p.cost + a.cost, -p.end)
                if best is None or score < best[0]:
                    best = (score, (start, p, a))
    return None if best is None else best[1]


def _shared_line(
    text: str, keys: list[str], j: int, plan_run: _Run, plan: str, annual: str, annual_pos: int
) -> list[tuple[_Run, _Run]]:
    """Splits of line ``j`` into the plan column's end and the annual column's start."""
    found = []
    for m in re.finditer(r"\s+", text):
        left, right = match_key(text[: m.start()]), match_key(text[m.end() :])
        if not left or not right or not plan.startswith(left, plan_run.pos):
            continue
        tail = _run(keys, j, annual, annual_pos, first=right)[-1]
        if tail.end == len(keys):
            end = plan_run.pos + len(left)
            head = _Run(
                plan_run.start, j, end, plan_run.cost, [*plan_run.ranges, (plan_run.pos, end)]
            )
            found.append((head, tail))
    return found


# --- outlines: sections and clauses --------------------------------------------------------------


@dataclass
class _Para:
    """A clause being read: the section path it stands under and its lines."""

    path: list[tuple[str, str]]  # (marker as printed, heading as printed) per level
    lines: list[Line] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    note: list[Line] = field(default_factory=list)
    closed: bool = False

    @property
    def section(self) -> str:
        return "".join(marker for marker, _ in self.path)

    @property
    def heading(self) -> str:
        return self.path[-1][1]

    @property
    def top(self) -> str:
        return nfkc(self.path[0][0])

    @property
    def below_top(self) -> tuple[str, ...]:
        return tuple(nfkc(marker) for marker, _ in self.path[1:])


def _marker(text: str) -> tuple[int, str, str] | None:
    for level, pattern in enumerate((_TOP, _MID, _LOW)):
        m = pattern.match(text)
        if m is not None:
            return level, m.group(1), m.group(2)
    return None


def _continues_heading(heading: str, nxt: str) -> bool:
    """A heading wrapped when the next line is a short remainder, not text or a marker."""
    return (
        _marker(nxt) is None
        and not _BULLET.match(nxt)
        and not nxt.endswith("。")
        and width(nxt) * 2 <= width(heading)
    )


def outline(
    lines: list[Line],
    bullets: bool,
    keys: KeyedText | None = None,
    inside: set[int] | None = None,
) -> list[_Para]:
    """The clauses of a numbered outline, in order.

    With ``bullets`` a clause runs from its ○ to the next ○ or heading (a section without ○
    is one clause); otherwise a clause is a paragraph, ending at a line that ends a sentence —
    unless the table printed that point inside a line (``inside``, positions in ``keys``).
    """
    position = {x.no: n for n, x in enumerate(keys.lines)} if keys is not None else {}
    path: list[tuple[str, str] | None] = [None, None, None]
    paras: list[_Para] = []
    current: _Para | None = None
    in_note = False
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        found = _marker(text)
        if found is not None:
            level, marker, rest = found
            heading = [rest]
            j = i + 1
            while j < len(lines) and j - i <= 2 and _continues_heading(text, lines[j].text):
                heading.append(lines[j].text)
                j += 1
            path[level] = (marker, join(heading))
            for deeper in range(level + 1, len(path)):
                path[deeper] = None
            current, in_note = None, False
            i = j
            continue
        i += 1
        if path[0] is None:
            continue  # the preamble
        bullet = _BULLET.match(text)
        if bullets and bullet is not None:
            current, in_note = None, False
            text = text[bullet.end() :]
        elif bullets and current is not None and (in_note or _NOTE.match(text)):
            in_note = True
            current.note.append(line)
            continue
        if current is None or current.closed:
            current = _Para([p for p in path if p is not None])
            paras.append(current)
        current.lines.append(line)
        current.texts.append(text)
        if not bullets and text.endswith("。"):
            end = keys.end_of(position[line.no]) if keys is not None else -1
            current.closed = inside is None or end not in inside
    return [p for p in paras if p.texts]


def add_clauses(
    records: DocumentRecords, paras: list[_Para], level: str, year: int | None, doc: str
) -> list[int]:
    """Append the clauses of ``paras``; return their indices in the record list."""
    indices = []
    for para in paras:
        note = join([x.text for x in para.note]) if para.note else None
        indices.append(len(records.clauses))
        records.clauses.append(
            Clause(
                level=level,
                item="",
                text=join(para.texts),
                span=span_of(doc, para.lines + para.note),
                year=year,
                section=para.section,
                heading=para.heading,
                note=note,
            )
        )
    return indices


# --- links between the levels --------------------------------------------------------------------


def _top_mapping(plan: list[_Para], goal: list[_Para]) -> dict[str, str]:
    """Plan top section → goal top section: the goal section with the most shared sub-headings.

    The goal and the plan number their top sections differently (the goal has sections the
    plan does not answer) but share the headings below them.
    """

    def headings(paras: list[_Para], top: str) -> set[tuple[str, str]]:
        return {
            (nfkc(marker), match_key(heading))
            for p in paras
            if p.top == top
            for marker, heading in p.path[1:]
        }

    mapping = {}
    goal_tops = list(dict.fromkeys(p.top for p in goal))
    for top in dict.fromkeys(p.top for p in plan):
        mine = headings(plan, top)
        shared = [(len(mine & headings(goal, g)), g) for g in goal_tops]
        count, best = max(shared, default=(0, ""))
        if count:
            mapping[top] = best
    return mapping


def _link(
    records: DocumentRecords,
    children: list[_Para],
    child_ix: list[int],
    parents: list[_Para],
    parent_ix: list[int],
    tops: dict[str, str] | None,
) -> None:
    """Set ``implements`` of each child clause to a parent clause of the matching section.

    ``tops`` maps the children's top sections to the parents' (None: the same numbering).
    Inside a section the children are aligned in order to the parents by wording.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for n, para in enumerate(parents):
        groups.setdefault((para.top, para.below_top), []).append(n)
    by_section: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for n, para in enumerate(children):
        top = para.top if tops is None else tops.get(para.top, "")
        by_section.setdefault((top, para.below_top), []).append(n)
    for section, members in by_section.items():
        candidates = groups.get(section, [])
        if not candidates:
            continue
        texts = [records.clauses[child_ix[n]].text for n in members]
        targets = [records.clauses[parent_ix[n]].text for n in candidates]
        for n, k in zip(members, align(texts, targets), strict=True):
            records.clauses[child_ix[n]].implements = parent_ix[candidates[k]]


def _bigrams(text: str) -> set[str]:
    key = match_key(text)
    return {key[i : i + 2] for i in range(len(key) - 1)}


def _similarity(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def align(children: list[str], parents: list[str]) -> list[int]:
    """For each child, the parent it implements: in order (never back up), most alike."""
    sims = [[_similarity(_bigrams(c), pb) for pb in map(_bigrams, parents)] for c in children]
    m = len(parents)
    best = [[0.0] * m for _ in children]
    back = [[0] * m for _ in children]
    for i, row in enumerate(sims):
        for j in range(m):
            if i == 0:
                best[i][j], back[i][j] = row[j], j
                continue
            k = max(range(j + 1), key=lambda q: best[i - 1][q])
            best[i][j], back[i][j] = best[i - 1][k] + row[j], k
    j = max(range(m), key=lambda q: best[-1][q])
    out = [0] * len(children)
    for i in range(len(children) - 1, -1, -1):
        out[i] = j
        j = back[i][j]
    return out


# --- dates, periods, the opinion -----------------------------------------------------------------


def era_date(era: str, year: str, month: str, day: str) -> date:
    return date(era_to_year(era, year), int(nfkc(month)), int(nfkc(day)))


def _goal_periods(whole: CompactText, doc: str) -> list[Period]:
    """Every statement of the mid-term goal's period (中期目標の期間 … ～ …)."""
    periods = []
    for m in _GOAL_PERIOD.finditer(whole.text):
        g = m.groups()
        try:
            start, end = era_date(*g[1:5]), era_date(*g[5:9])
        except ValueError:
            continue  # not a calendar date
        periods.append(
            Period("goal", start, end, m.group("text"), whole.span(doc, m.start("text"), m.end()))
        )
    return periods


def _opinion(lines: list[Line], text: str, doc: str) -> tuple[Opinion, DocumentDate]:
    """The committee opinion: its paragraphs up to the date, then the sender and addressee.

    The sender's lines are set to the right and the addressee's to the left, so the addressee
    starts where the indentation falls back.
    """
    dated = [
        (n, m)
        for n, x in enumerate(lines)
        if (m := re.fullmatch(_ERA_DATE, re.sub(r"\s+", "", x.text))) is not None
    ]
    if not dated:
        raise ParseError(
            doc, "the opinion (意見書) has no date line (expected 令和N年N月N日)", lines[0].no
        )
    at, m = dated[0]
    paragraphs: list[list[str]] = []
    for x in lines[1:at]:
        if re.sub(r"\s+", "", x.text) == "記":
            continue
        if _BULLET.match(x.text) or _POINT.match(x.text) or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(x.text)
    texts = [join(p) for p in paragraphs]
    points = [_POINT.sub("", t) for t in texts if _POINT.match(t)]
    raw = text.split("\n")
    after = lines[at + 1 :]
    indents = [len(raw[x.no - 1]) - len(raw[x.no - 1].lstrip()) for x in after]
    split = next((k for k in range(1, len(after)) if indents[k] < indents[k - 1]), len(after) - 1)
    issued = era_date(*m.groups())
    opinion = Opinion(
        issued=issued,
        text="\n".join(texts),
        span=span_of(doc, lines),
        points=points,
        issuer=" ".join(x.text for x in after[:split]) or None,
        addressee=" ".join(x.text for x in after[split:]) or None,
    )
    when = lines[at]
    return opinion, DocumentDate("opinion", issued, m.group(0), Span(doc, when.no, when.no))
