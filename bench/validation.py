"""Benchmark: build the J-LIS graph and validate it against shapes/ (wall-clock, repeated).

Run: ``.venv/bin/python bench/validation.py [--repeat N]``. Prints a Markdown table; the
numbers recorded in bench/RESULTS.md come from this command. Not a test: timings depend on the
machine, so they are recorded, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kg.build import fill
from kg.config import REPO_ROOT
from kg.sources import load_manifest
from kg.store import GraphStore
from kg.validate import store_graph, validate


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    manifest = load_manifest(REPO_ROOT / "data" / "sources" / "manifest.json")
    store = GraphStore.memory()

    def build() -> None:
        fill(store, manifest)

    builds = timed(build, args.repeat)
    graph = store_graph(store)
    findings: list[int] = []

    def check() -> None:
        findings.append(len(validate(graph).findings))

    checks = timed(check, args.repeat)
    cores = os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; triples validated: {len(graph)}")
    script = Path(__file__).relative_to(REPO_ROOT)
    print(f"command: .venv/bin/python {script} --repeat {args.repeat}\n")
    print("| step | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, times in (
        ("build (parse, link, load; in memory)", builds),
        ("validate (pySHACL)", checks),
    ):
        print(f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} |")
    print(f"\nfindings per validation: {findings[-1]}")


if __name__ == "__main__":
    main()
