"""Benchmark: build and validate the J-LIS graph; how validation time grows with the data.

* :func:`measure_jlis`: the J-LIS build (parse, link, load; in memory) and its validation
  against shapes/ (pySHACL), repeated.
* :func:`growth`: :func:`kg.validate.validate` on synthetic data of increasing size (from the
  cache of :mod:`bench.datasets`), with the log-log slope of time against triples: 1 is linear.
  When the slope is above :data:`LINEAR` (or when asked), each shape file is timed alone at the
  smallest and the largest size, to show which one grows faster than the data.

Run alone: ``.venv/bin/python bench/validation.py [--repeat N] [--growth 1,3,10]``; prints
Markdown. Not a test: timings depend on the machine, so they are recorded, never asserted.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from rdflib import Dataset, Graph
from rdflib.namespace import SH

from bench.common import REPO, Machine, table, timed
from bench.datasets import DEFAULT_CACHE, synthetic
from kg.bodies import split
from kg.build import fill
from kg.config import SHAPES_DIR
from kg.namespaces import RDFS
from kg.ontology import load_ontology
from kg.sources import load_manifest
from kg.store import GraphStore
from kg.validate import load_shapes, store_graph, union_graph, validate

LINEAR = 1.1
"""Largest log-log slope of validation time against triples still called linear."""
SHAPE_SHARE = 0.02
"""Shapes taking less than this share of the time are left out of the breakdown."""


@dataclass
class JlisValidation:
    builds: list[float]
    checks: list[float]
    triples: int
    findings: int


def measure_jlis(repeat: int) -> JlisValidation:
    """Build the J-LIS graph in memory and validate it, ``repeat`` times each."""
    manifest = load_manifest(REPO / "data" / "sources" / "manifest.json")
    store = GraphStore.memory()
    builds = timed(lambda: fill(store, manifest), repeat)
    graph = store_graph(store)
    findings: list[int] = []
    checks = timed(lambda: findings.append(len(validate(graph).findings)), repeat)
    return JlisValidation(builds, checks, quads(graph), findings[-1])


def render_jlis(v: JlisValidation) -> str:
    rows = [
        [name, f"{statistics.median(t):.2f}", f"{min(t):.2f}", f"{max(t):.2f}", len(t)]
        for name, t in (
            ("build (parse, link, load; in memory)", v.builds),
            ("validate (pySHACL)", v.checks),
        )
    ]
    return "\n".join(
        [
            *table(["step", "median s", "min s", "max s", "runs"], rows),
            "",
            f"triples validated: {v.triples:,}; findings per validation: {v.findings}",
            "",
        ]
    )


@dataclass
class Point:
    bodies: int
    triples: int
    seconds: float


@dataclass
class Growth:
    points: list[Point]
    shapes: list[ShapeTime] = field(default_factory=list)

    @property
    def slope(self) -> float:
        return slope(self.points)


def slope(points: Sequence[Point]) -> float:
    """Least-squares slope of log(seconds) against log(triples): the exponent of the growth."""
    xs = [math.log(p.triples) for p in points]
    ys = [math.log(p.seconds) for p in points]
    if len(points) < 2 or max(xs) == min(xs):
        return math.nan
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


BREAKDOWN_MAX = 10
"""The shape breakdown compares the smallest size with the largest one of at most this many
bodies: a quadratic shape at 30 bodies would take many minutes alone."""
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass
class ShapeTime:
    """One shape validated alone: seconds at each size."""

    shape: str
    file: str
    points: list[Point]


def growth(
    bodies: Sequence[int], seed: int, cache: Path = DEFAULT_CACHE, per_shape: bool | None = None
) -> Growth:
    """Validation time at each size; per shape if superlinear (or asked): see
    :func:`shape_times`."""
    ends = {min(bodies), max([n for n in bodies if n <= BREAKDOWN_MAX] or [min(bodies)])}
    graphs: dict[int, Dataset] = {}
    points = []
    for n in sorted(bodies):
        data = Dataset()
        data.parse(synthetic(n, seed, cache, store=False).nquads, format="nquads")
        seconds = timed(partial(validate, data), 1)[0]
        points.append(Point(n, quads(data), seconds))
        if n in ends:
            graphs[n] = data
    out = Growth(points)
    if len(graphs) > 1 and (per_shape or (per_shape is None and out.slope > LINEAR)):
        out.shapes = shape_times(graphs)
    return out


def shape_times(graphs: dict[int, Dataset]) -> list[ShapeTime]:
    """Each top-level shape of shapes/ validated alone on each dataset (bodies → dataset).

    A shape is validated alone by leaving every other shape without its targets (a shape with
    no target checks nothing unless another shape refers to it). pySHACL is called here the
    way :func:`kg.validate.validate` calls it, on data graphs prepared once per size as it
    prepares them (the union of each body's graphs, with the ontology's ``rdfs:subClassOf``):
    ``validate`` copies the graphs on every call, a cost that would drown the small shapes.
    """
    from pyshacl import validate as shacl_validate

    files = {path.name: load_shapes_file(path) for path in sorted(SHAPES_DIR.glob("*.ttl"))}
    everything = load_shapes()
    tops = {s: name for name, g in files.items() for p in TARGETS for s in g.subjects(p, None)}
    subclass = list(load_ontology().triples((None, RDFS.subClassOf, None)))
    prepared = {}
    for n, data in graphs.items():
        prepared[n] = [union_graph(*part.graphs) for part in split(data)]
        for g in prepared[n]:
            for t in subclass:
                g.add(t)
    out = []
    for shape, name in sorted(tops.items()):
        shapes = Graph()
        for t in everything:
            if t[1] not in TARGETS or t[0] == shape:
                shapes.add(t)
        run = partial(shacl_validate, shacl_graph=shapes, inference="none", advanced=True,
                      inplace=True)  # fmt: skip
        points = [Point(n, quads(graphs[n]), timed(partial(_each, run, parts), 1)[0])
                  for n, parts in sorted(prepared.items())]  # fmt: skip
        out.append(ShapeTime(str(shape).rsplit("#", 1)[-1], name, points))
    return out


def _each(run: Callable[[Graph], object], graphs: list[Graph]) -> None:
    for graph in graphs:
        run(graph)


def load_shapes_file(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def quads(data: Dataset) -> int:
    """Number of triples in all of ``data``'s graphs."""
    return sum(len(g) for g in data.graphs())


