"""Loading a dataset file for ``serve --dataset`` (api.workers.backend.load_dataset)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from api.workers.backend import load_dataset
from kg.errors import PlantraceError

QUADS = "<urn:a> <urn:p> <urn:b> <urn:g1> .\n<urn:c> <urn:p> <urn:d> <urn:g2> .\n"


def _open(path: Path) -> ox.Store:
    return ox.Store.read_only(str(path))


def test_named_graphs_are_kept_and_the_default_graph_is_their_union(tmp_path: Path) -> None:
    source = tmp_path / "data.nq"
    source.write_text(QUADS, encoding="utf-8")
    assert load_dataset(source, tmp_path / "store") == 4
    store = _open(tmp_path / "store")
    assert {g.value for g in store.named_graphs()} == {"urn:g1", "urn:g2"}  # type: ignore[union-attr]
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 2


def test_turtle_goes_to_the_default_graph(tmp_path: Path) -> None:
    source = tmp_path / "data.ttl"
    source.write_text("<urn:a> <urn:p> <urn:b> .\n", encoding="utf-8")
    assert load_dataset(source, tmp_path / "store") == 1
    assert list(_open(tmp_path / "store").named_graphs()) == []


def test_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<urn:a> <urn:p> .\n", encoding="utf-8")
    with pytest.raises(PlantraceError, match=r"bad\.nq: expected valid N-Quads"):
        load_dataset(bad, tmp_path / "s1")
    with pytest.raises(PlantraceError, match="expected an RDF file"):
        load_dataset(tmp_path / "x.csv", tmp_path / "s2")
