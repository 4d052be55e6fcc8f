"""Versions: what each document changed in the clauses, targets and indicators before it.

Plans change during a goal period: the mid-term plan is revised (変更認可), annual plans and
evaluation viewpoints are rewritten every year. The linker (:mod:`kg.link`) makes the same text
one node; this module reads the documents oldest first (:func:`kg.link.chronological`) and
decides, for every node a document states that no earlier document stated, whether it is a
**revision** of an earlier node, **new**, and for every earlier node it leaves out, whether it is
**dropped** (docs/architecture.md, "Versions").

How a successor is decided, within one group (clauses of one level and item, and fiscal year
for annual clauses; indicators of one item), between the nodes a document states first
(*fresh*) and the nodes in force before it that it does not restate (*missing*):

1. **Same place in the structure.** Each fresh and missing node stands after the nearest node
   the document restates (or at the start of the group). Where a place holds as many fresh
   nodes as missing ones, they are paired in order, unless both print a section number
   (Ⅰ．１．①) and the numbers differ.
2. **Similar text.** Of what is left, the pair whose texts are most alike (after NFKC and
   white space, :func:`kg.link.similarity` without its cut-off) is paired while the
   similarity is at least :data:`REVISED`, one to one.

A paired fresh node is a revision of its missing node (``prov:wasRevisionOf``). A fresh node
left over is new (``pt:addedIn`` the document) when earlier documents stated the group. A
missing node left over is dropped (``pt:droppedIn``) only by a document that issues that
level in full (:attr:`kg.records.DocumentRecords.issues`): a self-evaluation report quotes the
plans row by row and drops nothing by leaving a clause out, but sets that year's indicators.
Targets follow their clause or indicator: a target of a later reading that is no target before
it is a revision of the earlier target it pairs with (:func:`kg.link.counterpart`).

Each version's period comes from the documents' own dates (the manifest's ``issued``; a month
counts from its first day): ``pt:validFrom`` is the issue date of the first document that
states it, ``pt:validUntil`` the day before the issue date of the document that states its
successor or drops it. An undated document gives no date. Each fact goes into the graph of the
document that shows it, so removing a document removes what it changed.

A revised clause whose document states no level above it (a mid-term plan published on its
own) keeps implementing what its earlier version implemented; an annual clause whose document
states no plan (an annual plan on its own) implements the plan clauses of its section in force
on its date, aligned by wording (:func:`kg.ingest.board.align`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher

from rdflib import Graph, Literal, URIRef

from kg.ingest.board import align
from kg.link import Group, clause_groups, counterpart, indicator_groups
from kg.namespaces import PROV, PT, XSD
from kg.rdf import Emitter, Iris, target_iris
from kg.records import Clause, DocumentRecords, Indicator, Target
from kg.text import match_key, nfkc, squash

REVISED = 0.5
"""Texts of one group at least this similar (match keys, difflib ratio) are successive versions."""

_LEVEL_ABOVE = {"plan": "goal", "annual": "plan"}
_SHOWN = 60
_CONTEXT = 20
"""Characters shown before the first difference of a revision whose texts start alike."""


@dataclass
class Change:
    """One thing a document changed: a ``revised``, ``added`` or ``dropped`` node."""

    doc: str
    change: str  # "revised" | "added" | "dropped"
    what: str  # "plan clause III-3", "indicator I-9", "annual plan clause I-1 FY2021"
    node: URIRef  # the new version, the new node or the dropped node
    text: str
    previous: URIRef | None = None  # the version it revises
    previous_text: str | None = None

    def render(self) -> str:
        if self.change == "revised":
            old, new = _excerpts(self.previous_text, self.text)
            return f"  revised: {self.what} in {self.doc}: {old} → {new}"
        return f"  {self.change}: {self.what} in {self.doc}: {_short(self.text)}"


def _short(text: str | None) -> str:
    flat = squash(text or "")
    return flat if len(flat) <= _SHOWN else flat[:_SHOWN] + "…"


def _excerpts(old: str | None, new: str | None) -> tuple[str, str]:
    """Both texts shortened, from a little before where they first differ when that is past
    what :func:`_short` shows: a changed number at the end of a long clause still shows."""
    a, b = squash(old or ""), squash(new or "")
    pairs = enumerate(zip(a, b, strict=False))  # up to the shorter text
    same = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
    if same < _SHOWN - _CONTEXT:
        return _short(a), _short(b)
    start = same - _CONTEXT
    return "…" + _short(a[start:]), "…" + _short(b[start:])


@dataclass
class Changes:
    """What every document changed, and the triples saying so, by the document that shows it."""

    changes: list[Change] = field(default_factory=list)
    graphs: dict[str, Graph] = field(default_factory=dict)

    def of(self, doc: str) -> list[Change]:
        return [c for c in self.changes if c.doc == doc]

    def counts(self) -> dict[str, int]:
        kinds = ("revised", "added", "dropped")
        return {k: sum(1 for c in self.changes if c.change == k) for k in kinds}

    def render(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        lines = [c.render() for c in self.changes]
        return f"changed by later documents: {counts}\n" + "\n".join(lines)

    def add(self, doc: str, triple: tuple[URIRef, URIRef, URIRef | Literal]) -> None:
        self.graphs.setdefault(doc, Graph()).add(triple)


@dataclass
class _Node:
    """A node of a group as the documents so far state it."""

    iri: URIRef
    text: str
    section: str | None
    valid_from: date | None
    targets: list[tuple[URIRef, Target]]
    up: list[URIRef]  # what it implements (clauses)


@dataclass
class _Group:
    nodes: dict[URIRef, _Node] = field(default_factory=dict)
    order: list[URIRef] = field(default_factory=list)  # the versions in force, in order


@dataclass
class _Reading:
    """One record of a document as a node of a group."""

    iri: URIRef
    text: str
    section: str | None
    targets: list[tuple[URIRef, Target]]
    up: list[URIRef]
    restates: list[URIRef]
    record: Clause | Indicator


def compare(
    docs: Sequence[DocumentRecords], dates: Mapping[str, date | None], iris: Iris
) -> Changes:
    """The changes each of ``docs`` (oldest first, source documents only) shows."""
    changes = Changes()
    groups: dict[Group, _Group] = {}
    known_targets: set[URIRef] = set()
    for doc in docs:
        day = dates.get(doc.doc)
        state = _Document(doc, day, iris, changes, known_targets)
        for group, readings in state.readings().items():
            state.compare(group, groups.setdefault(group, _Group()), readings)
        state.implement_plan(groups)
    return changes


class _Document:
    """One document being compared with what came before it."""

    def __init__(
        self,
        doc: DocumentRecords,
        day: date | None,
        iris: Iris,
        changes: Changes,
        known_targets: set[URIRef],
    ) -> None:
        self.doc, self.day, self.iris, self.changes = doc, day, iris, changes
        self.known_targets = known_targets
        self.doc_iri = iris.doc(doc.doc)
        self.e = Emitter(doc, iris, Graph())
        self.targets = target_iris(self.e)
        self.levels = {c.level for c in doc.clauses}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.changes.add(self.doc.doc, (s, p, o))

    # --- the document's readings ------------------------------------------------------------

    def readings(self) -> dict[Group, list[_Reading]]:
        clause_iris = {id(c): iri for c, iri in zip(self.doc.clauses, self.e.clause_iris,
                                                    strict=True)}  # fmt: skip
        out: dict[Group, list[_Reading]] = {}
        for group, clauses in clause_groups(self.doc).items():
            out[group] = self._unique(
                _Reading(
                    clause_iris[id(c)], c.text, c.section, self._targets(c.targets),
                    [] if c.implements is None else [self.e.clause_iris[c.implements]],
                    [self.iris.clause(c.level, c.item, self.e.clause_year(c), k)
                     for k in c.restates], c,
                )
                for c in clauses
            )  # fmt: skip
        indicator_iris = {id(i): iri for i, iri in zip(self.doc.indicators, self.e.indicator_iris,
                                                       strict=True)}  # fmt: skip
        for group, indicators in indicator_groups(self.doc).items():
            out[group] = self._unique(
                _Reading(
                    indicator_iris[id(i)], i.label, None, self._targets(i.targets),
                    [self.e.clause_iris[m] for m in i.measures],
                    [self.iris.indicator(i.item, k) for k in i.restates], i,
                )
                for i in indicators
            )  # fmt: skip
        return out

    def _targets(self, targets: list[Target]) -> list[tuple[URIRef, Target]]:
        return [(self.targets[id(t)], t) for t in targets]

    @staticmethod
    def _unique(readings: Iterable[_Reading]) -> list[_Reading]:
        """One reading per node (records keyed to one node read as one, in order)."""
        seen: dict[URIRef, _Reading] = {}
        for r in readings:
            if r.iri in seen:
                seen[r.iri].targets += r.targets
            else:
                seen[r.iri] = r
        return list(seen.values())

    # --- comparing one group ----------------------------------------------------------------

    def compare(self, group: Group, state: _Group, readings: list[_Reading]) -> None:
        what = _what(group)
        restated = {r.iri for r in readings if r.iri in state.nodes}
        restated |= {i for r in readings for i in r.restates}
        fresh = [r for r in readings if r.iri not in state.nodes]
        missing = [state.nodes[n] for n in state.order if n not in restated]
        pairs = _pairs(readings, fresh, state.order, missing, restated)
        paired_new = {id(new) for new, _ in pairs}
        paired_old = {old.iri for _, old in pairs}
        had_before = bool(state.order)
        for r in readings:
            if r.iri in state.nodes:
                self._restate(state.nodes[r.iri], r)
        for new, old in pairs:
            node = self._first(state, new, old.targets)
            self.add(new.iri, PROV.wasRevisionOf, old.iri)
            self._end(old)
            self.changes.changes.append(
                Change(self.doc.doc, "revised", what, new.iri, new.text, old.iri, old.text)
            )
            above = _LEVEL_ABOVE.get(str(group[0]))
            if above is not None and not new.up and above not in self.levels:
                for up in old.up:  # a plan on its own: the revision stays under the same goal
                    self.add(new.iri, PT.implements, up)
                node.up = list(old.up)
            state.order[state.order.index(old.iri)] = new.iri
        for r in fresh:
            if id(r) in paired_new:
                continue
            self._first(state, r, [])
            if had_before:
                self.add(r.iri, PT.addedIn, self.doc_iri)
                self.changes.changes.append(Change(self.doc.doc, "added", what, r.iri, r.text))
            state.order.insert(_after(state.order, readings, r), r.iri)
        if group[0] not in self.doc.issues:
            return
        for old in missing:
            if old.iri in paired_old:
                continue
            self.add(old.iri, PT.droppedIn, self.doc_iri)
            self._end(old)
            self.changes.changes.append(Change(self.doc.doc, "dropped", what, old.iri, old.text))
            state.order.remove(old.iri)

    def _first(self, state: _Group, r: _Reading, before: list[tuple[URIRef, Target]]) -> _Node:
        """A node this document states first: its period starts here."""
        node = _Node(r.iri, r.text, r.section, self.day, [], list(r.up))
        state.nodes[r.iri] = node
        self.add(r.iri, PT.firstStatedIn, self.doc_iri)
        if self.day is not None:
            self.add(r.iri, PT.validFrom, _date(self.day))
        self._targets_of(node, r, before)
        return node

    def _restate(self, node: _Node, r: _Reading) -> None:
        node.up = list(dict.fromkeys([*node.up, *r.up]))
        self._targets_of(node, r, node.targets)

    def _targets_of(
        self, node: _Node, r: _Reading, before: list[tuple[URIRef, Target]]
    ) -> None:
        """The reading's targets: those stated first here, and which earlier ones they revise."""
        if not r.targets:
            return
        earlier = {id(t): iri for iri, t in before}
        for iri, target in r.targets:
            if iri in self.known_targets:
                continue
            self.known_targets.add(iri)
            self.add(iri, PT.firstStatedIn, self.doc_iri)
            if self.day is not None:
                self.add(iri, PT.validFrom, _date(self.day))
            old = counterpart(target, [t for i, t in before if i not in {x for x, _ in r.targets}])
            if old is not None:
                self.add(iri, PROV.wasRevisionOf, earlier[id(old)])
                self._end_iri(earlier[id(old)], None)
        node.targets = list(r.targets)

    def _end(self, node: _Node) -> None:
        self._end_iri(node.iri, node.valid_from)

    def _end_iri(self, iri: URIRef, valid_from: date | None) -> None:
        """The version ``iri`` is in force until the day before this document's date."""
        if self.day is None:
            return
        until = self.day - timedelta(days=1)
        if valid_from is None or until >= valid_from:
            self.add(iri, PT.validUntil, _date(until))

    # --- an annual plan on its own ----------------------------------------------------------

    def implement_plan(self, groups: Mapping[Group, _Group]) -> None:
        """Annual clauses of a document without a plan implement the plan clauses in force of
        their item and section, aligned in order by wording, and their targets refine the
        targets of those clauses as within one document (:func:`kg.link.counterpart`)."""
        if "plan" in self.levels:
            return
        sections: dict[tuple[str, str], list[tuple[int, Clause]]] = {}
        for n, c in enumerate(self.doc.clauses):
            if c.level == "annual" and c.implements is None and c.item and c.section:
                sections.setdefault((c.item, nfkc(c.section)), []).append((n, c))
        for (item, section), members in sections.items():
            plan = groups.get(("plan", item, ""))
            if plan is None:
                continue
            above = [plan.nodes[n] for n in plan.order
                     if nfkc(plan.nodes[n].section or section) == section]  # fmt: skip
            if not above:
                continue
            chosen = align([c.text for _, c in members], [a.text for a in above])
            for (n, c), k in zip(members, chosen, strict=True):
                self.add(self.e.clause_iris[n], PT.implements, above[k].iri)
                for target in c.targets:
                    hit = counterpart(target, [t for _, t in above[k].targets])
                    for iri, t in above[k].targets:
                        if t is hit:
                            self.add(self.targets[id(target)], PT.refines, iri)


