"""Build the graph: every document of the manifest → records → RDF → one new store.

Each document's bytes are checked against the manifest, read by the first registered parser
whose ``detect`` accepts the text, and loaded as one named graph. A document no parser accepts
is still registered (its ``pt:SourceDocument`` description), so the store always lists every
source. The build writes a fresh store and swaps it in only when everything succeeded
(:func:`kg.store.building`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.config import load_settings
from kg.curated import check_quotes, load_curated, to_records
from kg.errors import ParseError, PlantraceError
from kg.ingest import Parser, known_kinds, parser_for
from kg.link import LinkReport, chronological, link
from kg.namespaces import ONTOLOGY_GRAPH
from kg.rdf import Iris, curated_graphs, to_graphs
from kg.records import DocumentRecords
from kg.results import compact, table
from kg.sources import Manifest, SourceDocument, decode_text, load_manifest, sha256_hex
from kg.store import GraphStore, Term, building, locate
from kg.versions import Changes, compare


@dataclass(frozen=True)
class DocumentSummary:
    """What became of one document: which parser read it and how many triples it gave."""

    id: str
    file: str
    kind: str | None  # the KIND of the parser that read it; None if no parser accepted it
    triples: int  # in the document's own graph


@dataclass(frozen=True)
class BuildSummary:
    """Counts over a built store (the ontology graph is not counted in nodes and links)."""

    documents: list[DocumentSummary]
    nodes: dict[str, int]  # class (prefixed name) → distinct nodes
    links: dict[str, int]  # predicate (prefixed name) → distinct node-to-node links
    graphs: dict[str, int]  # named graph (prefixed name) → triples
    linked: LinkReport | None = None  # what the linker joined across documents

    def render(self) -> str:
        """The summary as aligned text sections."""
        docs = [
            (d.id, d.file, f"parsed as {d.kind}" if d.kind else "registered only (no parser)",
             str(d.triples))
            for d in self.documents
        ]  # fmt: skip
        sections = [
            table(docs, ["document", "file", "read", "triples"]),
            table(_counts(self.nodes), ["class", "nodes"]),
            table(_counts(self.links), ["predicate", "links"]),
            table(_counts(self.graphs), ["graph", "triples"]),
        ]
        if self.linked is not None:
            sections.append(self.linked.render())
        return "\n\n".join(sections) + f"\n\ntotal triples: {sum(self.graphs.values())}"


def _counts(counts: dict[str, int]) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in sorted(counts.items())]


@dataclass
class Parsed:
    """One document and what its parser read (``records`` is None when no parser accepted it)."""

    source: SourceDocument
    kind: str | None
    records: DocumentRecords | None


def parse_document(
    source: SourceDocument, text: str, parsers: Sequence[Parser] | None = None
) -> Parsed:
    """Parse ``source`` with the first parser that accepts it, if any."""
    parser = parser_for(text, parsers)
    with _reported_against(source):
        records = parser.parse(text, source.id) if parser else None
    return Parsed(source, parser.KIND if parser else None, records)


def load_parsed(store: GraphStore, parsed: Parsed, changes: Graph | None = None) -> DocumentSummary:
    """Replace the document's named graph with the RDF of what was read from it, and of what
    it changed in earlier documents (:mod:`kg.versions`)."""
    with _reported_against(parsed.source):
        graphs = to_graphs(parsed.source, parsed.records)
    if changes is not None:
        graphs.document += changes
    store.replace_graph(graphs.document, graphs.reference, refresh=False)
    source = parsed.source
    return DocumentSummary(source.id, source.file, parsed.kind, len(graphs.document))


@contextmanager
def _reported_against(source: SourceDocument) -> Iterator[None]:
    """A :class:`ParseError` (from a parser, or from records that cannot become RDF) is
    reported against the file, as ``<file>:<line>: <what was expected>``."""
    try:
        yield
    except ParseError as exc:
        where = f"{source.path}:{exc.line}" if exc.line is not None else str(source.path)
        raise PlantraceError(f"{where}: {exc.message}") from exc


def fill(
    store: GraphStore, manifest: Manifest, parsers: Sequence[Parser] | None = None
) -> tuple[list[DocumentSummary], LinkReport]:
    """Load the ontology, every manifest document and the curated facts into ``store``, joined
    by the linker. Curated facts are read from ``<sources>/../curated/facts.json`` if present."""
    store.load_ontology()
    parsed = [parse_document(d, d.read_text(), parsers) for d in manifest.documents]
    curated, n_curated = curated_records(manifest)
    records = [p.records for p in parsed if p.records is not None]
    report, changes = link_documents(manifest, records, curated)
    report.facts = {"read by parsers": sum(r.fact_count() for r in records),
                    "curated by hand": n_curated}  # fmt: skip
    summaries = [load_parsed(store, p, changes.graphs.get(p.source.id)) for p in parsed]
    if n_curated:
        graphs = curated_graphs(manifest.publisher, curated)
        store.replace_graph(graphs.document, graphs.reference, refresh=False)
    store.refresh_default_graph()
    return summaries, report


def link_documents(
    manifest: Manifest, records: Sequence[DocumentRecords], curated: DocumentRecords
) -> tuple[LinkReport, Changes]:
    """Join the documents' records (and the curated facts) and find what each document
    changed (:mod:`kg.versions`), oldest first by the manifest's issue dates."""
    dates = {d.id: d.issued_date for d in manifest.documents}
    report = link(
        [*records, curated],
        {d.id: (d.title_ja, d.kind, d.fiscal_year) for d in manifest.documents},
        dates,
    )
    sources = [r for r in chronological(records, dates) if r.doc in dates]
    report.changes = compare(sources, dates, Iris(manifest.publisher.id))
    return report, report.changes


