"""Lighthouse on the pages people open first: is each accessible, well made, findable and quick
on a phone?

Run: ``.venv/bin/python bench/lighthouse.py [--state-dir DIR] [--runs 3] [--no-record]``.
It starts ``plantrace serve`` on a built store (built here unless given) and runs Lighthouse
(``npx lighthouse``, installed from the npm registry by ``npm ci``: package.json) with Debian's
headless Chromium on ``/``, ``/items/I-1`` and ``/validation``, with Lighthouse's default mobile
profile (a mid-range phone: 412 px screen, 4× slower CPU, a slow 4G network, simulated). Each
page is run ``--runs`` times and the median of each score is kept (performance varies from run
to run). Targets (issue 20): accessibility 100, best practices 100, SEO at least 95,
performance at least 90. The section is written into ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench.common import REPO, Machine, served, table
from bench.soak import record

HEADING = "## Lighthouse (mobile profile)"
PAGES = ["/", "/items/I-1", "/validation"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 95}
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "total-byte-weight": "bytes",
}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


@dataclass(frozen=True)
class PageScores:
    """The median scores (0–100) and metrics of one page over the runs, and what failed."""

    path: str
    scores: dict[str, int]
    metrics: dict[str, str]
    failed: list[str]  # audits that cost points in the targeted categories (last run)


def chromium() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise SystemExit("Debian's chromium is needed (apt-get install chromium)")
    return found


def lighthouse(url: str, out: Path) -> dict[str, object]:
    """One Lighthouse run on ``url``: its JSON report."""
    binary = REPO / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        raise SystemExit(f"{binary} is missing: run `npm ci` (package.json)")
    subprocess.run(
        [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
        env={**os.environ, "CHROME_PATH": chromium()}, check=True, timeout=300,
    )  # fmt: skip
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _failed(report: dict[str, object]) -> list[str]:
    """Audits scored below 1 in the categories with a target of 100, and any that weigh."""
    audits: dict[str, dict[str, object]] = report["audits"]  # type: ignore[assignment]
    categories: dict[str, dict[str, object]] = report["categories"]  # type: ignore[assignment]
    out = []
    for name in CATEGORIES:
        for ref in categories[name]["auditRefs"]:  # type: ignore[attr-defined]
            audit = audits[ref["id"]]
            score = audit.get("score")
            if ref["weight"] and isinstance(score, int | float) and score < 1:
                out.append(f"{name}: {ref['id']} ({score:.2f})")
    return out


def measure(base: str, runs: int, folder: Path) -> list[PageScores]:
    found = []
    for path in PAGES:
        reports = [lighthouse(base + path, folder / f"run{i}.json") for i in range(runs)]
        scores = {}
        for name in CATEGORIES:
            values = [r["categories"][name]["score"] for r in reports]  # type: ignore[index]
            scores[name] = round(100 * statistics.median(values))
        metrics = {}
        for key, label in METRICS.items():
            values = [r["audits"][key]["numericValue"] for r in reports]  # type: ignore[index]
            value = statistics.median(values)
            metrics[label] = (f"{value / 1024:.0f} KiB" if label == "bytes"
                              else f"{value:.3f}" if label == "CLS"
                              else f"{value / 1000:.2f} s")  # fmt: skip
        found.append(PageScores(path, scores, metrics, _failed(reports[-1])))
    return found


def render(
    pages: list[PageScores], command: str, version: str, machine: Machine
) -> tuple[str, bool]:
    """The section for RESULTS.md, and whether every target is met on every page."""
    met = all(p.scores[c] >= TARGETS[c] for p in pages for c in CATEGORIES)
    rows = [[f"`{p.path}`", *(str(p.scores[c]) for c in CATEGORIES), *p.metrics.values()]
            for p in pages]  # fmt: skip
    verdicts = [[c, f"≥ {TARGETS[c]}", ", ".join(str(p.scores[c]) for p in pages),
                 "met" if all(p.scores[c] >= TARGETS[c] for p in pages) else "**missed**"]
                for c in CATEGORIES]  # fmt: skip
    lost = [f"- `{p.path}`: {f}" for p in pages for f in p.failed]
    lines = [HEADING, "", *machine.lines(), f"- command: `{command}`",
             f"- Lighthouse {version}, Chromium `{chromium()}` headless, default mobile profile "
             "(simulated slow 4G, 4× CPU slowdown, 412 × 823 px); median of the runs", "",
             "Lighthouse scales the main-thread time it observes by its CPU slowdown: on a "
             "loaded machine (see the load average) total blocking time, and so the performance "
             "score, come out worse than on an idle one; the other scores do not depend on it.",
             "",
             *table(["target", "wanted", "measured (/, item, validation)", "verdict"], verdicts),
             "", *table(["page", *CATEGORIES, *METRICS.values()], rows), "",
             "Audits that cost points:" if lost else "No audit cost a point.",
             *lost, ""]  # fmt: skip
    return "\n".join(lines), met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--state-dir", type=Path, help="a built store (default: build one)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    version = subprocess.run([str(REPO / "node_modules" / ".bin" / "lighthouse"), "--version"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    machine = Machine.now()
    with served(args.state_dir) as base, tempfile.TemporaryDirectory() as reports:
        for path in PAGES:  # warm: validated once, workers' caches filled
            httpx.get(base + path, timeout=120)
        pages = measure(base, args.runs, Path(reports))
    command = f"python bench/lighthouse.py --runs {args.runs}"
    section, met = render(pages, command, version, machine)
    print(section)
    if not args.no_record:
        record(section, heading=HEADING)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
