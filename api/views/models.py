"""Response models of the JSON API: what ``/openapi.json`` documents and ``/docs`` shows.

Every fact carries ``sources``: the document and lines it was read from (docs/architecture.md,
"Provenance"). IRIs are given in full; ``href`` is where this server answers for them (``/id/…`` for
plantrace's own IRIs). Numbers read from the documents are exact decimals in the graph and JSON
numbers here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

Number = Annotated[
    Decimal, PlainSerializer(float, return_type=float, when_used="json"), Field(examples=[99.9])
]
"""An xsd:decimal value, written as a JSON number."""

By = Literal["self", "ministerial"]
Level = Literal["goal", "plan", "annual"]
TargetLevel = Literal["indicator", "goal", "plan", "annual"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorMessage(Model):
    """Why a request got no answer."""

    detail: str


class SourceSpan(Model):
    """Lines of a source document a fact was read from."""

    iri: str = Field(description="IRI of the span node")
    href: str = Field(description="where this server shows the span with its text")
    document: str = Field(description="IRI of the source document")
    title: str | None = Field(default=None, description="the document's title as published")
    file: str | None = Field(default=None, description="file name under data/sources")
    line_start: int | None = Field(default=None, description="first line (1-based)")
    line_end: int | None = Field(default=None, description="last line (inclusive)")


class Evaluation(Model):
    """One grade of one item for one fiscal year, by J-LIS itself or by the ministers."""

    iri: str
    href: str
    by: By
    year: int = Field(description="fiscal year (2021 = 令和3年度)")
    grade: str | None = Field(default=None, description="S, A, B, C or D")
    importance_high: bool | None = Field(default=None, description="重要度「高」, when printed")
    difficulty_high: bool | None = Field(default=None, description="困難度「高」, when printed")
    priority: bool | None = Field(default=None, description="重点化, when printed")
    rationale: str | None = None
    sources: list[SourceSpan] = []


class GradeCell(Model):
    """The grades of one item in one fiscal year."""

    year: int
    self_grade: str | None = None
    ministerial_grade: str | None = None


class ItemSummary(Model):
    """An evaluation item (評価項目) with its grade matrix."""

    iri: str
    href: str
    code: str = Field(examples=["I-1"])
    category: str | None = Field(default=None, examples=["I"])
    label: str | None = None
    grades: list[GradeCell] = Field(description="one cell per year of ``years``, in order")


class ItemsResponse(Model):
    years: list[int] = Field(description="the fiscal years that have any grade")
    items: list[ItemSummary]


class Body(Model):
    """A public body whose documents the data holds (the publisher of a document)."""

    iri: str
    href: str
    id: str | None = Field(description="the id in its IRI, ``/id/{id}``, as in ``?body=``")
    label_ja: str | None = None
    label_en: str | None = None
    items: int = Field(description="evaluation items its documents describe")


class ProvisionRef(Model):
    """A statute provision, as cited."""

    iri: str
    href: str
    label: str | None = Field(default=None, description="article label, e.g. 第38条の8")
    statute: str | None = Field(default=None, description="IRI of the statute it belongs to")
    statute_label: str | None = None


class Target(Model):
    """A stated target: of an indicator, or read from the text of a goal, plan or annual plan
    clause."""

    iri: str
    href: str = ""
    value: Number | None = None
    unit: str | None = None
    comparator: str | None = Field(default=None, examples=[">="])
    text: str | None = Field(default=None, description="the phrase as published")
    period: str | None = Field(
        default=None, description="what the value counts over where printed (月, 日, 年)"
    )
    approximate: bool = False
    level: TargetLevel | None = Field(
        default=None, description="where it is stated: an indicator or a clause of which level"
    )
    year: int | None = Field(default=None, description="fiscal year of an annual plan's target")
    refines: list[str] = Field(
        default=[], description="IRIs of the targets of the level above that it elaborates"
    )
    sources: list[SourceSpan] = []


class DocumentRef(Model):
    """A source document, as a version's period or a change cites it."""

    iri: str
    href: str
    title: str | None = None
    issued: str | None = Field(default=None, description="issue date as the manifest gives it")


class Versioned(Model):
    """Where a clause or indicator stands among its versions (docs/architecture.md,
    "Versions"): the version it revises, its period and the documents that state it."""

    revision_of: list[str] = Field(
        default=[], description="IRIs of the earlier versions it revises (prov:wasRevisionOf)"
    )
    valid_from: str | None = Field(default=None, description="pt:validFrom (xsd:date)")
    valid_until: str | None = Field(default=None, description="pt:validUntil (xsd:date)")
    first_stated_in: str | None = Field(default=None, description="IRI of pt:firstStatedIn")
    added_in: str | None = Field(default=None, description="IRI of the document adding it")
    dropped_in: str | None = Field(default=None, description="IRI of the document dropping it")


