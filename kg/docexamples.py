"""SPARQL examples in the Markdown docs, each shown with its answer on the real data.

A page (``docs/integrators.md``) shows an example as a fenced ````` ```sparql ````` block followed
by the Markdown table of its answer. The table is what the query returns on the J-LIS data:
``tests/test_docs_examples.py`` runs every example on a fresh build and fails when a shown table
differs, so the examples cannot go stale. After a deliberate change (a parser reads more, an
example is edited) rewrite the tables from the built store::

    .venv/bin/plantrace build && .venv/bin/python -m kg.docexamples --write

Cells show IRIs with the prefixes of ``plantrace query`` (``pt:GradeA``; ``ptid:`` for
``https://w3id.org/plantrace/id/``) and literals by their lexical form, as the CLI's table does.
Examples should order their rows (``ORDER BY``) so the table is the same on every run.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.config import REPO_ROOT
from kg.results import compact
from kg.store import QueryResult

PAGES = (REPO_ROOT / "docs" / "integrators.md",)
"""The pages whose examples are checked."""

_BLOCK = re.compile(r"^```sparql[ \t]*\n(.*?)^```[ \t]*\n", re.M | re.S)
_TABLE = re.compile(r"\n*((?:\|[^\n]*\n)*)")

Run = Callable[[str], QueryResult]


@dataclass(frozen=True)
class Example:
    """One query of a page and the table shown after it (``table`` is "" when none is)."""

    query: str
    table: str
    line: int  # of the opening fence, 1-based
    table_start: int  # character offsets of the table in the page
    table_end: int


def examples(page: str) -> list[Example]:
    """Every ```` ```sparql ```` block of ``page`` with the table that follows it."""
    found = []
    for block in _BLOCK.finditer(page):
        after = _TABLE.match(page, block.end())
        assert after is not None  # the pattern matches the empty string
        found.append(
            Example(
                query=block.group(1),
                table=after.group(1),
                line=page.count("\n", 0, block.start()) + 1,
                table_start=after.start(1),
                table_end=after.end(1),
            )
        )
    return found


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def result_table(result: QueryResult) -> str:
    """A SELECT answer as a Markdown table: variables as the header, one row per solution."""
    if result.boolean is not None:
        return f"| boolean |\n|---|\n| {'true' if result.boolean else 'false'} |\n"
    lines = [
        "| " + " | ".join(result.variables) + " |",
        "|" + "---|" * len(result.variables),
    ]
    lines += ["| " + " | ".join(_cell(compact(t)) for t in row) + " |" for row in result.rows]
    return "\n".join(lines) + "\n"


def render_page(page: str, run: Run) -> str:
    """``page`` with the table after each example replaced by the example's answer."""
    out = []
    position = 0
    for example in examples(page):
        table = result_table(run(example.query))
        end = "" if example.table else "\n"  # a new table gets a blank line after it
        out += [page[position : example.table_start], table + end]
        position = example.table_end
    out.append(page[position:])
    return "".join(out)


def main() -> None:
    from kg.config import load_settings
    from kg.store import locate, open_store

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the tables in place")
    parser.add_argument("--state-dir", help="the built store (default: as plantrace query)")
    args = parser.parse_args()
    settings = load_settings()
    location = locate(settings, Path(args.state_dir) if args.state_dir else None)
    store = open_store(location, settings.export_timeout)
    for path in PAGES:
        page = path.read_text(encoding="utf-8")
        fresh = render_page(page, store.query)
        if args.write:
            path.write_text(fresh, encoding="utf-8")
        print(f"{path.relative_to(REPO_ROOT)}: {len(examples(page))} examples"
              f"{'' if fresh == page else ' (tables changed)'}")  # fmt: skip


if __name__ == "__main__":
    main()