def curated_records(manifest: Manifest) -> tuple[DocumentRecords, int]:
    """The curated facts beside the manifest's folder, checked against their quotes, as
    records, and how many facts they are."""
    path = manifest.path.parent.parent / "curated" / "facts.json"
    facts = load_curated(path) if path.exists() else []
    check_quotes(facts, manifest)
    return to_records(facts), len(facts)


def summarize(
    store: GraphStore, documents: list[DocumentSummary], linked: LinkReport | None = None
) -> BuildSummary:
    """Count nodes per class, links per predicate and triples per graph in ``store``."""
    data = f"FILTER(?g != <{ONTOLOGY_GRAPH}>)"
    nodes = store.query(
        "SELECT ?k (COUNT(DISTINCT ?s) AS ?n)"
        f" WHERE {{ GRAPH ?g {{ ?s a ?k }} {data} }} GROUP BY ?k"
    )
    links = store.query(
        "SELECT ?k (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?k ?o WHERE {"
        f" GRAPH ?g {{ ?s ?k ?o }} {data} FILTER(isIRI(?o) && ?k != rdf:type) }} }} GROUP BY ?k"
    )

    def counted(rows: list[tuple[Term | None, ...]]) -> dict[str, int]:
        return {compact(k): int(n.value) for k, n in rows if isinstance(n, ox.Literal)}

    graphs = {compact(ox.NamedNode(g)): n for g, n in store.graph_sizes().items()}
    return BuildSummary(documents, counted(nodes.rows), counted(links.rows), graphs, linked)


def build(
    state_dir: Path | None = None,
    manifest_path: Path | None = None,
    parsers: Sequence[Parser] | None = None,
) -> BuildSummary:
    """Build the store under ``state_dir`` (default from settings) from the manifest's documents.

    The previous store stays current until the new one is complete.
    """
    settings = load_settings()
    manifest = load_manifest(manifest_path or settings.manifest_path)
    with building(locate(settings, state_dir)) as store:
        return summarize(store, *fill(store, manifest, parsers))


_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")


def ingest(
    path: Path, manifest_path: Path | None = None, parsers: Sequence[Parser] | None = None
) -> tuple[GraphStore, BuildSummary]:
    """Read one document (its kind detected from its content) into a new in-memory store.

    A file listed in the manifest (same bytes) keeps its manifest id and description; any other
    file gets its file stem as id. The store holds the document's graph and the reference graph.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlantraceError(f"{path}: expected a readable file ({exc.strerror})") from exc
    text = decode_text(data, path)
    manifest = load_manifest(manifest_path or load_settings().manifest_path)
    parser = parser_for(text, parsers)
    if parser is None:
        kinds = ", ".join(known_kinds(parsers))
        raise PlantraceError(
            f"{path}: expected a document of a known kind ({kinds or 'no parser is registered'})"
        )
    digest = sha256_hex(data)
    listed = manifest.by_sha256(digest)
    source = (
        replace(listed, path=path)
        if listed
        else SourceDocument(
            id=_NOT_ID.sub("-", path.stem).strip("-") or "document",
            file=path.name,
            title_ja="",
            title_en="",
            issuer=manifest.publisher.name_ja,
            issued=None,
            kind=parser.KIND,
            form="",
            fiscal_year=None,
            sha256=digest,
            publisher=manifest.publisher,
            path=path,
        )
    )
    store = GraphStore.memory()
    parsed = parse_document(source, text, [parser])
    report = link([parsed.records] if parsed.records else [], {})
    loaded = load_parsed(store, parsed)
    store.refresh_default_graph()
    return store, summarize(store, [loaded], report)
