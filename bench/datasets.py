"""The data the benchmarks run on: the J-LIS build, and synthetic bodies kept in a cache.

A synthetic size is slow to make (1000 bodies: a 19-million-quad file, over ten minutes) and
slower to load, so each (bodies, seed) is made once into ``<cache>/synth-<N>-seed<S>/``:

* ``synth.nq``: ``plantrace synth --bodies N --seed S`` (N-Quads: one quad a line, so counting
  them is counting lines; rdflib-endpoint reads it as is);
* ``state/store-synth`` with the link ``state/store`` to it: the file loaded by
  :func:`api.backend.load_dataset` (the code ``plantrace serve --dataset`` runs: bulk load, then the
  union of the named graphs as the default graph), laid out as a plantrace state directory, so
  ``plantrace serve --state-dir state`` serves it at once and ``oxigraph serve-read-only
  --location state/store-synth`` serves the very same store;
* ``meta.json``: how long making and loading took and their peak memory.

Each step writes under a temporary name and renames when complete, so an interrupted run leaves
nothing that looks finished. The J-LIS build depends on the code under test, so it is never
cached: it is built afresh into the run's work directory.

Run on its own to prepare sizes ahead of a run: ``python bench/datasets.py --sizes 10,100,1000``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench.common import BIN, REPO, Measured, directory_bytes, run_measured, say

DEFAULT_CACHE = Path("/tmp/plantrace-bench-cache")
STATE = "state"
STORE = "store-synth"
JLIS = "jlis"

_LOAD = """
import sys
from pathlib import Path
from api.workers.backend import load_dataset
print(load_dataset(Path(sys.argv[1]), Path(sys.argv[2])))
"""
"""The load, in a process of its own so that its peak memory is its own."""


@dataclass
class Data:
    """One size of data, ready to serve: a state directory, the same data as an N-Quads file."""

    size: str  # "jlis" or the number of bodies
    publisher: str  # whose item the trace and impact queries ask about
    nquads: Path
    state: Path
    quads: int
    file_bytes: int
    store_bytes: int
    made: Measured | None = None  # synth (or build + export for J-LIS)
    loaded: Measured | None = None  # load into the store
    notes: list[str] = field(default_factory=list)

    @property
    def store_dir(self) -> Path:
        """The store directory itself (what the Oxigraph server opens)."""
        return (self.state / "store").resolve()

    @property
    def millions(self) -> float:
        return self.quads / 1e6


def jlis(work: Path) -> Data:
    """Build the J-LIS graph into ``work`` (state directory and an N-Quads export)."""
    state = work / "jlis-state"
    out = work / "jlis.nq"
    build = run_measured(
        [str(BIN / "plantrace"), "build", "--state-dir", str(state)],
        stdout=subprocess.DEVNULL,
        cwd=REPO,
    )
    export = run_measured(
        [str(BIN / "plantrace"), "export", "--state-dir", str(state), "-o", str(out)],
        stdout=subprocess.DEVNULL,
        cwd=REPO,
    )
    made = Measured(build.seconds + export.seconds, max(build.peak_rss_kib, export.peak_rss_kib))
    data = Data(JLIS, "jlis", out, state, _lines(out), out.stat().st_size, 0, made)
    data.store_bytes = directory_bytes(data.store_dir)
    return data


def synthetic(bodies: int, seed: int, cache: Path = DEFAULT_CACHE, store: bool = True) -> Data:
    """The cached synthetic dataset of ``bodies`` bodies and ``seed``, made (and, if ``store``,
    loaded) if absent."""
    home = cache / f"synth-{bodies}-seed{seed}"
    home.mkdir(parents=True, exist_ok=True)
    meta_path = home / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    nquads = home / "synth.nq"
    if not nquads.exists():
        say(f"synth: {bodies} bodies, seed {seed} → {nquads}")
        partial = home / "synth.partial.nq"
        made = run_measured(
            [
                str(BIN / "plantrace"),
                "synth",
                "--bodies",
                str(bodies),
                "--seed",
                str(seed),
                "-o",
                str(partial),
            ],
            stdout=subprocess.DEVNULL,
            cwd=REPO,
        )
        partial.rename(nquads)
        meta = {"made": asdict(made)}  # a new file: an old store is stale
        shutil.rmtree(home / STATE, ignore_errors=True)
        meta_path.write_text(json.dumps(meta, indent=1))
    state = home / STATE
    if store and not (state / "store").exists():
        say(f"load: {nquads} → {state / STORE}")
        shutil.rmtree(state, ignore_errors=True)
        partial_state = home / "state.partial"
        shutil.rmtree(partial_state, ignore_errors=True)
        partial_state.mkdir()
        loaded = run_measured(
            [sys.executable, "-c", _LOAD, str(nquads), str(partial_state / STORE)],
            stdout=subprocess.DEVNULL,
            cwd=REPO,
        )
        os.symlink(STORE, partial_state / "store")
        partial_state.rename(state)
        meta["loaded"] = asdict(loaded)
        meta_path.write_text(json.dumps(meta, indent=1))
    if "quads" not in meta:
        meta["quads"] = _lines(nquads)
        meta_path.write_text(json.dumps(meta, indent=1))
    return Data(
        str(bodies),
        "body0001",
        nquads,
        state,
        int(meta["quads"]),
        nquads.stat().st_size,
        directory_bytes(state / "store") if store else 0,
        Measured(**meta["made"]) if "made" in meta else None,
        Measured(**meta["loaded"]) if "loaded" in meta else None,
    )


def _lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="numbers of bodies, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    for size in args.sizes.split(","):
        data = synthetic(int(size), args.seed, args.cache)
        print(
            f"{data.size} bodies: {data.quads:,} quads, file {data.file_bytes / 1e9:.2f} GB, "
            f"store {data.store_bytes / 1e9:.2f} GB ({data.state}); made: {data.made}; "
            f"loaded: {data.loaded}"
        )


if __name__ == "__main__":
    main()
