"""The layers of docs/architecture.md hold: no module imports from a layer below it in the table
(above it in the stack), every module is in a layer, and no two modules share a name."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "api")
ROW = re.compile(r"^\| (\d+) \| [^|]+ \| ([^|]+) \|", re.M)


def layers() -> dict[str, int]:
    """Module pattern → layer number, from the table of docs/architecture.md."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    return {
        pattern: int(number)
        for number, cell in ROW.findall(table)
        for pattern in re.findall(r"`([\w.*]+)`", cell)
    }


def modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its ``__init__``)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def layer_of(module: str, table: dict[str, int]) -> int | None:
    """The layer of ``module``; a package's ``__init__`` counts as its lowest module's."""
    found = [n for pattern, n in table.items() if fnmatch(module, pattern) or module == pattern]
    if not found:
        below = [n for pattern, n in table.items() if pattern.startswith(module + ".")]
        return min(below) if below else None
    return max(found)


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports, at any depth (function-level imports too)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        out |= {n for n in names if n in known}
    return out


def test_every_module_is_in_a_layer() -> None:
    table = layers()
    assert len(set(table.values())) >= 10, "the layer table of docs/architecture.md was not read"
    missing = [m for m in modules() if layer_of(m, table) is None and m not in PACKAGES]
    assert missing == []


def test_no_module_imports_from_a_layer_above_it() -> None:
    table, found = layers(), modules()
    wrong = []
    for module, path in found.items():
        own = layer_of(module, table)
        for imported in imports(path, set(found)):
            theirs = layer_of(imported, table)
            if own is not None and theirs is not None and theirs > own:
                wrong.append(f"{module} (layer {own}) imports {imported} (layer {theirs})")
    assert wrong == []


def test_the_check_finds_an_import_from_above(tmp_path: Path) -> None:
    """The check can fail: a view importing the pool is found."""
    view = tmp_path / "view.py"
    view.write_text("from api.workers.pool import WorkerPool\n", encoding="utf-8")
    table = layers()
    (imported,) = imports(view, {"api.workers.pool"})
    assert layer_of(imported, table) > layer_of("api.views.grades", table)  # type: ignore[operator]


def test_no_two_modules_share_a_name() -> None:
    """Twin names (``api/analysis`` beside ``kg/analysis``) made a request hard to follow."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for module in modules():
        leaf = module.rsplit(".", 1)[-1]
        if module not in PACKAGES and not (REPO / Path(*module.split("."))).is_dir():
            by_name[leaf].append(module)
    assert {leaf: ms for leaf, ms in by_name.items() if len(ms) > 1} == {}
