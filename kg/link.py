"""Joins the records of all documents into one trace (issue: "one graph, not three").

Each parser reads one document; the same item, goal clause, plan clause or indicator is printed
in several (the board material's plans, the FY2021 and FY2025 self-evaluations). Nodes are named
from keys (:mod:`kg.rdf`), so joining means giving matching records the same key:

* items: a clause the board material files under a section heading gets the item whose title
  matches the heading (NFKC, white space ignored; nearly equal when a document drops a の);
* clauses and indicators: within one item, level and fiscal year, texts that are the same after
  NFKC, or nearly the same (a dropped particle, a typo), get the key of the first reading
  (documents oldest first; on one date the board material's, which is the approved plan
  itself); matching is one-to-one per document, and text a document divides into clauses
  differently (one clause here, two there) is the same text; a text that is not the same
  starts a node of its own, which :mod:`kg.versions` places as a revision, new or dropped;
* statutes: a law cited by title, number or short name anywhere is one law; citations of an
  item's legal basis become :class:`~kg.records.ProvisionRef` values naming it completely;
* authorizations: the goal, plans and evaluations rest on the articles whose text defines them
  (「…（以下「中期目標」という。）」), found in the statute excerpts;
* targets: a clause's target refines the target of the clause it implements, an indicator's
  target the target of a clause it measures (:func:`counterpart` says how a pair is decided);
* achievements: every observation is compared with its target and graded by the rubric
  (:mod:`kg.achievement`), which needs the rubric and the grades' marks of other documents.

Matching is by section, item and text, never by position. :class:`LinkReport` says what matched
and lists what did not, for ``plantrace build`` to print; with it, what the documents changed
(:class:`kg.versions.Changes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from kg.achievement import assess
from kg.ingest.citations import citations
from kg.records import (
    Authorization,
    Clause,
    DocumentRecords,
    Indicator,
    ProvisionRef,
    Statute,
    Target,
)
from kg.text import match_key, nfkc

if TYPE_CHECKING:  # kg.versions builds on this module
    from kg.versions import Changes

SIMILAR = 0.85
"""Two texts of one item and level whose match keys are at least this similar are one node."""

PREFERRED_KIND = "board-material"
"""The reading that wins when documents print a clause slightly differently."""

# The terms the statute defines for the three plan documents, as the template prints them.
_DEFINED_TERMS = {"goal": "中期目標", "plan": "中期計画", "annual": "年度計画"}
_EVALUATION_CAPTION = "業務の実績に関する評価"


@dataclass
class LinkReport:
    """What the linker joined (counts per kind) and what it could not place (descriptions)."""

    matched: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)  # where the facts came from
    changes: Changes | None = None  # what later documents revised, added and dropped

    def count(self, kind: str, n: int = 1) -> None:
        self.matched[kind] = self.matched.get(kind, 0) + n

    def render(self) -> str:
        lines = [f"  facts {how}: {n}" for how, n in self.facts.items()]
        lines += [f"  {kind}: {n}" for kind, n in sorted(self.matched.items())]
        lines += [f"  not matched: {u}" for u in self.unmatched]
        text = "linked across documents:\n" + "\n".join(lines or ["  nothing"])
        return text + ("\n\n" + self.changes.render() if self.changes is not None else "")


Catalogue = Mapping[str, tuple[str, str, int | None]]
"""Document id → (Japanese title, kind, fiscal year): what references are resolved against."""


def link(
    docs: Sequence[DocumentRecords],
    catalogue: Catalogue,
    dates: Mapping[str, date | None] | None = None,
) -> LinkReport:
    """Give matching records across ``docs`` the same keys; fill in what one document knows.

    ``dates`` are the source documents' issue dates (None where a document prints none);
    documents are read oldest first (:func:`chronological`).
    """
    report = LinkReport()
    ordered = chronological(docs, dates or {})
    dated = [(d, _when(d, dates or {})) for d in ordered]
    _assign_items(ordered, report)
    _join(dated, report, "clause", clause_groups, lambda c: c.text)
    _join(dated, report, "indicator", indicator_groups, lambda i: i.label)
    laws = _Laws(ordered)
    _resolve_legal_basis(ordered, laws, report)
    _authorize(ordered, laws, report)
    _resolve_references(ordered, catalogue, report)
    _refine_targets(ordered, report)
    report.count("observations compared with a target", assess(ordered))
    return report


def chronological(
    docs: Sequence[DocumentRecords], dates: Mapping[str, date | None]
) -> list[DocumentRecords]:
    """``docs`` oldest first, the order in which readings name nodes and versions follow.

    By issue date; a source document that prints no date counts from the last day of the
    fiscal year it is about (a report on a year is written after it; nothing in it can
    precede what was planned for it); on one date the preferred reading
    (:data:`PREFERRED_KIND`) comes first; what is no source document (the curated facts), and
    everything when no dates are known, keeps the order given after that.
    """

    def order(n: int, doc: DocumentRecords) -> tuple[date, bool, int]:
        return _when(doc, dates), doc.kind != PREFERRED_KIND, n

    return [d for n, d in sorted(enumerate(docs), key=lambda nd: order(*nd))]


def _when(doc: DocumentRecords, dates: Mapping[str, date | None]) -> date:
    """Where ``doc`` stands in time (see :func:`chronological`)."""
    day = dates.get(doc.doc)
    if day is None and doc.doc in dates and doc.year is not None:
        day = date(doc.year + 1, 3, 31)
    return day or date.max


def similarity(a: str, b: str) -> float:
    """Similarity of two texts' match keys (1.0 = the same after NFKC and white space)."""
    ka, kb = match_key(a), match_key(b)
    if ka == kb:
        return 1.0
    matcher = SequenceMatcher(None, ka, kb, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= SIMILAR else 0.0


# --- items -----------------------------------------------------------------------------------


def _assign_items(docs: Sequence[DocumentRecords], report: LinkReport) -> None:
    """A clause filed under a heading, not an item, gets the item whose title is the heading."""
    titles = {item.code: item.title for d in docs for item in d.items}
    for doc in docs:
        for clause in doc.clauses:
            if clause.item or not clause.heading:
                continue
            code = _best(titles.items(), clause.heading, lambda kv: kv[1])
            if code is not None:
                clause.item = code[0]
                report.count("clauses placed under an item by their heading")


T = TypeVar("T")


def _best(candidates: Iterable[T], text: str, text_of: Callable[[T], str]) -> T | None:
    """The candidate whose text is most similar to ``text``, if similar enough."""
    scored = [(similarity(text, text_of(c)), i, c) for i, c in enumerate(candidates)]
    scored = [s for s in scored if s[0] >= SIMILAR]
    return max(scored, key=lambda s: (s[0], -s[1]))[2] if scored else None


# --- clauses and indicators ------------------------------------------------------------------

Group = tuple[str, ...]


def clause_groups(doc: DocumentRecords) -> dict[Group, list[Clause]]:
    """A document's clauses by level, item and (annual clauses) fiscal year, in order."""
    groups: dict[Group, list[Clause]] = {}
    for c in doc.clauses:
        if c.item:
            year = str(c.year or doc.year) if c.level == "annual" else ""
            groups.setdefault((c.level, c.item, year), []).append(c)
    return groups


def indicator_groups(doc: DocumentRecords) -> dict[Group, list[Indicator]]:
    """A document's indicators by item, in order."""
    groups: dict[Group, list[Indicator]] = {}
    for i in doc.indicators:
        if i.item:
            groups.setdefault(("indicator", i.item), []).append(i)
    return groups


class _Keyed(Protocol):
    key: str | None
    restates: list[str]


@dataclass
class _Entry:
    """A text a node of a group is known by: its first reading's, or a part of it that a
    document prints as a clause of its own."""

    key: str
    text: str
    canonical: bool  # the node's first reading (False: one part of a divided reading)
    when: date = date.max  # the date of the document it was read from (see chronological)


RUN = 4
"""At most this many clauses of one document are read as one clause of another."""


def _join(
    docs: Sequence[tuple[DocumentRecords, date]],
    report: LinkReport,
    kind: str,
    groups_of: Callable[[DocumentRecords], Mapping[Group, Sequence[_Keyed]]],
    text_of: Callable[[Any], str],
) -> None:
    """Within each group, match each document's records one-to-one to the readings before it.

    The first reading of a node (documents oldest first, :func:`chronological`) names it.
    A record that is the same text (:data:`SIMILAR`) as a known reading gets its node's key.
    A document may divide text differently: a record that is the same text as several
    consecutive nodes together gets the first one's key and ``restates`` the others; records
    that together are the same text as one node all get its key. Whatever is left starts a
    node of its own; whether it revises an earlier node or is new is :mod:`kg.versions`'s to
    decide.
    """
    entries: dict[Group, list[_Entry]] = {}
    for doc, when in docs:
        for group, records in groups_of(doc).items():
            known = entries.setdefault(group, [])
            taken: set[int] = set()
            left: list[_Keyed] = []
            matched: dict[int, int] = {}  # record index → entry index
            for i, record in enumerate(records):
                free = [(n, e) for n, e in enumerate(known) if n not in taken
                        and _same_numbers(e, text_of(record), when)]  # fmt: skip
                hit = _best(free, text_of(record), lambda ne: ne[1].text)
                if hit is None:
                    left.append(record)
                    continue
                taken.add(hit[0])
                matched[i] = hit[0]
                record.key = hit[1].key
                report.count(f"{kind}s joined across documents")
            division = _Division(known, taken, text_of, report, kind, when)
            left = division.divided(division.merged(division.continued(records, matched, left)))
            for record in left:
                known.append(_Entry(match_key(text_of(record)), text_of(record), True, when))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _same_numbers(entry: _Entry, text: str, when: date) -> bool:
    """Whether a reading may be the same text as ``entry``: a later document that states
    other numbers (95% → 97%) states a new version, however alike the words are."""
    return entry.when >= when or _NUMBER.findall(nfkc(entry.text)) == _NUMBER.findall(nfkc(text))


def _runs(n: int) -> Iterator[tuple[int, int]]:
    """(start, end) of every run of at least two of ``n`` things, at most :data:`RUN` long."""
    for start in range(n):
        for end in range(start + 2, min(n, start + RUN) + 1):
            yield start, end


@dataclass
class _Division:
    """Texts a document divides into clauses differently from the readings before it."""

    known: list[_Entry]
    taken: set[int]  # entries matched in this document
    text_of: Callable[[Any], str]
    report: LinkReport
    kind: str
    when: date

    def continued(
        self, records: Sequence[_Keyed], matched: Mapping[int, int], left: list[_Keyed]
    ) -> list[_Keyed]:
        """Records that end the clause the record before them starts (a plan printed alone
        ends a paragraph where the board material's table runs on): together they are the
        same text as its node, closer than the record before alone. The others."""
        rest = []
        for i, record in enumerate(records):
            if not any(r is record for r in left):
                continue
            n = matched.get(i - 1)
            if n is not None:
                entry = self.known[n]
                before = self.text_of(records[i - 1])
                together = similarity(before + self.text_of(record), entry.text)
                if together >= SIMILAR and together > similarity(before, entry.text):
                    record.key = entry.key
                    self.known.append(_Entry(entry.key, self.text_of(record), False, self.when))
                    self.report.count(f"{self.kind}s read as one of another document")
                    continue
            rest.append(record)
        return rest

    def merged(self, records: list[_Keyed]) -> list[_Keyed]:
        """Records that are the same text as consecutive nodes together (I-9's plan: the FY2025
        report prints as one clause the two paragraphs of the board material); the others."""
        left = []
        for record in records:
            nodes = [n for n, e in enumerate(self.known) if e.canonical and n not in self.taken]
            found = None
            for start, end in _runs(len(nodes)):
                run = nodes[start:end]
                if run != list(range(run[0], run[0] + len(run))):
                    continue  # not consecutive: another node stands between them
                together = "".join(self.known[n].text for n in run)
                if similarity(self.text_of(record), together) >= SIMILAR:
                    found = run
                    break
            if found is None:
                left.append(record)
                continue
            record.key = self.known[found[0]].key
            record.restates = [self.known[n].key for n in found[1:]]
            self.taken.update(found)
            self.report.count(f"{self.kind}s read as several of another document", len(found))
        return left

    def divided(self, records: list[_Keyed]) -> list[_Keyed]:
        """Consecutive records that together are the same text as one node (the FY2021 report
        prints I-1's second goal clause as two); they all get its key. The others."""
        used: set[int] = set()
        for n, entry in enumerate(self.known):
            if not entry.canonical or n in self.taken:
                continue
            for start, end in _runs(len(records)):
                if used & set(range(start, end)):
                    continue
                together = "".join(self.text_of(r) for r in records[start:end])
                if similarity(together, entry.text) >= SIMILAR:
                    for record in records[start:end]:
                        record.key = entry.key
                        self.known.append(
                            _Entry(entry.key, self.text_of(record), False, self.when)
                        )
                    used.update(range(start, end))
                    self.taken.add(n)
                    self.report.count(f"{self.kind}s read as one of another document", end - start)
                    break
        return [r for i, r in enumerate(records) if i not in used]


# --- statutes and legal basis -----------------------------------------------------------------


@dataclass
class _Law:
    title: str | None = None
    number: str | None = None
    short: str | None = None
    egov: str | None = None


class _Laws:
    """Every law the documents print or cite, joined by title, law number or short name."""

    def __init__(self, docs: Sequence[DocumentRecords]) -> None:
        self.laws: list[_Law] = []
        self.statutes: list[Statute] = [s for d in docs for s in d.statutes]
        for s in self.statutes:
            self.add(s.title, s.law_number, s.short_title, s.egov_law_id)
        refs = [r for d in docs for i in d.items for r in self.citations(i.legal_basis)]
        for r in refs:
            self.add(r.law_title, r.law_number, r.short_title, None)
        for s in self.statutes:  # what a citation told about a printed statute
            law = self.find(s.title, s.law_number, s.short_title)
            if law is not None:
                s.law_number = s.law_number or law.number
                s.short_title = s.short_title or law.short
                s.egov_law_id = s.egov_law_id or law.egov

    def citations(self, text: str | None) -> list[ProvisionRef]:
        if not text:
            return []
        shorts = [law.short for law in self.laws if law.short]
        titles = [law.title for law in self.laws if law.title]
        return citations(text, shorts, titles)

    def find(self, title: str | None, number: str | None, short: str | None) -> _Law | None:
        for law in self.laws:
            if (
                (number and law.number and nfkc(number) == nfkc(law.number))
                or (title and law.title and match_key(title) == match_key(law.title))
                or (short and law.short and nfkc(short) == nfkc(law.short))
            ):
                return law
        return None

    def add(
        self, title: str | None, number: str | None, short: str | None, egov: str | None
    ) -> None:
        law = self.find(title, number, short)
        if law is None:
            self.laws.append(_Law(title, number, short, egov))
            return
        law.title, law.number = law.title or title, law.number or number
        law.short, law.egov = law.short or short, law.egov or egov

    def complete(self, ref: ProvisionRef) -> ProvisionRef:
        """``ref`` with the law's title, number and short name filled in where known."""
        law = self.find(ref.law_title, ref.law_number, ref.short_title)
        if law is None:
            return ref
        return replace(
            ref,
            law_title=ref.law_title or law.title,
            law_number=ref.law_number or law.number,
            short_title=ref.short_title or law.short,
        )


def _resolve_legal_basis(docs: Sequence[DocumentRecords], laws: _Laws, report: LinkReport) -> None:
    for doc in docs:
        for item in doc.items:
            refs = [laws.complete(r) for r in laws.citations(item.legal_basis)]
            item.legal_basis_refs = refs
            report.count("legal basis citations resolved to provisions", len(refs))
            if item.legal_basis and not refs:
                report.unmatched.append(
                    f"legal basis of {item.code} in {doc.doc}: {item.legal_basis[:40]}"
                )


def _authorize(docs: Sequence[DocumentRecords], laws: _Laws, report: LinkReport) -> None:
    """Point each plan document and each document's evaluations at the article behind it."""
    defining: dict[str, ProvisionRef] = {}
    for doc in docs:
        for p in doc.provisions:
            statute = doc.statutes[p.statute]
            ref = laws.complete(
                ProvisionRef(nfkc(p.label), statute.title, statute.law_number,
                             statute.short_title, supplementary=p.supplementary)
            )  # fmt: skip
            text = nfkc(p.text)
            for subject, term in _DEFINED_TERMS.items():
                if re.search(rf"「{term}」という", text):
                    defining.setdefault(subject, ref)
            if p.caption and _EVALUATION_CAPTION in nfkc(p.caption):
                defining.setdefault("evaluation", ref)
    for doc in docs:
        wanted: list[tuple[str, int | None]] = []
        levels = {c.level for c in doc.clauses}
        wanted += [(s, None) for s in ("goal", "plan") if s in levels]
        years = {c.year or doc.year for c in doc.clauses if c.level == "annual"}
        wanted += [("annual", y) for y in sorted(y for y in years if y is not None)]
        if doc.evaluations or doc.overall:
            wanted.append(("evaluation", None))
        for subject, year in wanted:
            if subject in defining:
                doc.authorizations.append(Authorization(subject, defining[subject], year))
                report.count("authorizations")
            else:
                report.unmatched.append(f"no statute article defines the {subject} ({doc.doc})")


# --- references to other documents ------------------------------------------------------------


def _resolve_references(
    docs: Sequence[DocumentRecords], catalogue: Catalogue, report: LinkReport
) -> None:
    """詳細は…令和3年度事業報告第3章三 → the source document of that kind and year.

    A document qualifies when its title contains the name the reference prints and it reports
    on that year; of several, the one whose title is closest to the name (the report itself,
    not a report with annexes).
    """
    for doc in docs:
        for ref in doc.references:
            name = nfkc(ref.document)
            found = [
                (len(title), doc_id)
                for doc_id, (title, _kind, year) in catalogue.items()
                if name and name in nfkc(title) and year == ref.year and doc_id != doc.doc
            ]
            if found:
                ref.resolved = min(found)[1]
                report.count("references resolved to documents")
            else:
                report.unmatched.append(f"reference in {doc.doc}: {ref.target} (not a source)")


# --- targets ----------------------------------------------------------------------------------

_DIRECTIONS = {">=": "at least", ">": "at least", "<=": "at most", "<": "at most", "=": "exactly"}
_LEVELS_UP = ("annual", "plan", "goal")


def counterpart(target: Target, above: Sequence[Target]) -> Target | None:
    """The one target of ``above`` that ``target`` elaborates, if exactly one is of its kind.

    Two targets are of one kind when they have the same unit (NFKC), bound in the same
    direction (at least, at most, exactly), count over the same period (both 月, or neither
    printing one) and name compatible measures (one name ends with the other, or one prints
    none: 稼働率 pairs with システム稼働率, never with 応答率). Values never decide a pair, so
    a lowered number still pairs with the target it weakens. Several candidates of one kind
    are narrowed to those naming the same measure; what stays ambiguous pairs with nothing.
    """
    kind = [a for a in above if _same_kind(target, a)]
    if len(kind) > 1:
        kind = [a for a in kind if a.measure == target.measure]
    return kind[0] if len(kind) == 1 else None


def _same_kind(a: Target, b: Target) -> bool:
    measures = (a.measure or "", b.measure or "")
    return (
        nfkc(a.unit) == nfkc(b.unit)
        and _DIRECTIONS.get(a.comparator) == _DIRECTIONS.get(b.comparator)
        and a.period == b.period
        and (not all(measures) or measures[0].endswith(measures[1])
             or measures[1].endswith(measures[0]))
    )  # fmt: skip


def _refine_targets(docs: Sequence[DocumentRecords], report: LinkReport) -> None:
    """Within each document: annual → plan → goal through ``implements``; an indicator's
    targets → the targets of the clauses it measures at the lowest level that has one of
    their kind (the annual plan, else the plan, else the goal)."""
    for doc in docs:
        for clause in doc.clauses:
            if clause.implements is None:
                continue
            above = doc.clauses[clause.implements].targets
            _add_refines(clause.targets, [above], report)
        for ind in doc.indicators:
            measured = [doc.clauses[i] for i in ind.measures]
            by_level = [[c.targets for c in measured if c.level == lv] for lv in _LEVELS_UP]
            for target in ind.targets:
                for clauses in by_level:
                    if _add_refines([target], clauses, report):
                        break


def _add_refines(
    targets: Sequence[Target], candidates: Sequence[Sequence[Target]], report: LinkReport
) -> bool:
    """Link each of ``targets`` to its counterpart in each list of ``candidates``; whether any
    link was made."""
    linked = False
    for target in targets:
        for above in candidates:
            hit = counterpart(target, above)
            if hit is not None and hit is not target:
                target.refines.append(hit)
                report.count("targets refining a target of the level above")
                linked = True
    return linked
