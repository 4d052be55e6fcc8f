"""Curated facts: each quote stands in its lines, and the facts join the parsed graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SOURCES

from kg.build import BuildSummary
from kg.curated import check_quotes, load_curated
from kg.errors import PlantraceError
from kg.sources import load_manifest
from kg.store import GraphStore

FACTS = REPO / "data" / "curated" / "facts.json"


def test_every_quote_is_found_in_its_lines() -> None:
    facts = load_curated(FACTS)
    assert facts, "no curated facts to check"
    check_quotes(facts, load_manifest(SOURCES / "manifest.json"))  # raises on a missing quote


@pytest.mark.parametrize("field", ["quote", "lines"])
def test_a_quote_not_in_its_lines_is_refused(tmp_path: Path, field: str) -> None:
    data = json.loads(FACTS.read_text(encoding="utf-8"))
    source = data["facts"][0]["source"]
    if field == "quote":
        source["quote"] = source["quote"].replace("毎月末", "毎年度末")
    else:
        source["lines"] = [source["lines"][0] + 40, source["lines"][1] + 40]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PlantraceError, match="expected the quote") as err:
        check_quotes(load_curated(path), load_manifest(SOURCES / "manifest.json"))
    assert "\n" not in str(err.value)


def test_malformed_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text('{"facts": [{"id": "x"}]}', encoding="utf-8")
    with pytest.raises(PlantraceError, match="expected curated facts"):
        load_curated(path)


def test_curated_facts_join_the_parsed_indicator(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    store, summary = real_build
    assert summary.linked is not None
    assert summary.linked.facts["curated by hand"] == len(load_curated(FACTS))
    assert summary.linked.facts["read by parsers"] > 500
    rows = store.query(
        """SELECT ?year ?value (COUNT(DISTINCT ?g) AS ?graphs) WHERE {
          GRAPH <https://w3id.org/plantrace/id/graph/curated> {
            ?o a pt:Observation ; pt:indicator ?i ; pt:value ?value ;
               prov:wasDerivedFrom/pt:document ?doc }
          ?o pt:fiscalYear/pt:year ?year .
          GRAPH ?g { ?i a pt:QuantitativeIndicator }
        } GROUP BY ?year ?value ORDER BY ?year"""
    ).rows
    got = [(int(r[0].value), r[1].value, int(r[2].value)) for r in rows if all(r)]
    # The indicator is printed by the FY2021 and FY2025 reports, and restated by curation.
    assert got == [(2021, "1", 3), (2025, "1", 3)]
