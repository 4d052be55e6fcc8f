"""Benchmark: what the suspect-link shapes (shapes/versions.ttl) add to a validation.

:func:`kg.validate.validate` on one built manifest, with every shape and with every shape but
those of ``versions.ttl``: CPU seconds of the process per run (``time.process_time``: less disturbed
than wall time on a shared machine), median of ``--repeat`` after one warm-up, and the number
of findings of each (the same with and without, but for the suspect links).

Run alone: ``.venv/bin/python bench/versions_cost.py [--manifest PATH] [--repeat N]``; prints
Markdown. The default manifest is the J-LIS documents'; a copy with a revised plan added by
``plantrace add`` (tests/test_sourcing.py builds one) times the case with suspect links. Not a
test: timings are recorded, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from rdflib import Dataset, Graph

from bench.common import REPO, Machine, table
from kg.build import fill
from kg.config import SHAPES_DIR
from kg.sources import load_manifest
from kg.store import GraphStore
from kg.validate import load_shapes, store_graph, validate

VERSIONS = "versions.ttl"


def cpu_seconds(data: Dataset, shapes: Graph, repeat: int) -> tuple[list[float], int]:
    """CPU seconds of each of ``repeat`` validations of ``data`` (after one warm-up), and the
    number of findings."""
    findings = len(validate(data, shapes=shapes).findings)
    out = []
    for _ in range(repeat):
        start = time.process_time()
        validate(data, shapes=shapes)
        out.append(time.process_time() - start)
    return out, findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path,
                        default=REPO / "data" / "sources" / "manifest.json")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    store = GraphStore.memory()
    fill(store, load_manifest(args.manifest))
    data = store_graph(store)
    without = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        if path.name != VERSIONS:
            without.parse(path, format="turtle")
    rows = []
    for name, shapes in (("every shape", load_shapes()), (f"without {VERSIONS}", without)):
        seconds, findings = cpu_seconds(data, shapes, args.repeat)
        rows.append([name, f"{statistics.median(seconds):.2f}", f"{min(seconds):.2f}",
                     f"{max(seconds):.2f}", len(seconds), findings])  # fmt: skip
    print("\n".join([*Machine.now().lines(), f"- manifest: {args.manifest}", "",
                     *table(["shapes", "median CPU s", "min", "max", "runs", "findings"],
                            rows)]))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
