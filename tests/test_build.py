"""Building: every manifest document is registered; the parser that accepts a text reads it."""

from __future__ import annotations

from pathlib import Path

import fake_parser
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, SOURCES, write_sources
from rdflib import Graph

from kg.build import BuildSummary, fill, ingest, summarize
from kg.errors import PlantraceError
from kg.ingest import PARSERS, parser_for, selfeval_md
from kg.ontology import load_ontology, undeclared_terms
from kg.sources import load_manifest
from kg.store import GraphStore


@pytest.fixture(scope="session")
def real(real_build: tuple[GraphStore, BuildSummary]) -> tuple[GraphStore, BuildSummary]:
    return real_build


def test_every_document_is_registered(real: tuple[GraphStore, BuildSummary]) -> None:
    summary = real[1]
    manifest = load_manifest(SOURCES / "manifest.json")
    assert [d.id for d in summary.documents] == [d.id for d in manifest.documents]
    assert summary.nodes["pt:SourceDocument"] == len(manifest.documents)
    for d in manifest.documents:
        assert f"ptid:jlis/doc/{d.id}" in summary.graphs
    assert "ptid:graph/ontology" in summary.graphs
    assert "ptid:graph/reference" in summary.graphs


def test_registered_parser_reads_its_document(real: tuple[GraphStore, BuildSummary]) -> None:
    summary = real[1]
    assert selfeval_md in PARSERS
    read = {d.id: d.kind for d in summary.documents}
    assert read["self-evaluation-fy2025"] == selfeval_md.KIND
    assert summary.nodes["pt:MinisterialEvaluation"] > 0
    assert summary.links["pt:implements"] > 0 and summary.links["pt:evaluates"] > 0
    assert summary.links["prov:wasDerivedFrom"] > 0


def test_design_query_works(real: tuple[GraphStore, BuildSummary]) -> None:
    store, _ = real
    result = store.query(
        """SELECT ?code ?year ?grade WHERE {
             ?e a pt:MinisterialEvaluation ; pt:evaluates/pt:code ?code ;
                pt:fiscalYear/pt:year ?year ; pt:grade/skos:notation ?grade .
           } ORDER BY ?code ?year"""
    )
    assert result.variables == ["code", "year", "grade"]
    assert len(result.rows) == 76  # 19 items x FY2021-FY2024, as the summary table prints
    assert len({(r[0], r[1]) for r in result.rows}) == 76
    assert all(r[2] is not None and r[2].value in "SABCD" for r in result.rows)


def test_store_uses_only_declared_terms(real: tuple[GraphStore, BuildSummary]) -> None:
    store, _ = real
    data = Graph()
    data.parse(data=store.dump(ox.RdfFormat.TURTLE), format="turtle")  # union of the graphs
    assert undeclared_terms(data, load_ontology()) == set()


def test_summary_renders(real: tuple[GraphStore, BuildSummary]) -> None:
    text = real[1].render()
    assert "pt:SourceDocument" in text and "total triples:" in text


def test_fake_build_counts(fake_manifest: Path) -> None:
    store = GraphStore.memory()
    docs, _ = fill(store, load_manifest(fake_manifest), [fake_parser])
    assert [d.kind for d in docs] == ["fake-report", "fake-report", None]
    summary = summarize(store, docs)
    assert summary.nodes["pt:SelfEvaluation"] == 1
    assert summary.nodes["pt:MinisterialEvaluation"] == 1
    assert summary.nodes["pt:OverallEvaluation"] == 1
    assert summary.nodes["pt:FiscalYear"] == 2
    assert summary.nodes["pt:SourceDocument"] == 3
    assert summary.links["pt:evaluates"] == 2
    assert summary.graphs["ptid:graph/reference"] > 0
    assert summary.graphs["ptid:test/doc/other"] == docs[2].triples


def test_parser_for_picks_first_that_accepts() -> None:
    assert parser_for("FAKE-REPORT 2025\n", [fake_parser]) is fake_parser
    assert parser_for("anything else", [fake_parser]) is None


def test_ingest_listed_and_unlisted_files(fake_manifest: Path, tmp_path: Path) -> None:
    listed = fake_manifest.parent / "000_report-a.txt"
    _, summary = ingest(listed, fake_manifest, [fake_parser])
    assert summary.documents[0].id == "report-a"  # the manifest id, found by hash
    loose = tmp_path / "My Report (2025).txt"
    loose.write_text(FAKE_TEXTS["report-a"] + "EVAL I-2 2025 self S\n", encoding="utf-8")
    _, summary = ingest(loose, fake_manifest, [fake_parser])
    assert summary.documents[0].id == "My-Report-2025"
    assert summary.nodes["pt:SelfEvaluation"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a report\n", r"expected a document of a known kind \(fake-report\)"),
        (b"FAKE-REPORT 2025\n\xff\xfe", "expected UTF-8 text"),
        (b"FAKE-REPORT 2025\nEVAL I-1 2025 self Q\n", ":2: expected a grade S, A, B, C or D"),
        (b"FAKE-REPORT 2025\nNOPE\n", ":2: expected EVAL or OVERALL"),
    ],
)
def test_ingest_bad_input(
    fake_manifest: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(content)
    with pytest.raises(PlantraceError, match=message) as err:
        ingest(path, fake_manifest, [fake_parser])
    assert str(err.value).startswith(str(path))
    assert "\n" not in str(err.value)


def test_ingest_missing_file(fake_manifest: Path, tmp_path: Path) -> None:
    with pytest.raises(PlantraceError, match="expected a readable file"):
        ingest(tmp_path / "missing.txt", fake_manifest, [fake_parser])


def test_build_sources_can_be_hand_made(tmp_path: Path) -> None:
    manifest = write_sources(tmp_path, {"only": "FAKE-REPORT 2025\n"}, publisher="other")
    store = GraphStore.memory()
    docs, _ = fill(store, load_manifest(manifest), [fake_parser])
    assert docs[0].kind == "fake-report"
    assert "https://w3id.org/plantrace/id/other/doc/only" in store.graph_sizes()
