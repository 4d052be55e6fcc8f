"""Run every benchmark and write bench/RESULTS.md: the one command of issue 7.

``.venv/bin/python bench/run.py [--sizes jlis,10,100,1000] [--quick] [--out FILE]``

In one run, on this machine, one step after the other (nothing else of the run in parallel):

1. the J-LIS build and its validation (:mod:`bench.validation`);
2. per size (J-LIS, then N synthetic bodies from the cache of :mod:`bench.datasets`, made and
   loaded once per size and seed): plantrace, the Oxigraph server and rdflib-endpoint on the
   same store and queries (:mod:`bench.peers`): latency, throughput, start-up, memory;
3. a short load and soak of ``plantrace serve`` on the J-LIS store (:mod:`bench.soak`);
4. the cost of a request at J-LIS size: repeated and never-seen queries, warm pages against
   static files, mixed-load throughput, memory (:mod:`bench.request_cost`, issue 21);
5. validation time on synthetic data of growing size, and its log-log slope;

then the targets of the issue, each met or missed with its numbers. The output names the
machine, the date, the load before the run and this command. ``--quick`` runs few repeats, short
throughput windows and small growth sizes: to try the tooling, not to record numbers.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench import peers, profile, request_cost
from bench.common import REPO, Machine, mib, say, table
from bench.datasets import DEFAULT_CACHE, JLIS, Data
from bench.peers import FIRST_QUERY, OXIGRAPH, PLANTRACE, RDFLIB, READY, SizeRun
from bench.soak import HEADING as SOAK_HEADING
from bench.soak import Report, serve_and_soak
from bench.validation import (
    LINEAR,
    Growth,
    JlisValidation,
    growth,
    measure_jlis,
    render_growth,
    render_jlis,
)

OXIGRAPH_FACTOR = 1.5
RDFLIB_FACTOR = 10.0
TRACE_MS = {JLIS: 50.0, "1000": 200.0}
STARTUP_S = 2.0


@dataclass
class Verdict:
    """One target of the issue: what it asks, what was measured, whether it was met."""

    target: str
    measured: str
    met: bool | None  # None: not measured in this run

    @property
    def label(self) -> str:
        return {True: "met", False: "**missed**", None: "not measured"}[self.met]


def verdicts(runs: Sequence[SizeRun], growth: Growth | None) -> list[Verdict]:
    """The issue's targets against this run's numbers (p50 throughout)."""
    return [
        _versus(
            runs,
            OXIGRAPH,
            f"plantrace /sparql p50 within {OXIGRAPH_FACTOR:g}× of the Oxigraph server's",
            OXIGRAPH_FACTOR,
        ),
        _versus(
            runs,
            RDFLIB,
            f"plantrace /sparql at least {RDFLIB_FACTOR:g}× faster (p50) than rdflib-endpoint",
            1 / RDFLIB_FACTOR,
        ),
        *(_trace(runs, size, ms) for size, ms in TRACE_MS.items()),
        _growth(growth),
        _memory(runs),
        *_startup(runs),
    ]


def _versus(runs: Sequence[SizeRun], other: str, target: str, limit: float) -> Verdict:
    """plantrace's p50 over ``other``'s, per query, at the largest size both ran: met when
    every query's ratio is at most ``limit`` and none failed."""
    run = peers.largest(runs, other)
    if run is None:
        return Verdict(target, f"{other} and plantrace were not both run", None)
    biggest = max(runs, key=lambda r: r.quads)
    where = f"at {run.size}, the largest size"
    if biggest is not run:
        where += f" {other} was run at (not at {biggest.size}: see 'Not run' under Peers)"
    ratios = peers.ratios(run, PLANTRACE, other)
    failed = [
        f"{what} failed ({system.system})"
        for what in peers.queries("x")
        for system in (run.system(PLANTRACE), run.system(other))
        if system and what in system.errors
    ]
    word = peers.speedup if limit < 1 else (lambda x: f"{x:.2f}×")
    parts = [f"{what} {word(1 / x if limit < 1 else x)}" for what, x in ratios.items()]
    met = bool(ratios) and not failed and all(x <= limit for x in ratios.values())
    return Verdict(f"{target}, {where}", ", ".join(parts + failed), met)


def _trace(runs: Sequence[SizeRun], size: str, ms: float) -> Verdict:
    name = "J-LIS size" if size == JLIS else f"{size} bodies"
    target = f"an item's trace served in under {ms:g} ms (p50) at {name}"
    run = next((r for r in runs if r.size == size), None)
    plantrace = run.system(PLANTRACE) if run else None
    if plantrace is None:
        return Verdict(target, f"plantrace was not run at {name}", None)
    kinds = {
        "GET /api/items/I-1?body=…": "JSON GET /api/items/I-1?body=…",
        "item trace": "SPARQL item trace",
    }
    parts, met = [], []
    for what, label in kinds.items():
        if what in plantrace.errors:
            parts.append(f"{label} failed ({plantrace.errors[what]})")
            met.append(False)
        elif what in plantrace.latency:
            parts.append(f"{label} {plantrace.latency[what].p50:.1f} ms")
            met.append(plantrace.latency[what].p50 < ms)
    if not parts:
        return Verdict(target, "no trace measured", None)
    return Verdict(target, ", ".join(parts), all(met))