class Clause(Versioned):
    """One clause of the mid-term goal, the mid-term plan or an annual plan."""

    iri: str
    href: str
    level: Level
    year: int | None = Field(default=None, description="fiscal year (annual plan clauses)")
    section: str | None = Field(default=None, description="section number as printed")
    text: str | None = None
    implements: list[str] = Field(default=[], description="IRIs of the clauses one level up")
    targets: list[Target] = Field(
        default=[], description="measurable targets its text states (e.g. 稼働率99.9%以上)"
    )
    sources: list[SourceSpan] = []


class Observation(Model):
    """An actual value of an indicator in one fiscal year."""

    iri: str
    href: str
    indicator: str
    year: int | None = None
    value: Number | None = None
    unit: str | None = None
    subject: str | None = Field(default=None, description="what was measured, e.g. a system")
    statistic: str | None = Field(default=None, description="max, mean, … when the text says")
    text: str | None = None
    approximate: bool = False
    achievement: Number | None = Field(
        default=None,
        description="percent of its target reached (actual ÷ target for >=, target ÷ actual "
        "for <=; see the grade basis)",
    )
    implied_grade: str | None = Field(
        default=None, description="the rubric band the achievement falls in (S … D)"
    )
    sources: list[SourceSpan] = []


class Indicator(Versioned):
    """A quantitative indicator (主な定量的指標) or an evaluation viewpoint (評価の視点)."""

    iri: str
    href: str
    label: str | None = None
    quantitative: bool
    measures: list[str] = Field(default=[], description="IRIs of the clauses it measures")
    targets: list[Target] = []
    observations: list[Observation] = []
    sources: list[SourceSpan] = []


class YearTrace(Model):
    """What was planned, measured and graded for an item in one fiscal year."""

    year: int
    annual_clauses: list[Clause]
    observations: list[Observation]
    self_evaluation: Evaluation | None = None
    ministerial_evaluation: Evaluation | None = None


class ItemDetail(Model):
    iri: str
    href: str
    code: str
    category: str | None = None
    label: str | None = None
    legal_basis_text: str | None = Field(
        default=None, description="当該事業実施に係る根拠, as printed"
    )
    related_policy: str | None = None
    legal_basis: list[ProvisionRef] = []
    sources: list[SourceSpan] = []


class TextSegment(Model):
    """A run of characters of a character diff."""

    op: Literal["equal", "delete", "insert"] = Field(
        description="equal: in both texts; delete: only in the earlier one; insert: only in the "
        "later one"
    )
    text: str


class TextDiff(Model):
    """What changed between two versions of a text, character by character (the diff the
    pages show): the earlier text is the ``equal`` and ``delete`` segments joined in order,
    the later text the ``equal`` and ``insert`` segments."""

    segments: list[TextSegment] = Field(description="in reading order")
    similarity: float = Field(description="0 to 1 (difflib ratio); 1 for equal texts")


class Version(Model):
    """One version of a clause or indicator, with its period and the document first stating
    it."""

    iri: str
    href: str
    text: str | None = None
    year: int | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    stated_in: DocumentRef | None = None
    diff: TextDiff | None = Field(
        default=None, description="the character differences from the version before (none "
        "for the first)"
    )


class History(Model):
    """A clause or indicator through its versions (oldest first), and the documents that added
    or dropped it."""

    level: TargetLevel
    versions: list[Version]
    added_in: DocumentRef | None = None
    dropped_in: DocumentRef | None = None


LinkName = Literal["implements", "measures", "refines", "indicator"]


class SuspectLink(Model):
    """A link written against a version a later document revised (shapes/versions.ttl): to
    review against the new version."""

    lower: str = Field(description="IRI of the node holding the link")
    lower_href: str
    link: LinkName = Field(description="the link's property (pt:implements, …)")
    old: str = Field(description="IRI of the version the link points at")
    old_href: str
    new: str = Field(description="IRI of the current version")
    new_href: str
    since: str | None = Field(default=None, description="pt:validFrom of the new version")
    revised_in: DocumentRef | None = None


class Trace(Model):
    """An item's full trace: goal → plan → annual clauses → indicators → actuals → grades."""

    item: ItemDetail
    goal_clauses: list[Clause]
    plan_clauses: list[Clause]
    years: list[YearTrace] = Field(description="by fiscal year: annual clauses, actuals, grades")
    indicators: list[Indicator]
    histories: list[History] = Field(
        default=[], description="the clauses and indicators later documents revised, added or "
        "dropped, each with its versions oldest first"
    )
    suspect_links: list[SuspectLink] = Field(
        default=[], description="links of this item written against a version since revised"
    )


