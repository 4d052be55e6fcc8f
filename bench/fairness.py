"""The fair share under a flood: does one client hammering the service slow the others down?

Run: ``.venv/bin/python bench/fairness.py [--duration 30] [--clients 4] [--flood 16]``.
It starts ``plantrace serve`` with its default limits (two query workers, so one query at a
time per client, and 600 a minute) on a built store, then measures the ordinary mix of
``bench/soak.py`` (pages, JSON, SPARQL) from ``--clients`` clients twice: alone, and while one
more client floods the service from ``--flood`` threads at once (every one of them sending the
cross product no time limit lets finish, or ordinary requests, as fast as it can). Clients are
told apart by ``X-Forwarded-For`` (trusted from 127.0.0.1, as from a reverse proxy). The target
(issue: running it in public) is the others' p95 within 2× of the idle service's. The section
is written into ``bench/RESULTS.md`` (``--no-record`` to only print).

The flooder runs in a process of its own at the lowest CPU priority (``nice 19``): a real one
sends from another machine, so its own cost of making requests is not the server's. In one
process with the others its threads would also hold the others' interpreter lock, and the
others' latencies would measure the flooder's client, not the service.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find `bench`

from bench.common import Machine, percentile, served, table
from bench.soak import Tally, _client, _mix, _slow, address, record

HEADING = "## Fair share under a flood"
FLOODER = "10.255.255.1"
TARGET = 2.0
"""The others' p95 under the flood at most this many times their p95 on an idle service."""
PACE = 5.0
"""Requests a second each of the others sends at most: ordinary use, within the default
limits (a client sending back to back would be a flooder too, and be refused)."""


def _flood(base: str, deadline: float, threads: int, timeout: float,
           answers: multiprocessing.SimpleQueue[dict[str, dict[str, int]]]) -> None:  # fmt: skip
    """``threads`` threads of one client, in a process of its own at the lowest CPU priority:
    half send the runaway query, half the ordinary mix. Puts the answers by kind and status."""
    os.nice(19)
    tally = Tally()
    workers = [
        threading.Thread(target=_client, daemon=True, args=(
            base, deadline, _slow if i % 2 == 0 else _mix, 9000 + i, tally, timeout, FLOODER))
        for i in range(threads)
    ]  # fmt: skip
    for t in workers:
        t.start()
    for t in workers:
        t.join(deadline - time.monotonic() + timeout + 10)
    answers.put({kind: dict(counts) for kind, counts in tally.status.items()})


def _others(base: str, duration: float, clients: int, tally: Tally, timeout: float,
            pace: float) -> None:  # fmt: skip
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(target=_client, daemon=True,
                         args=(base, deadline, _mix, i, tally, timeout, address(i), 1 / pace))
        for i in range(clients)
    ]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 10)


def measure(base: str, duration: float, clients: int, flood: int,
            pace: float = PACE) -> tuple[Tally, Tally, Tally]:  # fmt: skip
    """The others' tally alone, the others' tally under the flood, and the flooder's."""
    timeout = 60.0
    idle, busy, flooder = Tally(), Tally(), Tally()
    with httpx.Client(timeout=300, trust_env=False) as client:  # pages then show findings
        client.get(base + "/validation").raise_for_status()
    _others(base, 3.0, clients, Tally(), timeout, pace)  # warm up
    _others(base, duration, clients, idle, timeout, pace)
    spawn = multiprocessing.get_context("spawn")
    answers: multiprocessing.SimpleQueue[dict[str, dict[str, int]]] = spawn.SimpleQueue()
    flooding = spawn.Process(target=_flood, daemon=True,
                             args=(base, time.monotonic() + duration + 3, flood, timeout,
                                   answers))  # (time.monotonic: one clock for all processes)
    flooding.start()
    time.sleep(2.0)  # the flood is under way before the others measure
    _others(base, duration, clients, busy, timeout, pace)
    for kind, counts in answers.get().items():
        flooder.status[kind].update(counts)
    flooding.join()
    return idle, busy, flooder


def render(idle: Tally, busy: Tally, flooder: Tally, command: str, clients: int, flood: int,
           pace: float = PACE) -> tuple[str, bool]:  # fmt: skip
    """The section for RESULTS.md, and whether the target is met for every kind of request
    (and none of the others' requests was refused)."""
    rows, met = [], True
    for kind in sorted(idle.latency):
        before = percentile(idle.latency[kind], 0.95)
        after = percentile(busy.latency.get(kind, [before]), 0.95)
        ratio = after / before if before else 1.0
        met = met and ratio <= TARGET
        rows.append([kind, len(idle.latency[kind]), f"{before * 1000:.0f}",
                     len(busy.latency.get(kind, [])), f"{after * 1000:.0f}", f"{ratio:.2f}×",
                     "met" if ratio <= TARGET else "missed"])  # fmt: skip
    refused = sum(c.get("429", 0) for c in flooder.status.values())
    sent = sum(sum(c.values()) for c in flooder.status.values())
    others_refused = sum(c.get("429", 0) for c in [*idle.status.values(), *busy.status.values()])
    met = met and not others_refused
    lines = [HEADING, "", *Machine.now().lines(), f"- command: `{command}`", "",
             f"{clients} clients send the ordinary mix of bench/soak.py, {pace:g} requests a "
             "second each at most, alone and while one more client floods from "
             f"{flood} threads as fast as they are answered (half of them the runaway cross "
             "product), from a process of its own at the lowest CPU priority (a flooder's own "
             "work is on its machine, not the server's). `plantrace serve` with its default "
             "fair share: 2 workers, so one query at a time per client; 600 queries and 1200 "
             "requests a minute per client; a query past 1 s at the lowest priority. Target: the "
             f"others' p95 within {TARGET:g}× of the idle service's, and none of their requests "
             "refused.", "",
             *table(["request (others)", "n idle", "p95 idle ms", "n under flood",
                     "p95 under flood ms", "ratio", "verdict"], rows),
             "", f"The flooding client sent {sent} requests; {refused} were refused with 429 "
             f"(its share). The others got {others_refused} 429s.", ""]  # fmt: skip
    return "\n".join(lines), met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--flood", type=int, default=16)
    parser.add_argument("--pace", type=float, default=PACE,
                        help="requests a second each of the others sends at most")
    parser.add_argument("--state-dir", type=Path, help="a built store (default: build one)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with served(args.state_dir) as base:
        idle, busy, flooder = measure(base, args.duration, args.clients, args.flood, args.pace)
    used = (f"python bench/fairness.py --duration {args.duration:g} --clients {args.clients} "
            f"--flood {args.flood} --pace {args.pace:g}")  # fmt: skip
    section, met = render(idle, busy, flooder, used, args.clients, args.flood, args.pace)
    print(section)
    if not args.no_record:
        record(section, heading=HEADING)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