def _growth(g: Growth | None) -> Verdict:
    target = f"validation time grows no faster than linearly (log-log slope ≤ {LINEAR:g})"
    if g is None or len(g.points) < 2:
        return Verdict(target, "not measured", None)
    sizes = ", ".join(f"{p.triples:,}" for p in g.points)
    return Verdict(target, f"slope {g.slope:.2f} over {sizes} triples", g.slope <= LINEAR)


def _memory(runs: Sequence[SizeRun]) -> Verdict:
    target = "memory per million triples recorded"
    run = peers.largest(runs, OXIGRAPH) or max(runs, key=lambda r: r.quads, default=None)
    if run is None:
        return Verdict(target, "no size run", None)
    parts = [
        f"{s.system} {mib(s.memory_end.total_kib / run.millions)} MiB per M quads"
        for s in run.systems
        if s.memory_end
    ]
    parts.append(f"store on disk {run.store_bytes / run.millions / 1e6:,.0f} MB per M quads")
    return Verdict(f"{target} (at {run.size})", "; ".join(parts), bool(parts[:-1]))


def _startup(runs: Sequence[SizeRun]) -> list[Verdict]:
    """Start-up of ``plantrace serve`` on the built J-LIS store: until ``ASK {}`` answers and
    until the first query answers (the largest size is given for comparison)."""
    out = []
    jlis = next((r for r in runs if r.size == JLIS), None)
    big = max(runs, key=lambda r: r.quads, default=None)
    for probe, what in ((READY, "`ASK {}` answers"), (FIRST_QUERY, "a first query answers")):
        target = f"start-up of `plantrace serve` on the built store under {STARTUP_S:g} s ({what})"
        plantrace = jlis.system(PLANTRACE) if jlis else None
        seconds = plantrace.first_answers.get(probe) if plantrace else None
        if seconds is None:
            out.append(Verdict(target, "not measured at J-LIS size", None))
            continue
        measured = f"{seconds:.2f} s at J-LIS size"
        other = big.system(PLANTRACE) if big and big is not jlis else None
        if other and probe in other.first_answers:
            measured += f"; {other.first_answers[probe]:.2f} s at {big.size if big else ''}"
        out.append(Verdict(target, measured, seconds < STARTUP_S))
    return out


def render_targets(found: Sequence[Verdict]) -> str:
    rows = [[v.target, v.measured, v.label] for v in found]
    return "\n".join(table(["target", "measured", "verdict"], rows)) + "\n"


def render_data(runs: Sequence[SizeRun]) -> str:
    """The data of each size: how big, how long it took to make and load, the store on disk."""
    rows = []
    for r in runs:
        rows.append(
            [
                r.size,
                f"{r.quads:,}",
                f"{r.file_bytes / 1e6:,.0f}",
                "—" if r.made_s is None else f"{r.made_s:.0f}",
                "—" if r.load_s is None else f"{r.load_s:.0f}",
                "—" if r.load_peak_kib is None else mib(r.load_peak_kib),
                f"{r.store_bytes / 1e6:,.0f}",
                f"{r.store_bytes / r.millions / 1e6:,.0f}",
            ]
        )
    return (
        "\n".join(
            [
                *table(
                    [
                        "size",
                        "quads",
                        "N-Quads MB",
                        "made s",
                        "loaded s",
                        "load peak RSS MiB",
                        "store on disk MB",
                        "store MB per M quads",
                    ],
                    rows,
                ),
                "",
                "J-LIS: made = `plantrace build` + `plantrace export`, loaded by the build. "
                "Synthetic: made = `plantrace synth --bodies N --seed S` (N-Quads), loaded = "
                "`api.backend.load_dataset` into a state directory (bulk load, union default "
                "graph), peak RSS of that process; both done once and kept in the cache (a '—' "
                "is a step done outside this tool).",
            ]
        )
        + "\n"
    )


@dataclass
class Results:
    machine: Machine
    command: str
    settings: str
    jlis: JlisValidation | None
    growth: Growth | None
    runs: list[SizeRun]
    soak: Report | None
    profile: str | None = None  # the body of bench/profile.py's section
    cost: request_cost.CostRun | None = None