class BasisFinding(Model):
    """A finding of the compliance checks about an item's grade and its numbers (a SHACL result
    of the validation report: ``/validation``)."""

    severity: Literal["violation", "warning", "info"]
    rule: str = Field(description="IRI of the SHACL shape", examples=[
        "https://w3id.org/plantrace/shapes#GradeAboveNumbersShape"])  # fmt: skip
    label_ja: str
    label_en: str
    message_ja: str
    message_en: str
    focus: str = Field(description="IRI of the node the finding is about")
    focus_href: str
    year: int | None = None
    article: str | None = Field(default=None, description="the article the rule comes from")
    article_href: str | None = None


class BasisRow(Model):
    """One actual value held against its target."""

    indicator: str
    indicator_href: str
    indicator_label: str | None = None
    observation: Observation
    target: Target | None = Field(default=None, description="the target it was compared with")
    above: list[Target] = Field(
        default=[],
        description="the targets that target elaborates, level by level up (annual plan → "
        "mid-term plan → mid-term goal)",
    )
    note_ja: str | None = Field(default=None, description="why there is no achievement or band")
    note_en: str | None = None


class BasisYear(Model):
    """An item's grade basis in one fiscal year."""

    year: int
    rows: list[BasisRow]
    self_evaluation: Evaluation | None = None
    ministerial_evaluation: Evaluation | None = None
    findings: list[BasisFinding] = []


class GradeBasis(Model):
    """Whether an item's grades are justified by its numbers, year by year: each actual value
    with the target it was compared with (and the targets of the plans above it), its
    achievement and the rubric band it falls in, the grades, and the findings of the checks."""

    code: str
    iri: str
    href: str
    label: str | None = None
    years: list[BasisYear]
    findings: list[BasisFinding] = Field(
        default=[], description="findings about the item's targets that belong to no one year"
    )
    findings_checked: bool = Field(
        default=False,
        description="whether the findings were looked up (false while validation is running)",
    )


class Provision(Model):
    """An article (or a paragraph of one) of a statute."""

    iri: str
    href: str
    article_label: str | None = None
    caption: str | None = None
    text: str | None = None
    paragraphs: list[Provision] = []


class Statute(Model):
    iri: str
    href: str
    title: str | None = None
    short_name: str | None = None
    law_number: str | None = None
    egov_law_id: str | None = None
    provisions: list[Provision] = []


class StatutesResponse(Model):
    statutes: list[Statute]


class Dependent(Model):
    """A node that depends on the analysed provision, directly or through others."""

    iri: str
    href: str
    types: list[str] = Field(description="classes, as prefixed names (pt:GoalClause)")
    label: str | None = None
    item_code: str | None = None
    year: int | None = None
    depth: int = Field(description="1 for a direct dependent, 2 for its dependents, …")
    depends_on: list[str] = Field(description="IRIs (one step closer) it depends on")
    via: list[str] = Field(description="the predicates of those links")


class Impact(Model):
    """Everything that depends on a provision (or on every provision of a statute)."""

    iri: str
    href: str
    types: list[str]
    label: str | None = None
    dependents: list[Dependent]
    counts: dict[str, int] = Field(description="dependents per class")
    truncated: bool = Field(description="true if the analysis stopped at its node limit")


class OverallGrade(Model):
    iri: str
    href: str
    by: By | None = None
    year: int
    grade: str | None = None
    sources: list[SourceSpan] = []


class YearSummary(Model):
    year: int
    label: str = Field(examples=["令和3年度"])
    overall: list[OverallGrade]
    self_graded_items: int
    ministerial_graded_items: int


class YearsResponse(Model):
    years: list[YearSummary]


class ItemGrades(Model):
    code: str
    label: str | None = None
    iri: str
    href: str
    self_evaluation: Evaluation | None = None
    ministerial_evaluation: Evaluation | None = None


class EvaluationsOfYear(Model):
    year: int
    label: str
    overall: list[OverallGrade]
    items: list[ItemGrades]


class GradeDifference(Model):
    """An item and year whose self grade and ministerial grade differ."""

    code: str
    label: str | None = None
    item: str = Field(description="IRI of the item")
    year: int
    self_evaluation: Evaluation
    ministerial_evaluation: Evaluation
    difference: int = Field(
        description="ministerial rank minus self rank (S=5 … D=1): negative when the ministers "
        "graded lower"
    )


class DifferencesResponse(Model):
    differences: list[GradeDifference]


class SearchHit(Model):
    iri: str
    href: str
    kind: Literal["goal", "plan", "annual", "indicator"]
    item_code: str | None = None
    year: int | None = None
    text: str = Field(description="the clause text or indicator label, as published")
    snippet: str = Field(description="the text around the first match")
    score: float
    sources: list[SourceSpan] = []


