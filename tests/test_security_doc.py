"""SECURITY.md cannot go stale: every test it names exists, and every guarantee names one."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from conftest import REPO

SECURITY = REPO / "SECURITY.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


@cache
def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_referenced_test_exists() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) >= 30
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not (REPO / file).is_file() or name not in defined_tests(REPO / file)
    ]
    assert not missing, f"SECURITY.md names tests that do not exist: {missing}"


def test_every_guarantee_names_a_test() -> None:
    rows = [
        line
        for line in SECURITY.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith(("| guarantee", "|---"))
    ]
    assert len(rows) >= 20
    unproved = [row[:80] for row in rows if not REFERENCE.search(row.rsplit(" | ", 1)[-1])]
    assert not unproved, f"guarantees without a test: {unproved}"
