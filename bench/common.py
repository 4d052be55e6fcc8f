"""What the benchmarks share: servers started and stopped, memory read from /proc, latency and
throughput loops, percentiles, the machine description and Markdown tables.

One copy of each so that ``peers``, ``soak``, ``validation`` and ``run`` measure the same way: a
p50 in one section means what it means in another. Linux only (``/proc``, ``os.wait4``); every
server is started on 127.0.0.1 and stopped (its whole process group) when the block ends.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
"""Where the virtualenv's commands are: ``plantrace``, ``oxigraph``, ``rdflib-endpoint``."""


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _family(root: int) -> set[int]:
    """Process ``root`` and all its descendants (Linux): query workers are children of the fork
    server, itself a child of the server."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid and p not in family]
        family.update(children)
        frontier.extend(children)
    return family


def _kib(pid: int, file: str, field: str) -> int | None:
    try:
        for line in (Path("/proc") / str(pid) / file).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_kib(root: int) -> dict[int, int]:
    """Resident memory (KiB) of process ``root`` and all its descendants, by pid (Linux)."""
    found = {pid: _kib(pid, "status", "VmRSS:") for pid in _family(root)}
    return {pid: kib for pid, kib in found.items() if kib is not None}


def pss_kib(root: int) -> int:
    """Proportional resident memory (KiB) of ``root`` and its descendants together: each page
    counted once, shared ones split between the processes sharing them (Linux ``Pss``,
    ``/proc/PID/smaps_rollup``). The sum of their RSS counts a page shared by forked workers
    once per worker; this is what they take from the machine."""
    return sum(_kib(pid, "smaps_rollup", "Pss:") or 0 for pid in _family(root))


@dataclass
class Memory:
    """Resident memory of a server process and of it with its workers (KiB): RSS, and the
    proportional total (:func:`pss_kib`)."""

    server_kib: int
    total_kib: int
    processes: int
    pss_total_kib: int = 0

    @classmethod
    def of(cls, pid: int) -> Memory:
        found = rss_kib(pid)
        return cls(found.get(pid, 0), sum(found.values()), len(found), pss_kib(pid))


@dataclass
class Measured:
    """Wall-clock seconds and peak resident memory (KiB, of the largest process) of a command."""

    seconds: float
    peak_rss_kib: int


_MEASURE = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss], out)
"""


def run_measured(cmd: Sequence[str], **kwargs: Any) -> Measured:
    """Run ``cmd`` to its end and measure it, as ``/usr/bin/time -v`` would: wall time, and
    the peak resident memory of its largest process (``os.wait4``).

    A small Python process starts ``cmd`` and waits for it: Linux counts in a child's peak
    the memory of the process it was forked from, so a child of this (large) process would
    report this process's memory, not its own.
    """
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([sys.executable, "-c", _MEASURE, report.name, *cmd], check=True, **kwargs)
        code, seconds, peak = json.loads(Path(report.name).read_text())
    if code != 0:
        raise subprocess.CalledProcessError(code, list(cmd))
    return Measured(seconds, int(peak))


NO_CLIENT_LIMITS = {"client_concurrency": "0", "client_rate": "0", "client_requests": "0"}
"""Settings that turn the per-client fair share off (api/middleware/fair_share.py): the cost
benchmarks send every request from one address, as no real client does; ``bench/fairness.py``
and ``bench/soak.py`` keep the defaults, with a client per address."""