class SearchResponse(Model):
    query: str
    total: int = Field(description="number of matching texts (hits holds at most ``limit``)")
    hits: list[SearchHit]


class Health(Model):
    """Whether the service is alive (``/healthz``) or ready to answer (``/readyz``)."""

    status: Literal["ok", "ready", "not ready"]
    workers: int | None = Field(default=None, description="query workers running")
    detail: str | None = Field(default=None, description="why it is not ready")


class WorkerInfo(Model):
    pid: int
    store: str


class Status(Model):
    """What the server serves and how its query workers are doing."""

    backend: Literal["embedded", "dataset", "remote"]
    store: str
    triples: int
    graphs: dict[str, int]
    workers: list[WorkerInfo]
    restarts: int = Field(description="workers replaced since start (time limit, crash, rebuild)")
    query_timeout: float
    row_limit: int
    max_body: int


# --- graph analyses (kg.analysis) --------------------------------------------------------------

Kind = Literal[
    "statute", "provision", "document", "goal", "plan", "annual", "indicator", "target",
    "observation", "item", "evaluation", "overall", "staff", "other",
]  # fmt: skip


class GraphNode(Model):
    """A node of the trace graph, as the analyses see it."""

    iri: str
    href: str
    kind: Kind = Field(description="its level in the trace (from its class)")
    item_code: str | None = None
    year: int | None = None
    label: str | None = Field(default=None, description="label, article, title or clause text")
    quantitative: bool = Field(default=False, description="a quantitative indicator")
    by: By | None = Field(default=None, description="who graded, for an evaluation")


class Ratio(Model):
    """``covered`` of ``total`` (``share`` is null when total is 0)."""

    covered: int
    total: int
    share: float | None


class ItemCoverage(Model):
    """How complete one item's trace is in one fiscal year."""

    code: str
    item: str = Field(description="IRI of the item")
    href: str
    year: int
    goal_plan: Ratio = Field(description="goal clauses that a plan clause implements")
    plan_annual: Ratio = Field(description="plan clauses with an annual plan clause this year")
    annual_indicator: Ratio = Field(description="this year's annual plan clauses with an indicator")
    indicator_observation: Ratio = Field(
        description="quantitative indicators with an actual value this year"
    )
    self_graded: bool
    ministerial_graded: bool


class YearCoverage(Model):
    """The coverage of every item in one year, added up."""

    year: int
    goal_plan: Ratio
    plan_annual: Ratio
    annual_indicator: Ratio
    indicator_observation: Ratio
    items_self_graded: Ratio
    items_ministerial_graded: Ratio


class CoverageResponse(Model):
    years: list[int]
    items: list[ItemCoverage] = Field(description="one row per item and year")
    totals: list[YearCoverage] = Field(
        description="one row per year (all items, or the items asked)"
    )


class Gap(Model):
    """A node without its link one level up (orphan) or down (dead end)."""

    node: GraphNode
    missing: str = Field(description="the kind of node it has no link to", examples=["plan"])


class GapsResponse(Model):
    orphans: list[Gap]
    dead_ends: list[Gap]
    counts: dict[str, int] = Field(description="orphans and dead ends per kind")


class ImpactSet(Model):
    """Every node that rests on a node (its descendants in the trace graph)."""

    node: GraphNode
    nodes: list[GraphNode]
    counts: dict[str, int] = Field(description="nodes per kind")
    items: list[str] = Field(description="codes of the items with a node in the set")


class PathStep(Model):
    node: GraphNode
    via: list[str] = Field(
        description="the link(s) from the previous node (prefixed predicates, or `graded`)"
    )


class PathResponse(Model):
    """The shortest chain of links from one node down to another (or to the nearest grade)."""

    source: str
    target: str
    length: int = Field(description="number of links")
    steps: list[PathStep]


class ChangedNode(Model):
    """A clause or indicator a document revised, added or dropped."""

    iri: str
    href: str
    level: TargetLevel
    code: str = Field(description="the evaluation item's code")
    item_href: str = Field(description="the item's trace page")
    text: str | None = None
    year: int | None = None
    revision_of: list[str] = Field(default=[], description="the versions it revises (revised)")
    diff: TextDiff | None = Field(
        default=None, description="revised: the character differences from the version it "
        "revises (when it revises one)"
    )


class DocumentChanges(Model):
    """What one document changed: the versions it states of earlier clauses and indicators,
    the new ones, the ones it drops, and the links below them that became suspect."""

    document: DocumentRef
    revised: list[ChangedNode]
    added: list[ChangedNode]
    dropped: list[ChangedNode]
    suspect_links: list[SuspectLink] = Field(
        description="links written against a version this document revised"
    )


class ChangesResponse(Model):
    documents: list[DocumentChanges] = Field(
        description="the documents that changed anything, newest first"
    )
