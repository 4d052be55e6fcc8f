"""The ontology's reference: one entry per ``pt:`` term, built from the Turtle files themselves.

``GET /ontology`` shows this to a browser (:mod:`api.routes.ontology`). Everything on the page
is read from ``ontology/plantrace.ttl`` and ``shapes/*.ttl`` when they change, so the reference
cannot drift from the vocabulary the data and the checks use:

* each class, property and grade with its labels and comments in both languages, its IRI,
  super- and subclasses, domain and range (a union domain is shown as its members);
* for a class, the properties whose domain or range includes it;
* for every term, the SHACL shapes that use it and how: as a target (``sh:targetClass`` …, or
  a parameter of a SPARQL-based ``sh:target``), in a property path (``sh:path``, also inside
  alternative and inverse paths), as a value class (``sh:class``) or value (``sh:in``,
  ``sh:hasValue``), inside the text of a SPARQL constraint (``pt:`` names in ``sh:select`` /
  ``sh:ask``), or as an annotation (``pt:enforces``).

A ``pt:`` name that a shape uses but the ontology does not declare is listed in
:attr:`OntologyDoc.undeclared`, so a typo in a SPARQL constraint shows up (and a test fails).
Each term's anchor on the page is its local name, so the hash IRI
``https://w3id.org/plantrace/ontology#GoalClause`` lands on its entry at ``/ontology#GoalClause``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeGuard

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kg.config import SHAPES_DIR
from kg.namespaces import DCTERMS, OWL, PT, RDF, RDFS, SKOS
from kg.ontology import ONTOLOGY_PATH

PT_NS = str(PT)
ONTOLOGY_IRI = PT_NS.rstrip("#")

TARGET = "target"
PATH = "path"
VALUE_CLASS = "value class"
VALUE = "value"
SPARQL = "SPARQL"
ANNOTATION = "annotation"
ROLES = (TARGET, PATH, VALUE_CLASS, VALUE, SPARQL, ANNOTATION)
"""How a shape can use a term, in the order the page lists them."""

_ROLE_OF: dict[Node, str] = {
    SH.targetClass: TARGET,
    SH.targetSubjectsOf: TARGET,
    SH.targetObjectsOf: TARGET,
    SH.targetNode: TARGET,
    SH.target: TARGET,  # a SPARQL-based target's parameters (SHACL-AF 2.2): pts:class pt:…
    SH.path: PATH,
    SH["class"]: VALUE_CLASS,
    SH.datatype: VALUE_CLASS,
    SH["in"]: VALUE,
    SH.hasValue: VALUE,
}
_SPARQL_TEXT = {SH.select, SH.ask, SH.construct}
_SEVERITY: dict[Node, str] = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

SECTIONS = (
    (OWL.Class, "classes", ("クラス", "Classes")),
    (OWL.ObjectProperty, "object-properties", ("オブジェクトプロパティ", "Object properties")),
    (OWL.DatatypeProperty, "datatype-properties", ("データ型プロパティ", "Datatype properties")),
    (OWL.AnnotationProperty, "annotation-properties", ("注釈プロパティ", "Annotation properties")),
    (SKOS.ConceptScheme, "concept-schemes", ("概念体系", "Concept schemes")),
)
"""Sections of the page by ``rdf:type`` (title in Japanese and English, each shown with its
``lang``); other typed ``pt:`` terms go to "individuals"."""
INDIVIDUALS = ("individuals", ("個体", "Individuals"))


@dataclass(frozen=True)
class Bilingual:
    """A text in Japanese and in English; either may be missing."""

    ja: str | None = None
    en: str | None = None


@dataclass(frozen=True)
class TermRef:
    """A term to link to: ``anchor`` is set when the term has an entry on this page."""

    iri: str
    name: str  # prefixed where a prefix of the files fits ("pt:GoalClause", "xsd:decimal")
    anchor: str | None = None


@dataclass(frozen=True)
class ShapeUse:
    """One shape using a term, and how (a subset of :data:`ROLES`)."""

    shape: str
    name: str
    file: str
    label: Bilingual
    severity: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class TermDoc:
    """Everything the page says about one ``pt:`` term."""

    iri: str
    local: str
    name: str
    types: tuple[TermRef, ...]
    label: Bilingual
    comment: Bilingual
    definition: Bilingual = Bilingual()
    notation: str | None = None
    parents: tuple[TermRef, ...] = ()
    children: tuple[TermRef, ...] = ()
    domain: tuple[tuple[TermRef, ...], ...] = ()  # each: one class, or the members of a union
    range: tuple[tuple[TermRef, ...], ...] = ()
    properties: tuple[TermRef, ...] = ()  # properties whose domain includes this class
    range_of: tuple[TermRef, ...] = ()  # properties whose range includes this class
    shapes: tuple[ShapeUse, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: Bilingual
    terms: tuple[TermDoc, ...]


@dataclass(frozen=True)
class OntologyDoc:
    """The whole reference: the ontology's own description, then the terms by section."""

    iri: str
    title: Bilingual
    description: Bilingual
    version: str | None
    sections: tuple[Section, ...]
    shape_files: tuple[str, ...]
    undeclared: tuple[str, ...] = ()  # pt: names shapes use that the ontology does not declare
    prefixes: dict[str, str] = field(default_factory=dict)

    def term(self, local: str) -> TermDoc | None:
        """The entry of ``pt:<local>``, if the ontology declares it."""
        for section in self.sections:
            for t in section.terms:
                if t.local == local:
                    return t
        return None


