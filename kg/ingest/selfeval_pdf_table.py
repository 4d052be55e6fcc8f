"""Rebuild the rows of an item sheet's table (項目別評定調書) from its PDF-extracted text.

Why this is needed: the extraction writes the table page by page and, within a page, column by
column: the goal column top to bottom, then the mid-term plan, the annual plan, the indicators
(主な評価指標), the results (業務実績) and the self-evaluation (自己評価). The clause columns
are about seven characters wide and wrap with blank lines between the wrapped lines, so blank
lines say nothing about where a cell ends. A cell cut by a page break goes on at the top of its
column on the next page, before the clauses that start there.

What the text does tell, and what this module relies on:

- a line that ends a paragraph ends with a space; a wrapped line does not (a line cut by the page
  foot does not either), so a cell whose last line has no trailing space was cut and its rest is
  the first text of its column in the next stretch of text (after a page header, or in a new
  text block right after the row, where the extraction sometimes puts it);
- a clause starts with a bullet ○/〇, an indicator with ・ under ＜主な定量的指標＞ or
  ＜評価の視点＞; results start at ＜主要な業務実績＞, and of the two ［主な成果等］ headings of a
  row the first opens the results' narrative, the second the self-evaluation;
- the results and self-evaluation columns are about three times as wide as the others;
- a line that starts with a space starts a new text block; a block that starts with a clause
  bullet starts a new row;
- the goal, plan and annual-plan clauses of a row say nearly the same thing, so a run of clause
  bullets is split into columns where that aligns the most similar clauses, and where the rest of
  a cut cell ran into the text before it, the join is found where that text stops matching its
  sibling clause.

Where these rules leave a choice open, the choice is recorded as a :class:`Note` so that the
lead can check it and curate the fact if needed. Nothing here knows the document's content.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kg.ingest.pdflines import join, width
from kg.text import match_key, nfkc

GOAL, PLAN, ANNUAL, INDICATORS, RESULTS, SELF = range(6)
CLAUSE_COLUMNS = (GOAL, PLAN, ANNUAL)
COLUMN_NAMES = ("goal", "plan", "annual plan", "indicators", "results", "self-evaluation")

Line = tuple[int, str]  # (1-based line number, text as published)

# A narrow column holds 6-8 full-width characters a line, a wide one about 20 (display width 2
# each); a piece whose longest line is at least this wide comes from a wide column.
_WIDE = 26
# Words that open a new paragraph of the same cell (not the rest of another column's cut cell).
_CONNECTIVES = (
    "その際", "また", "なお", "さらに", "更に", "加えて", "併せて", "あわせて", "ただし",
    "具体的には", "これに", "このため", "一方", "特に", "以上",
)  # fmt: skip
_PAGE_FOOTER = re.compile(r"^\d+\s*/\s*\d+$|^\d+$")
_TABLE_HEADER = re.compile(r"中期目標\s+中期計画\s+年度計画")
_SUBHEADER = re.compile(r"^業務実績\s+自己評価$")
_PAGE_TITLE = re.compile(r"^2\.\s*各事業年度")
# Justified text spreads single characters with spaces ("ム 稼 働 率  "): such a line's
# trailing space is spacing, not a paragraph end.
_JUSTIFIED = re.compile(r"^(?:\S )+\S$")
_MERGED = re.compile(r"(?<=。) +(?=\S)")
_MARKERS = {
    "主な定量的指標": "quantitative",
    "評価の視点": "viewpoint",
    "主要な業務実績": "results",
    "定量的指標の実績": "actuals",
    "主な成果等": "achievements",
}
# The ministers' column of the form: fixed headings with fixed hints in parentheses.
_MINISTER_HEADINGS = ("<評定に至った理由>", "<今後の課題>", "<その他事項>")


@dataclass
class Note:
    """A choice the layout left open, at ``line``: what was decided and why."""

    line: int
    message: str


def ends_paragraph(raw: str) -> bool:
    """The line ends a paragraph: it ends in 。 or with a space that is not justification."""
    stripped = raw.strip()
    if nfkc(stripped).endswith("。"):
        return True
    return raw != raw.rstrip() and not _JUSTIFIED.match(stripped)


@dataclass
class Piece:
    """Consecutive lines of one cell up to a paragraph end: a clause bullet, a list bullet, a
    heading or plain text. It also ends before a bullet or heading, at a page break and at a new
    text block."""

    kind: str  # "clause" | "bullet" | "marker" | "text"
    lines: list[Line]
    block: bool = False  # starts a new text block (its first line starts with a space)
    page: bool = False  # first piece after a page header or footer
    marker: str = ""  # for kind "marker": a value of _MARKERS

    @property
    def text(self) -> str:
        return join_lines([s for _, s in self.lines])

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][0]

    @property
    def wide(self) -> bool:
        return max(width(s.strip()) for _, s in self.lines) >= _WIDE

    @property
    def closed(self) -> bool:
        return ends_paragraph(self.lines[-1][1])


@dataclass
class Cell:
    """One clause, indicator or paragraph of a row: its pieces joined."""

    pieces: list[Piece]
    kind: str = ""  # indicators: "quantitative" | "viewpoint"; results: "actuals" | "narrative"

    @property
    def text(self) -> str:
        return join_lines([p.text for p in self.pieces])

    @property
    def start(self) -> int:
        return min(p.start for p in self.pieces)

    @property
    def end(self) -> int:
        return max(p.end for p in self.pieces)

    @property
    def cut(self) -> bool:
        """The cell's text stops mid-paragraph (its rest follows later in the text)."""
        return not self.pieces[-1].closed


