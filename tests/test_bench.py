"""The benchmark report's verdicts (bench/run.py) on made-up numbers: met, missed, not measured.

No timing here: the numbers are fabricated so that each target falls on a known side of its
threshold, and the rendering of the whole report is checked to hold them.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from bench import floor, request_cost
from bench.common import Latency, Machine, Memory
from bench.peers import (
    FIRST_QUERY,
    OXIGRAPH,
    PAGE,
    PLANTRACE,
    RDFLIB,
    READY,
    SizeRun,
    SystemRun,
    queries,
    rdflib_skip,
)
from bench.run import Results, Verdict, render, render_targets, verdicts
from bench.soak import Report, Tally
from bench.validation import Growth, JlisValidation, Point, ShapeTime, render_growth, slope

MIB = 1024


def system(
    name: str,
    p50: float,
    *,
    json: float | None = None,
    startup: float = 1.0,
    first_query: float = 1.5,
    rss_mib: int = 100,
) -> SystemRun:
    """A system whose every SPARQL query has the same p50 (ms)."""
    run = SystemRun(name)
    run.latency = {what: Latency(p50, p50 * 2, 10) for what in queries("x")}
    run.rows = dict.fromkeys(queries("x"), 1)
    if json is not None:
        run.latency["GET /api/items/I-1?body=…"] = Latency(json, json * 2, 10)
    run.first_answers = {READY: startup, FIRST_QUERY: first_query, PAGE: first_query}
    run.memory_start = run.memory_end = Memory(rss_mib * MIB, rss_mib * MIB, 1)
    run.throughput = {1: 10.0, 4: 20.0, 16: 20.0}
    return run


def size(name: str, quads: int, *systems: SystemRun) -> SizeRun:
    return SizeRun(name, quads, quads * 100, quads * 50, 1.0, 2.0, 500 * MIB, list(systems))


def by_target(found: list[Verdict], words: str) -> Verdict:
    (verdict,) = [v for v in found if words in v.target]
    return verdict


def good_runs() -> list[SizeRun]:
    return [
        size(
            "jlis", 10_000, system(PLANTRACE, 10, json=40), system(OXIGRAPH, 8), system(RDFLIB, 200)
        ),
        size(
            "100",
            2_000_000,
            system(PLANTRACE, 20, json=900),
            system(OXIGRAPH, 15),
            system(RDFLIB, 400),
        ),
        size(
            "1000",
            20_000_000,
            system(PLANTRACE, 150, json=120),
            system(OXIGRAPH, 120),
            SystemRun(RDFLIB, skipped="not run: too big"),
        ),
    ]


LINEAR_GROWTH = Growth([Point(1, 1_000, 1.0), Point(10, 10_000, 10.0), Point(30, 30_000, 31.0)])


def test_all_targets_met() -> None:
    found = verdicts(good_runs(), LINEAR_GROWTH)
    assert [v.met for v in found] == [True] * len(found), render_targets(found)
    assert by_target(found, "Oxigraph").target.endswith("at 1000, the largest size")
    rdflib = by_target(found, "rdflib-endpoint")
    assert "at 100, the largest size" in rdflib.target and "not at 1000" in rdflib.target
    assert "20.0× faster" in rdflib.measured
    assert by_target(found, "200 ms").measured == (
        "JSON GET /api/items/I-1?body=… 120.0 ms, SPARQL item trace 150.0 ms"
    )


def test_targets_missed() -> None:
    runs = [
        size(
            "jlis",
            10_000,
            system(PLANTRACE, 30, json=60, startup=1.0, first_query=3.0),
            system(OXIGRAPH, 10),
            system(RDFLIB, 100),
        ),
        size("1000", 20_000_000, system(PLANTRACE, 250), system(OXIGRAPH, 100)),
    ]
    superlinear = Growth([Point(1, 1_000, 1.0), Point(10, 10_000, 100.0)])
    found = verdicts(runs, superlinear)
    assert by_target(found, "Oxigraph").met is False
    assert by_target(found, "Oxigraph").measured.startswith("grade matrix 2.50×")
    assert by_target(found, "rdflib-endpoint").met is False
    assert "grade matrix 3.3× faster" in by_target(found, "rdflib-endpoint").measured
    assert by_target(found, "50 ms").met is False  # the JSON trace took 60 ms
    assert by_target(found, "200 ms").met is False
    assert by_target(found, "linearly").met is False
    assert "slope 2.00" in by_target(found, "linearly").measured
    assert by_target(found, "(`ASK {}` answers)").met is True
    assert by_target(found, "(a first query answers)").met is False
    assert "**missed**" in render_targets(found)
    runs[1].systems[0].errors["text search"] = "HTTP 503"
    del runs[1].systems[0].latency["text search"]
    versus = by_target(verdicts(runs, None), "Oxigraph")
    assert versus.met is False and "text search failed (plantrace)" in versus.measured


def test_nothing_measured() -> None:
    found = verdicts([], None)
    assert {v.met for v in found} == {None}
    assert "not measured" in render_targets(found)


def test_slope_is_the_exponent() -> None:
    assert abs(slope([Point(1, 100, 1.0), Point(2, 1000, 10.0)]) - 1.0) < 1e-9
    assert abs(slope([Point(1, 100, 1.0), Point(2, 1000, 100.0)]) - 2.0) < 1e-9


def test_rdflib_skipped_from_its_measured_memory() -> None:
    ram = 24 * 1024 * MIB
    measured = [size("100", 2_000_000, system(PLANTRACE, 1), system(RDFLIB, 1, rss_mib=4000))]
    assert rdflib_skip(2_000_000, measured, ram) is None
    assert rdflib_skip(3_000_000, measured, ram) is None  # about 5.9 GiB
    reason = rdflib_skip(20_000_000, measured, ram)
    assert reason is not None
    assert "2,000 MiB per million quads" in reason and "39.1 GiB" in reason
    assert rdflib_skip(500_000, [], ram) is None
    assert rdflib_skip(2_000_000, [], ram) is not None


def test_growth_breakdown_renders() -> None:
    g = Growth(
        [Point(1, 1_000, 1.0), Point(10, 10_000, 40.0)],
        [
            ShapeTime(
                "QuadraticShape", "trace.ttl", [Point(1, 1_000, 0.5), Point(10, 10_000, 30.0)]
            ),
            ShapeTime("LinearShape", "trace.ttl", [Point(1, 1_000, 0.5), Point(10, 10_000, 5.0)]),
            ShapeTime(
                "TinyShape", "grading.ttl", [Point(1, 1_000, 0.001), Point(10, 10_000, 0.002)]
            ),
        ],
    )
    text = render_growth(g)
    assert "FASTER than linear" in text
    quadratic, linear = text.index("| QuadraticShape |"), text.index("| LinearShape |")
    assert quadratic < linear and "TinyShape" not in text  # fastest-growing first; tiny left out
    assert "| trace.ttl | 1.00 | 35.00 |" in text


def test_whole_report_renders() -> None:
    machine = Machine("test CPU", 2, 24.0, "3.11", {"pyoxigraph": "0"}, 0.5, "2026-01-01 00:00")
    soak = Report(6, 8, 1, 1.0, Tally(), Memory(1, 2, 3), Memory(1, 2, 3), 0.1)
    soak.tally.add("page /", 0.01, "200", None)
    runs = good_runs()
    runs[0].systems[0].errors["GET /api/items/I-1?body=…"] = "HTTP 503"
    text = render(
        Results(
            machine,
            "python bench/run.py",
            "quick",
            JlisValidation([1.0], [2.0], 9000, 3),
            LINEAR_GROWTH,
            runs,
            soak,
        )
    )
    for heading in (
        "## Targets",
        "## Build and validation",
        "## Validation time",
        "## Data",
        "## Peers",
        "### Memory",
        "## Load and soak",
    ):
        assert heading in text, heading
    assert "test CPU, 2 cores" in text and "`python bench/run.py`" in text
    assert "- 1000, rdflib-endpoint: not run: too big" in text
    assert "- jlis, plantrace, GET /api/items/I-1?body=…: HTTP 503" in text
    trace = by_target(verdicts(runs, None), "50 ms")
    assert trace.met is False
    assert "JSON GET /api/items/I-1?body=… failed (HTTP 503)" in trace.measured


def test_the_floor_app_answers_the_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/floor.py, the profile's lower bound, answers as an endpoint would (it is timed
    against the others, so it must do the same work)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("値")))
    monkeypatch.setattr(floor, "_store", store)
    client = TestClient(floor.app)
    got = client.post("/sparql", data={"query": "SELECT ?o { ?s ?p ?o }"})
    assert got.json()["results"]["bindings"] == [{"o": {"type": "literal", "value": "値"}}]
    assert client.post("/sparql", data={"query": "ASK { ?s ?p 1 }"}).json()["boolean"] is False


def _cost(plantrace_ms: float, rps: float, memory_mib: int) -> request_cost.CostRun:
    def p(ms: float) -> Latency:
        return Latency(ms, ms * 2, 10)

    run = request_cost.CostRun("jlis", 10_000)
    for what in ("grade matrix", request_cost.ASK):
        by = {request_cost.PLANTRACE: p(plantrace_ms), request_cost.OXIGRAPH: p(1)}
        run.repeated[what], run.fresh[what] = by, dict(by)
    run.pages["/"] = {request_cost.PLANTRACE: p(plantrace_ms), request_cost.STATIC: p(1)}
    run.rps, run.memory_pss_kib, run.processes = rps, memory_mib * 1024, 5
    run.memory_kib = run.memory_pss_kib * 2  # forked workers share pages: their RSS sum is more
    return run


def test_request_cost_verdicts() -> None:
    met = request_cost.verdicts(_cost(0.9, 100, 150))
    assert [v.met for v in met] == [True] * 6
    missed = request_cost.verdicts(_cost(2.0, 60, 250))
    assert [v.met for v in missed] == [False, False, True, True, False, False]
    text = request_cost.render([_cost(2.0, 60, 250)])
    assert "grade matrix 2.00×" in text and "**missed**" in text and "250 MiB in total" in text
    assert "up to 500 MiB" in text  # the RSS sum is shown beside the verdict's PSS
