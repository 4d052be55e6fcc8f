"""The SPARQL examples of docs/integrators.md give, on the real data, the answers shown there."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from kg.build import BuildSummary
from kg.docexamples import PAGES, examples, render_page, result_table
from kg.store import GraphStore, QueryResult

PAGE = PAGES[0]


def test_every_example_answers_as_shown(real_build: tuple[GraphStore, BuildSummary]) -> None:
    store = real_build[0]
    page = PAGE.read_text(encoding="utf-8")
    found = examples(page)
    assert len(found) >= 8
    for example in found:
        assert example.table, f"{PAGE.name}:{example.line}: no answer table after the query"
        shown = result_table(store.query(example.query))
        assert example.table == shown, (
            f"{PAGE.name}:{example.line}: the answer differs from the one shown; "
            "run: python -m kg.docexamples --write"
        )
    assert render_page(page, store.query) == page


def test_examples_declare_their_prefixes() -> None:
    """Examples run unchanged on any endpoint: every prefix used is declared in the query."""
    for example in examples(PAGE.read_text(encoding="utf-8")):
        declared = set(re.findall(r"PREFIX\s+(\w*):", example.query))
        body = re.sub(r"<[^>]*>|\"[^\"]*\"", "", example.query)
        used = set(re.findall(r"(?<![\w?$])([A-Za-z]\w*):\w", body)) - {"PREFIX"}
        assert used <= declared, (example.line, used - declared)


PAGE_TEXT = """Intro.

```sparql
SELECT ?x WHERE { VALUES ?x { 1 } }
```

| x |
|---|
| 2 |

```sparql
ASK {}
```

Text after.
"""


def test_render_fills_and_replaces_tables() -> None:
    def run(query: str) -> QueryResult:
        return GraphStore.memory().query(query)

    found = examples(PAGE_TEXT)
    assert [e.line for e in found] == [3, 11]
    assert found[0].table == "| x |\n|---|\n| 2 |\n" and found[1].table == ""
    fresh = render_page(PAGE_TEXT, run)
    assert "| x |\n|---|\n| 1 |\n" in fresh
    assert "ASK {}\n```\n\n| boolean |\n|---|\n| true |\n\nText after.\n" in fresh
    assert render_page(fresh, run) == fresh


@pytest.mark.parametrize(("text", "cell"), [("a|b", "a\\|b"), ("two\nlines", "two lines")])
def test_cells_stay_in_their_column(text: str, cell: str) -> None:
    literal = ox.Literal(text)
    result = GraphStore.memory().query(f"SELECT ?t WHERE {{ BIND({literal} AS ?t) }}")
    assert result_table(result).splitlines()[2] == f"| {cell} |"