@dataclass
class Row:
    """One row of an item sheet's table: cells by column (see GOAL … SELF)."""

    start: int
    columns: list[list[Cell]] = field(default_factory=lambda: [[] for _ in range(6)])

    def open_columns(self) -> list[int]:
        return [i for i, col in enumerate(self.columns) if col and col[-1].cut]


def join_lines(parts: Sequence[str]) -> str:
    """Join wrapped lines as published (see :func:`kg.ingest.pdflines.join`)."""
    return join([p.strip() for p in parts if p.strip()])


def is_page_furniture(line: str) -> bool:
    """Page headers repeated on every page of a sheet, and page footers."""
    s = nfkc(line).strip()
    return bool(
        _PAGE_FOOTER.match(s)
        or _TABLE_HEADER.search(s)
        or _SUBHEADER.match(s)
        or _PAGE_TITLE.match(s)
    )


def minister_template_lines(lines: Sequence[Line]) -> set[int]:
    """Line numbers of the ministers' empty column (評/定, its headings and their hints).

    In the PDF text it lands in the middle of the self-evaluation's rationale; it is part of the
    form, not of what J-LIS wrote.
    """
    out: set[int] = set()
    nonblank = [(n, nfkc(s).strip()) for n, s in lines if s.strip()]
    i = 0
    while i < len(nonblank):
        n, s = nonblank[i]
        if s == "評" and i + 1 < len(nonblank) and nonblank[i + 1][1] == "定":
            out.update((n, nonblank[i + 1][0]))
            i += 2
            continue
        i += 1
        if s in _MINISTER_HEADINGS:
            out.add(n)
            if i < len(nonblank) and nonblank[i][1].startswith("("):
                while i < len(nonblank):  # the hint in parentheses, over several lines
                    out.add(nonblank[i][0])
                    i += 1
                    if nonblank[i - 1][1].endswith(")"):
                        break
    return out


def _unmerge(lines: Sequence[Line], notes: list[Note]) -> Iterator[Line]:
    """Lines as they were in their columns: where two narrow cells' lines share a baseline the
    extraction writes them as one line ("すること。 ドの継続利用"), split after the 。."""
    for number, raw in lines:
        parts = _MERGED.split(raw)
        if len(parts) > 1:
            notes.append(Note(number, "line read as two cells' lines, split after 。"))
        for k, part in enumerate(parts):
            yield number, part + (" " if k < len(parts) - 1 else "")


def pieces(lines: Sequence[Line], notes: list[Note]) -> list[Piece]:
    """Split a sheet's table lines into pieces, dropping page furniture and the ministers'
    empty column."""
    out: list[Piece] = []
    current: Piece | None = None
    page = False
    skip = minister_template_lines(lines)
    it: Iterator[Line] = iter(_unmerge(lines, notes))
    for number, raw in it:
        if not raw.strip() or number in skip:
            continue
        if is_page_furniture(raw):
            current, page = None, True
            continue
        first = nfkc(raw.strip()[0])
        block = raw[0] in " \u3000"
        if first in "<[":
            heading: list[Line] = [(number, raw)]
            while not any(c in nfkc("".join(s for _, s in heading)) for c in ">]"):
                nxt = next(it, None)  # a heading wrapped over two lines (＜主な定量的指標 / ＞)
                if nxt is None:
                    break
                if nxt[1].strip():
                    heading.append(nxt)
            piece = Piece("marker", heading, block, page)
            piece.marker = next((v for k, v in _MARKERS.items() if k in piece.text), "")
            out.append(piece)
            current, page = None, False
            continue
        if current is None or block or first in "○〇・" or current.closed:
            kind = "clause" if first in "○〇" else "bullet" if first == "・" else "text"
            current = Piece(kind, [(number, raw)], block, page)
            out.append(current)
            page = False
        else:
            current.lines.append((number, raw))
    return out