def _date(day: date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def _what(group: Group) -> str:
    level = str(group[0])
    if level == "indicator":
        return f"indicator {group[1]}"
    name = {"goal": "goal clause", "plan": "plan clause", "annual": "annual plan clause"}[level]
    return f"{name} {group[1]}" + (f" FY{group[2]}" if len(group) > 2 and group[2] else "")


def _anchor(sequence: Sequence[URIRef], restated: set[URIRef]) -> dict[URIRef, URIRef | None]:
    """For each element, the nearest restated element before it (None: the group's start)."""
    out: dict[URIRef, URIRef | None] = {}
    last: URIRef | None = None
    for x in sequence:
        out[x] = last
        if x in restated:
            last = x
    return out


def _pairs(
    readings: list[_Reading],
    fresh: list[_Reading],
    order: list[URIRef],
    missing: list[_Node],
    restated: set[URIRef],
) -> list[tuple[_Reading, _Node]]:
    """Fresh readings paired with the missing nodes they revise (see the module doc)."""
    new_place = _anchor([r.iri for r in readings], restated)
    old_place = _anchor(order, restated)
    places: dict[URIRef | None, tuple[list[_Reading], list[_Node]]] = {}
    for r in fresh:
        places.setdefault(new_place[r.iri], ([], []))[0].append(r)
    for m in missing:
        places.setdefault(old_place[m.iri], ([], []))[1].append(m)
    pairs: list[tuple[_Reading, _Node]] = []
    for news, olds in places.values():
        if len(news) == len(olds):
            pairs += [(r, m) for r, m in zip(news, olds, strict=True) if _same_section(r, m)]
    left_new = [r for r in fresh if all(r is not p for p, _ in pairs)]
    left_old = [m for m in missing if all(m is not p for _, p in pairs)]
    scored = sorted(
        ((_ratio(r.text, m.text), i, j) for i, r in enumerate(left_new)
         for j, m in enumerate(left_old)),
        key=lambda s: (-s[0], s[1], s[2]),
    )  # fmt: skip
    used_new: set[int] = set()
    used_old: set[int] = set()
    for score, i, j in scored:
        if score < REVISED:
            break
        if i in used_new or j in used_old:
            continue
        used_new.add(i)
        used_old.add(j)
        pairs.append((left_new[i], left_old[j]))
    return pairs


def _same_section(r: _Reading, m: _Node) -> bool:
    return r.section is None or m.section is None or nfkc(r.section) == nfkc(m.section)


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, match_key(a), match_key(b), autojunk=False).ratio()


def _after(order: list[URIRef], readings: list[_Reading], r: _Reading) -> int:
    """Where a new node goes in the group's order: after the node read before it."""
    before = [x.iri for x in readings[: readings.index(r)] if x.iri in order]
    return order.index(before[-1]) + 1 if before else 0