def render(r: Results) -> str:
    """The whole bench/RESULTS.md."""
    parts = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py`: every number below comes from the one run described here. "
        "Recorded, not asserted: re-run the command to refresh the file.",
        "",
        *r.machine.lines(),
        f"- command: `{r.command}`",
        f"- settings: {r.settings}",
        "",
        "## Targets (issue 7)",
        "",
        render_targets(verdicts(r.runs, r.growth)),
    ]
    if r.jlis:
        parts += ["## Build and validation of the J-LIS graph", "", render_jlis(r.jlis)]
    if r.growth:
        parts += ["## Validation time against data size (synthetic bodies)", ""]
        parts += [render_growth(r.growth)]
    if r.runs:
        parts += ["## Data sizes", "", render_data(r.runs)]
        parts += ["## Peers: plantrace, Oxigraph server, rdflib-endpoint", ""]
        parts += [
            "Same store directory for plantrace and the Oxigraph server, the same data as "
            "N-Quads for rdflib-endpoint, the same queries; servers run one after the other. "
            f"plantrace runs with its defaults except `--query-timeout 120` and "
            f"`PLANTRACE_ROW_LIMIT={peers.ROW_LIMIT}` (every row sent, as the peers do), and "
            "the per-client limits off (every request comes from one address).",
            "",
            peers.render(r.runs),
        ]
    if r.profile:
        parts += [profile.HEADING, "", r.profile]
    if r.soak:
        parts += [SOAK_HEADING, "", r.soak.body()]
    if r.cost:
        parts += [request_cost.HEADING, "", request_cost.render([r.cost])]
    return "\n".join(parts)


def _sizes(text: str) -> list[str]:
    sizes = [s.strip() for s in text.split(",") if s.strip()]
    for s in sizes:
        if s != JLIS and not s.isdigit():
            raise SystemExit(f"--sizes: expected {JLIS} or numbers of bodies, got {s!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="jlis,10,100,1000", help="jlis and/or numbers of bodies")
    parser.add_argument("--quick", action="store_true", help="few repeats: try the tools")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--growth", help="bodies for validation growth (default 1,3,10)")
    parser.add_argument("--repeat", type=int, help="latency samples per query (default 30)")
    parser.add_argument("--seconds", type=float, help="throughput window (default 5)")
    parser.add_argument("--soak", type=float, help="seconds of soak (default 30; 0: none)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--logs", type=Path, help="servers' output (default: CACHE/logs)")
    args = parser.parse_args(argv)
    quick = args.quick
    repeat = args.repeat or (5 if quick else 30)
    seconds = args.seconds or (1.0 if quick else 5.0)
    soak_s = args.soak if args.soak is not None else (6.0 if quick else 30.0)
    budget = 20.0 if quick else 90.0
    bodies = [int(n) for n in (args.growth or ("1,2,4" if quick else "1,3,10")).split(",") if n]
    machine = Machine.now()
    command = shlex.join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    settings = (
        f"{repeat} latency samples per request after one warm-up (fewer once {budget:g} s are "
        "spent: at least 3, or 1 that took a third of that), "
        f"throughput windows of {seconds:g} s, soak {soak_s:g} s, validation growth at "
        f"{','.join(map(str, bodies))} bodies, synthetic seed {args.seed}, cache {args.cache}, "
        f"server logs in {args.logs or args.cache / 'logs'}"
    )
    with tempfile.TemporaryDirectory(prefix="plantrace-bench-") as tmp:
        work = Path(tmp)
        say("J-LIS build and validation")
        jlis_v = measure_jlis(1 if quick else 5)
        data: list[Data] = peers.prepare(_sizes(args.sizes), work, args.seed, args.cache)
        logs = args.logs or args.cache / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        runs = peers.run_all(data, repeat, seconds, budget, logs=logs)
        report = None
        jlis_data = next((d for d in data if d.size == JLIS), None)
        layers = None
        if jlis_data is not None:
            say("profile: where the time goes")
            try:
                layers = profile.section(jlis_data.state, 20 if quick else 200)
            except Exception as exc:  # a broken section must not lose the rest of the run
                layers = f"The profile failed: {type(exc).__name__}: {exc}\n"
        if soak_s > 0 and jlis_data is not None:
            say(f"soak: {soak_s:g} s")
            report = serve_and_soak(jlis_data.state, soak_s, 16, 1, 1.0, logs / "soak.log")
        cost = None
        if jlis_data is not None:
            static = work / "static"
            static.mkdir()
            cost = request_cost.measure(jlis_data, 20 if quick else 200, logs, static)
        # last: it fills this process with rdflib graphs, which would slow the client above
        say(f"validation growth: {bodies} bodies")
        grown = growth(bodies, args.seed, args.cache) if bodies else None
    text = render(Results(machine, command, settings, jlis_v, grown, runs, report, layers, cost))
    args.out.write_text(text, encoding="utf-8")
    print(text)
    say(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
