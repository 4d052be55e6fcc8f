"""docs/compliance.md lists every rule of shapes/ as the shapes state it (never stale)."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.config import SHAPES_DIR
from kg.ruledoc import PAGE, render_page, rules_table


def test_page_is_current() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert render_page(page, rules_table()) == page, "run: python -m kg.ruledoc --write"


def test_every_shape_has_a_row() -> None:
    shapes = Graph()
    for path in SHAPES_DIR.glob("*.ttl"):
        shapes.parse(path, format="turtle")
    rows = [line for line in rules_table().splitlines() if line.startswith("| `")]
    assert len(rows) == len(set(shapes.subjects(SH.severity, None)))
    assert any("番号利用法第38条の11第2項" in row for row in rows)


def test_page_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        render_page("no markers here", "| table |\n")
