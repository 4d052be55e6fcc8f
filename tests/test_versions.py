"""Versions across documents (issue 22): revisions, new and dropped nodes, and their periods.

On the real documents: the FY2025 report states III-3's プライバシーマーク plan clause in other
words than the 2021 board material (a revision), prints I-9's two plan paragraphs as one clause
(the same text, not a revision), and sets evaluation viewpoints that differ from FY2021's. On
modified copies: a changed number, a rewritten clause, a clause put back as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOURCES, write_sources

from kg.build import BuildSummary, fill, summarize
from kg.namespaces import PT
from kg.sources import load_manifest
from kg.store import GraphStore
from kg.validate import store_graph, validate

BOARD = "https://w3id.org/plantrace/id/jlis/doc/board-material-2021-09-01"
FY2025 = "https://w3id.org/plantrace/id/jlis/doc/self-evaluation-fy2025"

REVISIONS = """SELECT ?kind ?code ?old ?new ?from ?until ?newFrom ?doc WHERE {
  ?new prov:wasRevisionOf ?old ; pt:firstStatedIn ?doc ; a ?kind .
  FILTER (?kind IN (pt:GoalClause, pt:PlanClause, pt:AnnualPlanClause, pt:EvaluationViewpoint,
                    pt:QuantitativeIndicator))
  ?new pt:item/pt:code ?code .
  OPTIONAL { ?old pt:validFrom ?from } OPTIONAL { ?old pt:validUntil ?until }
  OPTIONAL { ?new pt:validFrom ?newFrom }
} ORDER BY ?code"""


def _rows(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    return [
        {v: "" if t is None else str(t.value) for v, t in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]


def _text(store: GraphStore, node: str) -> str:
    rows = _rows(store, f"SELECT ?t WHERE {{ <{node}> pt:text ?t }} ORDER BY ?t")
    rows = rows or _rows(store, f"SELECT ?t WHERE {{ <{node}> rdfs:label ?t }} ORDER BY ?t")
    return rows[0]["t"]


def test_iii3_privacy_mark_plan_clause_is_revised(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    store, _ = real_build
    plans = [r for r in _rows(store, REVISIONS) if r["kind"].endswith("PlanClause")]
    assert [(r["code"], r["doc"]) for r in plans] == [("III-3", FY2025)]
    (r,) = plans
    assert "引き続き、プライバシーマークの付与を受け" in _text(store, r["old"])
    assert "プライバシーマーク付与契約の更新を行い" in _text(store, r["new"])
    # In force from the board material's date to the day before the FY2025 report's.
    assert (r["from"], r["until"], r["newFrom"]) == ("2021-09-01", "2026-06-22", "2026-06-23")


def test_i9_plan_printed_as_one_clause_is_not_a_revision(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    """The FY2025 report prints I-9's two plan paragraphs of the board material as one clause
    (across a page break): the same text, so the board's nodes, neither revised nor dropped."""
    store, _ = real_build
    rows = _rows(
        store,
        f"""SELECT ?c (COUNT(DISTINCT ?g) AS ?docs) WHERE {{
          GRAPH <{BOARD}> {{ ?c a pt:PlanClause ; pt:item ?item }}
          ?item pt:code "I-9" .
          GRAPH ?g {{ ?c pt:text ?t }}
          FILTER NOT EXISTS {{ ?c pt:validUntil ?u }}
          FILTER NOT EXISTS {{ ?c pt:droppedIn ?d }}
          FILTER NOT EXISTS {{ ?x prov:wasRevisionOf ?c }}
        }} GROUP BY ?c ORDER BY DESC(?docs)""",
    )
    # The first is read from the board material and both reports (which print the two as one);
    # the second only from the board material, and neither report drops it.
    assert [r["docs"] for r in rows] == ["3", "1"]
    in_fy2025 = _rows(
        store,
        f"""SELECT ?c WHERE {{ GRAPH <{FY2025}> {{ ?c a pt:PlanClause ; pt:item ?item }}
          ?item pt:code "I-9" }}""",
    )
    assert [r["c"] for r in in_fy2025] == [rows[0]["c"]]