def plantrace_env(**settings: str) -> dict[str, str]:
    """This environment without any ``PLANTRACE_*`` setting, plus ``settings``: a benchmark
    runs with the defaults except what it names (and records)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANTRACE_")}
    return {**env, **{f"PLANTRACE_{k.upper()}": v for k, v in settings.items()}}


Probe = tuple[str, str, Mapping[str, str] | None]
"""An HTTP request that should answer 200: method, path, form data."""


@dataclass
class Server:
    """A server started by :func:`started`: its process, base URL and start-up time (s)."""

    name: str
    base: str
    process: subprocess.Popen[bytes]
    startup: float
    first_answers: dict[str, float] = field(default_factory=dict)  # probe → s from launch
    probe_errors: dict[str, str] = field(default_factory=dict)  # probe → why it gave up

    def memory(self) -> Memory:
        return Memory.of(self.process.pid)


NOT_READY = 1.0
"""A 5xx answered within this many seconds is the server saying "not yet" (polled again); a
slower one is a request that ran and failed (the probe gives up: sending it again and again
would only keep the server busy)."""


def _answers(
    client: httpx.Client, url: str, method: str, data: Mapping[str, str] | None
) -> bool | str:
    """True on 200; False when worth asking again (no connection yet, a quick 5xx); else why
    it failed."""
    start = time.perf_counter()
    try:
        response = client.request(method, url, data=data)
    except httpx.TransportError:
        return False
    if response.status_code == 200:
        return True
    if response.status_code >= 500 and time.perf_counter() - start < NOT_READY:
        return False
    return f"HTTP {response.status_code} after {time.perf_counter() - start:.1f} s"


def _client() -> httpx.Client:
    """A client for polling, made before the server starts (making one loads CA certificates:
    CPU time the server being timed would miss on a small machine)."""
    return httpx.Client(timeout=600, trust_env=False)


@contextmanager
def started(
    name: str,
    cmd: Sequence[str],
    base: str,
    ready: str,
    *,
    probes: Mapping[str, Probe] | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 1800,
    probe_timeout: float = 300,
) -> Iterator[Server]:
    """Start ``cmd`` (its own process group); yield once ``base + ready`` answers 200; stop it
    (with its children) at the end.

    ``probes`` (label → (method, path, form data)) are polled from the moment of launch, each in
    its own thread, until each answers 200: :attr:`Server.first_answers` holds the seconds from
    launch to each first 200, so start-up can be told apart from "ready to answer a query"; a
    probe that fails for real (see :data:`NOT_READY`) is in :attr:`Server.probe_errors`.
    """
    out = log.open("wb") if log else subprocess.DEVNULL
    clients = [_client() for _ in range(len(probes or {}) + 1)]  # made before the clock starts
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO, start_new_session=True
    )
    first: dict[str, float] = {}
    failed: dict[str, str] = {}
    stop = threading.Event()

    def poll(client: httpx.Client, label: str, probe: Probe) -> None:
        method, path, data = probe
        while not stop.is_set() and proc.poll() is None:
            answer = _answers(client, base + path, method, data)
            if answer is True:
                first[label] = time.perf_counter() - t0
                return
            if answer:
                failed[label] = str(answer)
                return
            time.sleep(0.02)

    threads = [
        threading.Thread(target=poll, args=(client, *probe), daemon=True)
        for client, probe in zip(clients[1:], (probes or {}).items(), strict=True)
    ]
    try:
        for t in threads:
            t.start()
        while (answer := _answers(clients[0], base + ready, "GET", None)) is not True:
            if answer:
                raise RuntimeError(f"{name}: {ready} answered {answer}")
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: {' '.join(cmd)}")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"{name} did not answer {ready} within {timeout:g} s")
            time.sleep(0.02)
        startup = time.perf_counter() - t0
        for t in threads:
            t.join(probe_timeout)
        yield Server(name, base, proc, startup, first, failed)
    finally:
        stop.set()
        for client in clients:
            client.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if log and not isinstance(out, int):
            out.close()


# --- timing ------------------------------------------------------------------------------------


@contextmanager
def served(state: Path | None) -> Iterator[str]:
    """``plantrace serve`` with its defaults on the store built under ``state`` (built here, in
    a temporary directory, when None); yields its base URL once ``/readyz`` answers."""
    with tempfile.TemporaryDirectory(prefix="plantrace-bench-") as tmp:
        if state is None:
            state = Path(tmp) / "state"
            subprocess.run([str(BIN / "plantrace"), "build", "--state-dir", str(state)],
                           cwd=REPO, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [str(BIN / "plantrace"), "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--state-dir", str(state)]  # fmt: skip
        with started("plantrace serve", command, base, "/readyz", env=plantrace_env(),
                     log=Path(tmp) / "serve.log", timeout=120):  # fmt: skip
            yield base


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of each of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def latencies(fn: Callable[[], object], repeat: int, budget: float = 120.0) -> list[float]:
    """Seconds of up to ``repeat`` calls of ``fn`` (warm it up first); once ``budget`` seconds
    are spent, stop (after at least three, or one that alone took a third of the budget), so
    a slow system cannot stall the run."""
    out: list[float] = []
    spent = time.perf_counter()
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
        if time.perf_counter() - spent > budget and (len(out) >= 3 or out[-1] > budget / 3):
            break
    return out


def throughput(
    fn: Callable[[httpx.Client], object], clients: int, seconds: float
) -> tuple[float, int]:
    """Requests per second that ``clients`` threads complete, each with its own connection,
    sending requests one after another until ``seconds`` are over (the count is divided by
    the time until the last one ends); and how many requests failed (not counted)."""
    done = [0] * clients
    failed = [0] * clients
    connections = [_client() for _ in range(clients)]  # made before the clock starts
    start = time.perf_counter()
    stop = start + seconds

    def run(i: int) -> None:
        while time.perf_counter() < stop:
            try:
                fn(connections[i])
                done[i] += 1
            except httpx.HTTPError:
                failed[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    for c in connections:
        c.close()
    return sum(done) / elapsed, sum(failed)


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``samples``, nearest rank, in the samples' unit."""
    xs = sorted(samples)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


@dataclass
class Latency:
    """p50 and p95 in milliseconds of ``n`` samples."""

    p50: float
    p95: float
    n: int

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        return cls(percentile(seconds, 0.5) * 1000, percentile(seconds, 0.95) * 1000, len(seconds))


# --- describing --------------------------------------------------------------------------------


@dataclass
class Machine:
    """What a reader needs to compare numbers across runs."""

    cpu: str
    cores: int
    ram_gib: float
    python: str
    versions: dict[str, str]
    load: float
    date: str

    @classmethod
    def now(cls) -> Machine:
        cpu = platform.machine()
        ram = 0.0
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
            ram = ram_kib() / 1024**2
        except OSError:
            pass
        versions = {}
        for name in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "pyshacl"):
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = "not installed"
        return cls(
            cpu,
            os.cpu_count() or 0,
            ram,
            platform.python_version(),
            versions,
            os.getloadavg()[0],
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        )

    def lines(self) -> list[str]:
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        return [
            f"- machine: {self.cpu}, {self.cores} cores, {self.ram_gib:.1f} GiB RAM; "
            f"Python {self.python}; {versions}",
            f"- date: {self.date}; load average (1 min) before the run: {self.load:.2f}",
        ]


def ram_kib() -> int:
    """The machine's memory (``MemTotal``, KiB)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def directory_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (links followed at the top only)."""
    return sum(p.stat().st_size for p in path.resolve().rglob("*") if p.is_file())


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table."""
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]


def say(text: str) -> None:
    """Progress, on standard error (standard output carries the Markdown)."""
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f}"