def _is_pt(node: Node | None) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and str(node).startswith(PT_NS) and len(node) > len(PT_NS)


def _text(graph: Graph, node: Node, prop: URIRef, lang: str) -> str | None:
    values = sorted(
        " ".join(str(o).split())
        for o in graph.objects(node, prop)
        if isinstance(o, Literal) and o.language == lang
    )
    return values[0] if values else None


def _bilingual(graph: Graph, node: Node, prop: URIRef) -> Bilingual:
    return Bilingual(_text(graph, node, prop, "ja"), _text(graph, node, prop, "en"))


class _Names:
    """Prefixed names from the prefixes the files declare, and anchors for ``pt:`` terms."""

    def __init__(self, prefixes: Mapping[str, str], declared: set[str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.declared = declared

    def name(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri

    def ref(self, iri: str) -> TermRef:
        anchor = iri[len(PT_NS) :] if iri in self.declared else None
        return TermRef(iri, self.name(iri), anchor)


def _sort_key(ref: TermRef) -> tuple[str, str]:
    return (ref.name.lower(), ref.name)


def _refs(names: _Names, iris: Iterable[str]) -> tuple[TermRef, ...]:
    return tuple(sorted((names.ref(i) for i in set(iris)), key=_sort_key))


def _class_members(graph: Graph, node: Node) -> list[str]:
    """The classes a domain or range names: one IRI, or the members of an ``owl:unionOf``."""
    if isinstance(node, URIRef):
        return [str(node)]
    union = graph.value(node, OWL.unionOf)
    if union is None:
        return []
    return [str(m) for m in Collection(graph, union) if isinstance(m, URIRef)]


def _pt_names_in(text: str, prefixes: Iterable[str]) -> set[str]:
    """``pt:`` terms written in SPARQL text, by any prefix bound to the ``pt:`` namespace."""
    found = {m.group(1) for m in re.finditer(re.escape(f"<{PT_NS}") + r"([^>\s]+)>", text)}
    for prefix in prefixes:
        pattern = rf"(?<![\w:.-]){re.escape(prefix)}:([A-Za-z_][\w-]*)"
        found |= {m.group(1) for m in re.finditer(pattern, text)}
    return {PT_NS + name for name in found}


def _pt_prefixes(graph: Graph) -> set[str]:
    """Prefixes bound to the ``pt:`` namespace: in the file and in its ``sh:declare``s."""
    names = {p for p, ns in graph.namespaces() if str(ns) == PT_NS}
    for decl in graph.objects(None, SH.declare):
        if str(graph.value(decl, SH.namespace) or "") == PT_NS:
            names.add(str(graph.value(decl, SH.prefix) or "pt"))
    return names or {"pt"}


def _uses_in(graph: Graph, shape: Node, pt_prefixes: set[str]) -> dict[str, set[str]]:
    """Every ``pt:`` term one shape uses (through its blank nodes and lists), with its roles."""
    uses: dict[str, set[str]] = defaultdict(set)
    seen: set[Node] = set()

    def walk(node: Node, role: str | None) -> None:
        for p, o in graph.predicate_objects(node):
            if _is_pt(p):
                uses[str(p)].add(ANNOTATION)
            here = _ROLE_OF.get(p, role)
            if _is_pt(o):
                uses[str(o)].add(here or ANNOTATION)
            elif isinstance(o, Literal) and p in _SPARQL_TEXT:
                for term in _pt_names_in(str(o), pt_prefixes):
                    uses[term].add(SPARQL)
            elif isinstance(o, BNode) and o not in seen:
                seen.add(o)
                walk(o, here)

    walk(shape, None)
    return uses


def _shapes_in(graph: Graph) -> list[URIRef]:
    found: set[Node] = set(graph.subjects(RDF.type, SH.NodeShape))
    found |= set(graph.subjects(RDF.type, SH.PropertyShape))
    found |= set(graph.subjects(SH.severity, None))
    return sorted((s for s in found if isinstance(s, URIRef)), key=str)


def shape_uses(shapes: Mapping[str, Graph], names: _Names) -> dict[str, list[ShapeUse]]:
    """Term IRI → the named shapes (of every file) that use it, ordered by file and name."""
    out: dict[str, list[ShapeUse]] = defaultdict(list)
    for file in sorted(shapes):
        graph = shapes[file]
        prefixes = _pt_prefixes(graph)
        for shape in _shapes_in(graph):
            severity = _SEVERITY.get(graph.value(shape, SH.severity) or SH.Violation, "violation")
            label = _bilingual(graph, shape, RDFS.label)
            for term, roles in _uses_in(graph, shape, prefixes).items():
                ordered = tuple(r for r in ROLES if r in roles)
                out[term].append(
                    ShapeUse(str(shape), names.name(str(shape)), file, label, severity, ordered)
                )
    return out


def _prefixes(*graphs: Graph) -> dict[str, str]:
    merged: dict[str, str] = {}
    for graph in graphs:
        for prefix, ns in graph.namespaces():
            if prefix:
                merged.setdefault(prefix, str(ns))
    return merged


def document(ontology: Graph, shapes: Mapping[str, Graph]) -> OntologyDoc:
    """The reference of the ``pt:`` terms ``ontology`` declares, with the shapes using them.

    ``shapes`` maps a file name (``trace.ttl``) to its parsed graph. Parse graphs with
    ``Graph(bind_namespaces="none")`` so that names use the files' own prefixes only.
    """
    typed: set[URIRef] = {s for s in ontology.subjects(RDF.type, None) if _is_pt(s)}
    declared = {str(s) for s in typed}
    prefixes = _prefixes(ontology, *(shapes[f] for f in sorted(shapes)))
    names = _Names(prefixes, declared)
    uses = shape_uses(shapes, names)

    domain_of: dict[str, set[str]] = defaultdict(set)
    range_of: dict[str, set[str]] = defaultdict(set)
    for prop in typed:
        for d in ontology.objects(prop, RDFS.domain):
            for cls in _class_members(ontology, d):
                domain_of[cls].add(str(prop))
        for r in ontology.objects(prop, RDFS.range):
            for cls in _class_members(ontology, r):
                range_of[cls].add(str(prop))

    children: dict[str, set[str]] = defaultdict(set)
    for sub in typed:
        for parent_prop in (RDFS.subClassOf, RDFS.subPropertyOf):
            for parent in ontology.objects(sub, parent_prop):
                if isinstance(parent, URIRef):
                    children[str(parent)].add(str(sub))

    def entry(term: URIRef) -> TermDoc:
        iri = str(term)
        parents = [
            str(p)
            for prop in (RDFS.subClassOf, RDFS.subPropertyOf)
            for p in ontology.objects(term, prop)
            if isinstance(p, URIRef)
        ]
        notation = ontology.value(term, SKOS.notation)
        return TermDoc(
            iri=iri,
            local=iri[len(PT_NS) :],
            name=names.name(iri),
            types=_refs(names, (str(t) for t in ontology.objects(term, RDF.type))),
            label=_bilingual(ontology, term, RDFS.label),
            comment=_bilingual(ontology, term, RDFS.comment),
            definition=_bilingual(ontology, term, SKOS.definition),
            notation=str(notation) if notation is not None else None,
            parents=_refs(names, parents),
            children=_refs(names, children.get(iri, ())),
            domain=_ranges(ontology, names, term, RDFS.domain),
            range=_ranges(ontology, names, term, RDFS.range),
            properties=_refs(names, domain_of.get(iri, ())),
            range_of=_refs(names, range_of.get(iri, ())),
            shapes=tuple(uses.get(iri, ())),
        )

    placed: set[URIRef] = set()
    sections = []
    for kind, section_id, title in SECTIONS:
        members = [t for t in typed if (t, RDF.type, kind) in ontology and t not in placed]
        placed.update(members)
        if members:
            sections.append(Section(section_id, Bilingual(*title),
                                    _sorted_entries(ontology, members, entry)))  # fmt: skip
    rest = [t for t in typed if t not in placed]
    if rest:
        sections.append(Section(INDIVIDUALS[0], Bilingual(*INDIVIDUALS[1]),
                                _sorted_entries(ontology, rest, entry)))  # fmt: skip

    used = {t for t in uses if t not in declared}
    head = URIRef(ONTOLOGY_IRI)
    version = ontology.value(head, OWL.versionInfo)
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        title=_bilingual(ontology, head, DCTERMS.title),
        description=_bilingual(ontology, head, DCTERMS.description),
        version=str(version) if version is not None else None,
        sections=tuple(sections),
        shape_files=tuple(sorted(shapes)),
        undeclared=tuple(sorted(names.name(t) for t in used)),
        prefixes=dict(sorted(prefixes.items())),
    )


def _ranges(
    graph: Graph, names: _Names, term: URIRef, prop: URIRef
) -> tuple[tuple[TermRef, ...], ...]:
    out = []
    for value in graph.objects(term, prop):
        members = _class_members(graph, value)
        if members:
            out.append(tuple(names.ref(m) for m in members))
    return tuple(sorted(out, key=lambda refs: [r.name for r in refs]))


def _sorted_entries(
    graph: Graph, terms: Iterable[URIRef], entry: Callable[[URIRef], TermDoc]
) -> tuple[TermDoc, ...]:
    """Entries by local name; individuals with a ``pt:rank`` (the grades) best first."""

    def key(term: URIRef) -> tuple[float, str]:
        rank = graph.value(term, PT.rank)
        order = -float(rank) if isinstance(rank, Literal) and rank.value is not None else 0.0
        return (order, str(term)[len(PT_NS) :].lower())

    return tuple(entry(t) for t in sorted(terms, key=key))


def parse(path: Path) -> Graph:
    """A Turtle file as an rdflib graph that knows only the file's own prefixes."""
    graph = Graph(bind_namespaces="none")
    graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=4)
def _load(ontology_path: Path, shapes_dir: Path, stamp: tuple[int, ...]) -> OntologyDoc:
    shapes = {p.name: parse(p) for p in sorted(shapes_dir.glob("*.ttl"))}
    return document(parse(ontology_path), shapes)


def load(ontology_path: Path = ONTOLOGY_PATH, shapes_dir: Path | None = None) -> OntologyDoc:
    """The reference for the files on disk (re-read when one of them changes)."""
    if shapes_dir is None:
        shapes_dir = SHAPES_DIR
    files = [ontology_path, *sorted(shapes_dir.glob("*.ttl"))]
    stamp = (*(p.stat().st_mtime_ns for p in files), len(files))
    return _load(ontology_path, shapes_dir, stamp)