def test_evaluation_viewpoints_fy2021_to_fy2025(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    """The FY2025 report rewrote viewpoints: I-9's after the 在留カード law, I-11's, I-2's, and
    I-1's (令和３年度中に…強化 → …確保: other words and one number fewer)."""
    store, _ = real_build
    viewpoints = {r["code"]: r for r in _rows(store, REVISIONS) if "Viewpoint" in r["kind"]}
    assert set(viewpoints) == {"I-1", "I-2", "I-9", "I-11"}
    i9 = viewpoints["I-9"]
    assert "令和７年度中に在留カード" in _text(store, i9["old"])
    assert "出入国管理及び難民認定法等一部改正法の公布" in _text(store, i9["new"])
    # FY2021's viewpoints come from a report that prints no date: no start, an end.
    assert (i9["from"], i9["until"], i9["newFrom"]) == ("", "2026-06-22", "2026-06-23")
    dropped = _rows(
        store,
        f"""SELECT ?code ?label WHERE {{ ?i pt:droppedIn <{FY2025}> ; pt:item/pt:code ?code ;
          rdfs:label ?label ; pt:validUntil "2026-06-22"^^xsd:date }} ORDER BY ?code ?label""",
    )
    assert ("I-1", "日単位でのマイナンバーカード及び電子証明書の発行可能枚数") in {
        (r["code"], r["label"]) for r in dropped
    }
    added = _rows(store, f"SELECT ?i WHERE {{ ?i pt:addedIn <{FY2025}> ; a pt:Indicator }}")
    assert len(added) == 9 and len(dropped) == 9


def test_identical_text_is_one_node_with_one_period(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    """Every clause the board material states that no later document replaced is in force
    from 2021-09-01 with no end, whichever documents restate it."""
    store, _ = real_build
    rows = _rows(
        store,
        f"""SELECT (COUNT(DISTINCT ?c) AS ?n) (COUNT(DISTINCT ?f) AS ?froms) WHERE {{
          GRAPH <{BOARD}> {{ ?c a pt:PlanClause ; pt:firstStatedIn <{BOARD}> ; pt:validFrom ?f }}
          FILTER NOT EXISTS {{ ?c pt:validUntil ?u }} }}""",
    )
    assert int(rows[0]["n"]) > 30 and rows[0]["froms"] == "1"


def test_build_lists_revisions_instead_of_not_matched(
    real_build: tuple[GraphStore, BuildSummary],
) -> None:
    text = real_build[1].render()
    assert "not matched: clause" not in text and "not matched: indicator" not in text
    assert "revised: plan clause III-3 in self-evaluation-fy2025" in text
    assert "revised: indicator I-9 in self-evaluation-fy2025" in text
    assert "dropped: indicator I-1 in self-evaluation-fy2025" in text
    assert "changed by later documents: 5 revised, 9 added, 9 dropped" in text


# --- modified copies -------------------------------------------------------------------------

PLAN_ROW = "○住民向けコールセンター及び地方公共団体向けヘルプデスクについて、国の支援の下"
KEEP = "引き続き、プライバシーマークの付与を受け、JISQ15001に適合した個人情報保護の水準を維持する。"
PRIVACY = "○プライバシーマーク付与契約の更新を行い、" + KEEP
BOARD_PRIVACY = "○" + KEEP


def _edit_plan_cell(text: str, start: str, old: str, new: str) -> str:
    """``old`` → ``new`` in the plan column (second cell) of the one row whose first plan
    clause starts with ``start``."""
    lines = text.split("\n")
    rows = [n for n, line in enumerate(lines) if line.split("\t")[1:2] and
            lines[n].split("\t")[1].startswith(start)]  # fmt: skip
    assert len(rows) == 1, start
    cells = lines[rows[0]].split("\t")
    assert cells[1].count(old) == 1
    cells[1] = cells[1].replace(old, new)
    lines[rows[0]] = "\t".join(cells)
    return "\n".join(lines)


def _build(folder: Path, fy2025: str) -> GraphStore:
    """The board material (dated 2022-06 by write_sources) and an edited FY2025 report
    (2026-06-23) built into a memory store."""
    docs = {d.id: d for d in load_manifest(SOURCES / "manifest.json").documents}
    board = "board-material-2021-09-01"
    texts = {"self-evaluation-fy2025": fy2025, board: docs[board].read_text()}
    store = GraphStore.memory()
    summarize(store, *fill(store, load_manifest(write_sources(folder, texts, publisher="jlis"))))
    return store


@pytest.fixture(scope="module")
def fy2025_text() -> str:
    return (SOURCES / "002_753d1335b09003db.txt").read_text(encoding="utf-8")


def test_changed_number_is_a_revision_of_clause_and_target(
    tmp_path: Path, fy2025_text: str
) -> None:
    """95% → 97% in I-1's answer-rate plan clause of the later report: the words alike, a
    number not, so a new version of the clause, and its target a new version of the 95%."""
    store = _build(tmp_path, _edit_plan_cell(fy2025_text, PLAN_ROW, "95%以上", "97%以上"))
    plans = [r for r in _rows(store, REVISIONS) if r["kind"].endswith("#PlanClause")]
    i1 = [r for r in plans if r["code"] == "I-1"]
    assert len(i1) == 1 and "97%以上" in _text(store, i1[0]["new"])
    assert (i1[0]["until"], i1[0]["newFrom"]) == ("2026-06-22", "2026-06-23")
    rows = _rows(
        store,
        f"""SELECT ?old ?new WHERE {{
          <{i1[0]["new"]}> pt:target ?new . <{i1[0]["old"]}> pt:target ?old .
          ?new prov:wasRevisionOf ?old ; pt:targetValue ?v .
          ?old pt:targetValue ?w ; pt:validUntil "2026-06-22"^^xsd:date .
          FILTER (?v = 97 && ?w = 95) }}""",
    )
    assert len(rows) == 1


def test_rewritten_clause_in_the_same_place_is_a_revision(
    tmp_path: Path, fy2025_text: str
) -> None:
    """A wholly rewritten III-3 clause (hardly similar) stands where the old one stood."""
    rewritten = "○個人情報保護に係る第三者認証を更新する。"
    store = _build(tmp_path, fy2025_text.replace(PRIVACY, rewritten))
    plans = [r for r in _rows(store, REVISIONS) if r["kind"].endswith("#PlanClause")]
    assert [(r["code"], _text(store, r["new"])) for r in plans] == [("III-3", rewritten)]


def test_clause_put_back_as_it_was_is_no_revision(tmp_path: Path, fy2025_text: str) -> None:
    store = _build(tmp_path, fy2025_text.replace(PRIVACY, BOARD_PRIVACY))
    assert not [r for r in _rows(store, REVISIONS) if r["kind"].endswith("#PlanClause")]


ANNUAL_PRIVACY = " <p>○プライバシーマーク付与事業者として、" + KEEP[KEEP.index("JISQ") :] + "</p>"


def test_annual_clause_under_a_revised_plan_clause_is_suspect(
    tmp_path: Path, fy2025_text: str
) -> None:
    """Without the FY2025 annual clause that implements III-3's revised plan clause, the
    FY2021 annual clause beneath the old version is a suspect link (第38条の10)."""
    assert fy2025_text.count(ANNUAL_PRIVACY) == 1
    store = _build(tmp_path, fy2025_text.replace(ANNUAL_PRIVACY, ""))
    suspect = [
        f
        for f in validate(store_graph(store)).findings
        if f.shape.endswith("SuspectAnnualLinkShape")
    ]
    assert len(suspect) == 1
    (f,) = suspect
    assert (f.severity, f.path) == ("warning", str(PT.implements))
    assert f.article == "番号利用法第38条の10"
    assert f.focus_label.startswith("また、プライバシーマーク付与事業者として")
    # The message names both versions and their periods.
    assert "「また、引き続き、プライバシーマークの付与を受け" in f.message_ja
    assert "(2022-06-01–2026-06-22)" in f.message_en
    assert "「○プライバシーマーク付与契約の更新を行い" in f.message_en
    assert "(2026-06-23–)" in f.message_en
    assert f.value_node is not None and f.value_node in {
        r["new"] for r in _rows(store, REVISIONS)
    }