def render_growth(g: Growth) -> str:
    rows = [
        [p.bodies, f"{p.triples:,}", f"{p.seconds:.1f}", f"{p.seconds / p.triples * 1e6:.0f}"]
        for p in g.points
    ]
    verdict = "linear or better" if g.slope <= LINEAR else "FASTER than linear"
    lines = [
        *table(["bodies", "triples", "validate s", "µs per triple"], rows),
        "",
        f"log-log slope of time against triples: **{g.slope:.2f}** ({verdict}; "
        f"≤ {LINEAR} counts as linear)",
    ]
    if g.shapes:
        ends = g.shapes[0].points
        total = sum(t.points[-1].seconds for t in g.shapes)
        heavy = sorted(
            (t for t in g.shapes if t.points[-1].seconds >= SHAPE_SHARE * total),
            key=lambda t: -slope(t.points),
        )
        lines += [
            "",
            f"Each shape timed alone at {ends[0].bodies} and {ends[-1].bodies} bodies (pySHACL "
            "on a prepared graph; the shapes that take at least "
            f"{SHAPE_SHARE:.0%} of the sum at {ends[-1].bodies} bodies, fastest-growing first):",
            "",
        ]
        lines += table(
            ["shape", "file", *(f"{p.bodies} bodies s" for p in ends), "slope"],
            [[t.shape, t.file, *(f"{p.seconds:.2f}" for p in t.points), f"{slope(t.points):.2f}"]
             for t in heavy],
        )  # fmt: skip
        by_file: dict[str, list[Point]] = {}
        for t in g.shapes:
            old = by_file.get(t.file, [Point(p.bodies, p.triples, 0.0) for p in t.points])
            by_file[t.file] = [Point(p.bodies, p.triples, p.seconds + q.seconds)
                               for p, q in zip(old, t.points, strict=True)]  # fmt: skip
        lines += ["", "Summed by shape file:", ""]
        lines += table(
            ["file", *(f"{p.bodies} bodies s" for p in ends), "slope"],
            [[name, *(f"{p.seconds:.2f}" for p in pts), f"{slope(pts):.2f}"]
             for name, pts in sorted(by_file.items())],
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--growth", default="", help="numbers of bodies, e.g. 1,3,10 (none: skip)")
    parser.add_argument("--per-shape", action="store_true", help="time each shape file too")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    print(
        "\n".join(
            [
                *Machine.now().lines(),
                f"- command: `python bench/validation.py {' '.join(sys.argv[1:])}`",
                "",
            ]
        )
    )
    print(render_jlis(measure_jlis(args.repeat)))
    if args.growth:
        sizes = [int(n) for n in args.growth.split(",")]
        print(render_growth(growth(sizes, args.seed, args.cache, args.per_shape or None)))


if __name__ == "__main__":
    main()