def _bigrams(text: str) -> set[str]:
    key = match_key(text)
    return {key[i : i + 2] for i in range(len(key) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams (0 … 1), on the matching key of both texts."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _groups(run: list[Cell], sizes: Sequence[int]) -> list[list[Cell]]:
    bounds = list(itertools.accumulate(sizes, initial=0))
    return [run[a:b] for a, b in itertools.pairwise(bounds)]


def split_run(
    run: list[Cell], columns: list[int], row: Row, fresh: bool
) -> tuple[list[list[Cell]], bool]:
    """Assign a run of clauses to ``columns`` (consecutive): the best alignment, and whether it
    was clearly the best (False: a tie, to be reported)."""
    if len(columns) == 1:
        return [run], True
    each = fresh and len(run) >= len(columns)
    scored: list[tuple[float, int, tuple[int, ...]]] = []
    for cuts in itertools.combinations_with_replacement(range(len(run) + 1), len(columns) - 1):
        bounds = (0, *cuts, len(run))
        sizes = tuple(b - a for a, b in itertools.pairwise(bounds))
        if each and 0 in sizes:
            continue
        groups = _groups(run, sizes)
        score = sum(
            similarity(u.text, w.text)
            for upper, lower in itertools.pairwise(groups)
            for u, w in zip(upper, lower, strict=False)
        )
        # Tie-break: rows are usually balanced (as many plan clauses as goal clauses …).
        counts = [len(row.columns[c]) + len(g) for c, g in zip(columns, groups, strict=True)]
        scored.append((round(score, 6), min(counts) - max(counts), sizes))
    scored.sort(key=lambda t: t[:2], reverse=True)
    clear = len(scored) == 1 or scored[0][:2] != scored[1][:2]
    return _groups(run, scored[0][2]), clear


class TableReader:
    """Turns the pieces of one sheet's table into rows (see the module docstring)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.notes: list[Note] = []
        self.floor = -1  # column of the last piece placed in the current stretch of text
        self.fresh = False  # the current row started in the current stretch
        self.awaiting: list[int] = []  # cut cells whose rest this stretch should start with
        self.placed: list[tuple[int, Cell]] = []  # cells placed in this stretch, in order
        self.indicator_kind = ""
        self.results_kind = ""

    @property
    def row(self) -> Row | None:
        return self.rows[-1] if self.rows else None

    def read(self, items: list[Piece]) -> list[Row]:
        i = 0
        while i < len(items):
            piece = items[i]
            if piece.page:
                self._stretch()
            if piece.kind == "clause":
                i = self._clause_run(items, i)
                continue
            if self.row is None:
                self.note(piece.start, f"text before the first clause: {piece.text[:20]}")
            elif piece.kind == "marker":
                self._marker(piece)
            elif piece.kind == "bullet":
                self._bullet(piece)
            else:
                self._text(piece, items[i - 1] if i else None)
            i += 1
        self._stretch()
        self._close_row()
        return self.rows

    def note(self, line: int, message: str) -> None:
        self.notes.append(Note(line, message))

    def _stretch(self) -> None:
        """A new stretch of text (a page) begins: cut cells expect their rest first."""
        for column in self.awaiting:
            assert self.row is not None
            cell = self.row.columns[column][-1]
            self.note(cell.end, f"the rest of the {COLUMN_NAMES[column]} cell cut here is missing")
        row = self.row
        self.awaiting = row.open_columns() if row else []
        self.floor, self.fresh, self.placed = -1, False, []

    # -- clauses -------------------------------------------------------------------------------

    def _close_row(self) -> None:
        """The current row is over: a clause or indicator still cut lost its rest."""
        if self.row is None:
            return
        for column in self.row.open_columns():
            if column <= INDICATORS:
                cell = self.row.columns[column][-1]
                self.note(cell.end, f"{COLUMN_NAMES[column]} cell cut here never goes on")

    def _new_row(self, piece: Piece) -> Row:
        self._close_row()
        row = Row(piece.start)
        self.rows.append(row)
        self.floor, self.fresh, self.awaiting, self.placed = -1, True, [], []
        self.indicator_kind = self.results_kind = ""
        return row

    def _clause_run(self, items: list[Piece], i: int) -> int:
        """Place a run of clause bullets (with the paragraphs that go on each) into columns."""
        first = items[i]
        row = self.row
        if (
            row is None
            or first.block
            or self.floor >= INDICATORS
            or (first.page and not self.awaiting)
        ):
            row = self._new_row(first)
        low = max(self.floor, GOAL)
        if low in self.awaiting:  # its rest should have come first: it was not cut after all
            self.note(first.start, f"{COLUMN_NAMES[low]} cell taken as complete")
            self.awaiting.remove(low)
        later = [c for c in self.awaiting if low < c <= INDICATORS]
        run: list[Cell] = []
        anchor: int | None = None  # the column whose cut cell the text after the run continues
        j = i
        while j < len(items):
            piece = items[j]
            if j > i and (piece.page or piece.block):
                break
            if piece.kind == "clause":
                run.append(Cell([piece]))
            elif piece.kind == "text" and not piece.wide:
                if later and not _opens_paragraph(piece.text):
                    anchor = later[0]
                    break
                run[-1].pieces.append(piece)  # the clause's next paragraph
            else:
                break
            j += 1
        high = ANNUAL if anchor is None else min(ANNUAL, anchor - 1)
        if high < low:
            high = low
            self.note(first.start, "clause bullet where the rest of a cut cell was expected")
        columns = list(range(low, high + 1))
        groups, clear = split_run(run, columns, row, self.fresh)
        if len(columns) > 1 and len(run) != len(columns):
            sizes = "/".join(str(len(g)) for g in groups)
            self.note(
                first.start,
                f"{len(run)} clause bullets split {sizes} into {COLUMN_NAMES[low]}…"
                f"{COLUMN_NAMES[high]} by similarity" + ("" if clear else " (a tie)"),
            )
        for column, group in zip(columns, groups, strict=True):
            for cell in group:
                self._place(column, cell)
        return j

    # -- indicators, results, self-evaluation --------------------------------------------------

    def _marker(self, piece: Piece) -> None:
        if piece.marker in ("quantitative", "viewpoint"):
            self.indicator_kind, self.floor = piece.marker, INDICATORS
        elif piece.marker == "results":
            self.results_kind, self.floor = "", RESULTS
        elif piece.marker == "actuals":
            self.results_kind, self.floor = "actuals", RESULTS
        elif piece.marker == "achievements":
            if (self.floor == RESULTS and self.results_kind == "narrative") or self.floor == SELF:
                self.floor = SELF
            else:
                self.results_kind, self.floor = "narrative", RESULTS
        else:
            self.note(piece.start, f"unknown heading {piece.text}")

    def _bullet(self, piece: Piece) -> None:
        if self.floor >= RESULTS:
            column = self.floor
            if column == RESULTS and self.results_kind == "narrative" and _self_evaluation(piece):
                column = SELF  # the self-evaluation's own bullets, its first paragraph not cut
        elif piece.wide:
            column = RESULTS
        else:
            column = INDICATORS
        self._new_cell(column, piece)

    def _text(self, piece: Piece, previous: Piece | None) -> None:
        row = self.row
        assert row is not None
        if previous is not None and previous.kind == "marker" and not (piece.page or piece.block):
            self._new_cell(max(self.floor, INDICATORS), piece)  # the first text under a heading
            return
        candidates = [c for c in self.awaiting if c > self.floor]
        if piece.wide:
            candidates = [c for c in candidates if c >= RESULTS]
        elif piece.end > piece.start:
            candidates = [c for c in candidates if c <= INDICATORS]
        same_cell = self.floor >= 0 and not (piece.page or piece.block)
        if candidates and not (same_cell and _opens_paragraph(piece.text)):
            self._continue(candidates[0], piece)
            return
        earlier = [c for c in row.open_columns() if c <= self.floor]
        if piece.block and earlier:
            # The rest of a cell cut at the foot of a page, written after the row's last column.
            self.note(
                piece.start,
                f"new text block read as the rest of the cut {COLUMN_NAMES[earlier[0]]} cell",
            )
            self.floor, self.fresh, self.awaiting, self.placed = -1, False, earlier, []
            self._continue(earlier[0], piece)
            return
        if self.floor < 0:
            self.note(piece.start, f"text with no cell to go on: {piece.text[:20]}")
            return
        if piece.wide and self.floor < RESULTS:
            self.note(piece.start, "wide paragraph without a heading taken as results")
            self._new_cell(RESULTS, piece)
            return
        self._extend(self.floor, piece)  # the next paragraph of the same cell

    # -- placing pieces ------------------------------------------------------------------------

    def _place(self, column: int, cell: Cell) -> None:
        self._before(column)
        row = self.row
        assert row is not None
        row.columns[column].append(cell)
        self.placed.append((column, cell))
        self.floor = column

    def _new_cell(self, column: int, piece: Piece) -> None:
        kind = ""
        if column == INDICATORS:
            kind = self.indicator_kind or "viewpoint"
            if not self.indicator_kind:
                self.note(piece.start, "indicator without a heading taken as a viewpoint")
        elif column == RESULTS:
            kind = self.results_kind or "narrative"
        self._place(column, Cell([piece], kind))

    def _extend(self, column: int, piece: Piece) -> None:
        row = self.row
        assert row is not None
        if not row.columns[column]:
            self._new_cell(column, piece)
            return
        row.columns[column][-1].pieces.append(piece)
        self.floor = column

    def _continue(self, column: int, piece: Piece) -> None:
        """``piece`` is the rest of ``column``'s cut cell."""
        self._before(column, continuing=True)
        self.awaiting.remove(column)
        self._extend(column, piece)

    def _before(self, column: int, continuing: bool = False) -> None:
        """Content is about to go into ``column``: the cut cells of earlier columns (and of this
        one, unless this is its rest) should have had their rest by now."""
        for waiting in list(self.awaiting):
            if waiting > column or (waiting == column and continuing):
                continue
            self.awaiting.remove(waiting)
            if not self._recover(waiting):
                assert self.row is not None
                cell = self.row.columns[waiting][-1]
                self.note(
                    cell.end,
                    f"the rest of the {COLUMN_NAMES[waiting]} cell cut here was not found "
                    f"before the {COLUMN_NAMES[column]} column",
                )

    def _recover(self, waiting: int) -> bool:
        """Find the rest of ``waiting``'s cut cell inside the last clause placed before it in
        this stretch (a cut clause runs straight into the next column's text, with no paragraph
        end between): the join is where the clause stops matching its sibling clause."""
        row = self.row
        assert row is not None
        before = [(c, cell) for c, cell in self.placed if c < waiting and c in CLAUSE_COLUMNS]
        if not before:
            return False
        column, cell = before[-1]
        index = row.columns[column].index(cell)
        sibling_column = column - 1 if column > GOAL else column + 1
        siblings = row.columns[sibling_column]
        if index >= len(siblings):
            return False
        sibling = _bigrams(siblings[index].text)
        piece = cell.pieces[-1]
        text = ""
        for k, (_, raw) in enumerate(piece.lines):
            line = raw.strip()
            grams = _bigrams((text[-1:] if text else "") + line)
            if k and grams and len(grams & sibling) < 0.5 * len(grams):
                head = Piece(piece.kind, piece.lines[:k], piece.block, piece.page)
                rest = Piece("text", piece.lines[k:])
                cell.pieces[-1] = head
                row.columns[waiting][-1].pieces.append(rest)
                self.note(
                    rest.start,
                    f"lines {rest.start}-{rest.end} read as the rest of the cut "
                    f"{COLUMN_NAMES[waiting]} cell (they break off the {COLUMN_NAMES[column]} "
                    f"clause, which stops matching its sibling there)",
                )
                return True
            text += line
        return False


def _opens_paragraph(text: str) -> bool:
    return nfkc(text).lstrip().startswith(_CONNECTIVES)


def _self_evaluation(piece: Piece) -> bool:
    """The self-evaluation column's sentences end in …を評価。 (the results' never do)."""
    return nfkc(piece.text).rstrip().endswith("評価。")


def read_rows(lines: Sequence[Line]) -> tuple[list[Row], list[Note]]:
    """The rows of a sheet's table from its lines, and the notes taken on the way."""
    reader = TableReader()
    rows = reader.read(pieces(lines, reader.notes))
    return rows, reader.notes
