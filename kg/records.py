"""Typed records: what a parser reads from a document, before it becomes RDF.

Every record that states a fact carries the :class:`Span` it was read from, so every triple
derived from it can point back to the document and lines (DESIGN.md, "Provenance").
Records identify the things they talk about by *keys* (item code, fiscal year, the matching key
of a clause's text); :mod:`kg.rdf` turns keys into IRIs, so two documents that read the same
clause produce the same node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Span:
    """Lines ``start``..``end`` (1-based, inclusive) of the source document ``doc``."""

    doc: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"bad span {self.doc}:{self.start}-{self.end}")

    def union(self, other: Span) -> Span:
        return Span(self.doc, min(self.start, other.start), max(self.end, other.end))


@dataclass
class Item:
    """An evaluation item (評価項目) and the basic information of its item sheet."""

    code: str
    title: str
    span: Span
    category: str = ""
    related_policy: str | None = None
    legal_basis: str | None = None
    staff: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Marks:
    """The marks printed beside a grade: ○ importance, underline difficulty, 重 priority."""

    importance_high: bool = False
    difficulty_high: bool = False
    priority: bool = False


@dataclass
class Evaluation:
    """A grade of one item for one fiscal year, by J-LIS (``self``) or the ministers."""

    item: str
    year: int
    grade: str
    by: str  # "self" | "ministerial"
    span: Span
    marks: Marks | None = None  # None: the document prints no marks beside this grade
    rationale: str | None = None


@dataclass
class OverallEvaluation:
    """The overall grade (総合評定) of a fiscal year."""

    year: int
    grade: str
    by: str  # "self" | "ministerial"
    span: Span


@dataclass
class Clause:
    """One clause of the mid-term goal, the mid-term plan or an annual plan.

    ``level`` is ``"goal"``, ``"plan"`` or ``"annual"``; ``year`` is set for annual clauses;
    ``implements`` is the index (in the same record list) of the clause one level up. The node a
    clause becomes is named from ``key`` when a linker set one, else from its text's match key,
    so the same clause read from two documents is one node.
    """

    level: str
    item: str  # evaluation item code ("I-1"); "" while a parser cannot tell (a linker fills it)
    text: str
    span: Span
    year: int | None = None
    section: str | None = None  # section number as printed ("Ⅲ．１．①"); None if not printed
    heading: str | None = None  # heading of the section the clause stands under, as printed
    implements: int | None = None
    key: str | None = None  # matching key set by the cross-document linker; None = from text


@dataclass
class Target:
    """A stated target, e.g. ``99.9%以上`` → value 99.9, unit %, comparator >=."""

    value: Decimal
    unit: str
    comparator: str
    text: str
    span: Span
    approximate: bool = False  # printed with 約 (about)


@dataclass
class Indicator:
    """A quantitative indicator (主な定量的指標) or an evaluation viewpoint (評価の視点)."""

    item: str
    label: str
    quantitative: bool
    span: Span
    measures: list[int] = field(default_factory=list)  # indices into the clause list
    targets: list[Target] = field(default_factory=list)


@dataclass
class Observation:
    """An actual value reported for a quantitative indicator in one fiscal year."""

    indicator: int  # index into the indicator list
    year: int
    value: Decimal
    unit: str
    text: str
    span: Span
    subject: str | None = None
    statistic: str | None = None
    approximate: bool = False


@dataclass
class DocumentRecords:
    """Everything one parser read from one document."""

    doc: str
    kind: str
    year: int | None = None
    items: list[Item] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    overall: list[OverallEvaluation] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
