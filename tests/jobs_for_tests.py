"""Jobs for the pool's tests, registered like any job: one kills its worker mid-job, one
reports its worker's CPU priority after a while, one what it has loaded."""

from __future__ import annotations

import os
import sys
import time

from api.jobs import job
from kg.queries import QueryFn


@job
def crash(run: QueryFn) -> None:
    """The worker dies while running it (as one killed for memory would)."""
    os._exit(3)


@job
def niceness_after(run: QueryFn, seconds: float) -> int:
    """The worker's nice value once ``seconds`` have passed (as a long query would take)."""
    time.sleep(seconds)
    return os.nice(0)


@job
def loaded(run: QueryFn, prefix: str) -> list[str]:
    """The modules under ``prefix`` the worker has loaded."""
    return sorted(m for m in sys.modules if m.startswith(prefix))
