"""``plantrace add`` / ``remove`` on a temporary copy of data/ (issue 22).

The modified copy: the 中期計画 part of the board material (議案第１号) published on its own,
approved after the FY2021 annual plan (令和４年３月１日), with III-3's プライバシーマーク clause
and I-1's availability target changed. Added with ``plantrace add`` it is read as a mid-term
plan: the changed clauses are revisions, the unchanged ones stay the board material's nodes,
and the FY2021 annual clause under I-1's changed one and its target become suspect links (III-3's
new text is what the FY2025 report quotes, and its FY2025 annual clause implements it). An
FY2022 annual plan published on its own, implementing the new version (its targets refining the
new plan targets), clears them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, board_parts

from kg import queries as q
from kg.build import fill, summarize
from kg.cli import main
from kg.sources import load_manifest
from kg.store import GraphStore
from kg.validate import store_graph, validate

KEEP = "引き続き、プライバシーマークの付与を受け"
PRIVACY = ("また、" + KEEP, "また、プライバシーマーク付与契約の更新を行い、" + KEEP)
AVAILABILITY = ("システム稼働率 99.9％以上", "システム稼働率 99.95％以上")


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of data/ (sources and curated facts) that PLANTRACE_SOURCES points at."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    monkeypatch.setenv("PLANTRACE_SOURCES", str(tmp_path / "data" / "sources"))
    return tmp_path


def _suspect(manifest: Path) -> list[tuple[str, str]]:
    """The FY2021 suspect links validation reports, after checking that every suspect link
    (all years) is also what :func:`kg.queries.suspect_links` lists for the API and pages."""
    store = GraphStore.memory()
    summarize(store, *fill(store, load_manifest(manifest)))
    findings = [f for f in validate(store_graph(store)).findings if "Suspect" in f.shape]
    listed = q.suspect_links(store.query)
    assert {(str(r["lower"]), str(r["path"]), str(r["new"])) for r in listed} == {
        (f.focus, f.path, f.value_node) for f in findings
    }
    codes = sorted({f.item_code for f in findings if f.item_code})
    assert {str(r["lower"]) for r in q.suspect_links(store.query, codes)} == {
        f.focus for f in findings
    }  # the items' own: what /api/items/{code} shows
    return [(f.shape.rsplit("#")[1], f.focus) for f in findings
            if "/annual-plan-clause/2021/" in f.focus]  # fmt: skip  # FY2021 clauses, targets


def test_revised_plan_and_later_annual_plan(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = board_parts()
    plan, annual = parts["mid-term-plan"], parts["annual-plan"]
    revised = plan
    for old, new in (PRIVACY, AVAILABILITY):
        assert revised.count(old) == 1
        revised = revised.replace(old, new)
    (data / "plan.txt").write_text("令和４年３月１日 変更認可\n" + revised, encoding="utf-8")
    manifest = data / "data" / "sources" / "manifest.json"

    assert main(["add", str(data / "plan.txt")]) == 0
    out = capsys.readouterr().out
    assert "added mid-term-plan-2022-03-01" in out
    assert "new version of the mid-term plan stated by board-material-2021-09-01" in out
    assert "2 revised, 0 added, 0 dropped" in out
    # I-1's clause changes after 60 characters: the line shows it from a little before
    assert "99.9％以上の確保を目指す。 → …こと等を通して、システム稼働率 99.95％以上" in out
    entry = json.loads(manifest.read_text(encoding="utf-8"))["documents"][-1]
    copied = manifest.parent / entry["file"]
    assert copied.read_bytes() == (data / "plan.txt").read_bytes()
    assert (entry["kind"], entry["issued"]) == ("mid-term-plan", "2022-03-01")

    before = manifest.read_bytes()
    assert main(["add", str(data / "plan.txt")]) == 2  # the same bytes again
    assert "already in the manifest as mid-term-plan-2022-03-01" in capsys.readouterr().err
    (data / "bad.txt").write_bytes(b"\xff\xfe not text")
    assert main(["add", str(data / "bad.txt")]) == 2
    assert "expected UTF-8 text" in capsys.readouterr().err
    assert manifest.read_bytes() == before

    suspect = _suspect(manifest)
    annual_suspect = {f for s, f in suspect if s == "SuspectAnnualLinkShape"}
    # The FY2021 clause under I-1's changed clause. III-3's new text is the one the FY2025
    # report quotes, whose FY2025 annual clause implements it: that clears FY2021's link.
    assert [f.split("/")[-2] for f in annual_suspect] == ["I-1"]
    # and that clause's target, which refines the plan target the revision raised (99.95 %)
    (clause,) = annual_suspect
    assert [(s, f.rsplit("/target/")[0]) for s, f in suspect if s != "SuspectAnnualLinkShape"] \
        == [("SuspectMeasureLinkShape", clause)]

    next_year = annual.replace("年度計画（令和３年度）", "年度計画（令和４年度）")
    (data / "annual.txt").write_text("令和４年３月25日\n" + next_year, encoding="utf-8")
    assert main(["add", str(data / "annual.txt")]) == 0
    assert "added annual-plan-2022-03-25" in capsys.readouterr().out
    assert _suspect(manifest) == []

    assert main(["remove", "annual-plan-2022-03-25"]) == 0
    assert "removed annual-plan-2022-03-25" in capsys.readouterr().out
    assert set(_suspect(manifest)) == set(suspect)
    assert main(["remove", "no-such-document"]) == 2
