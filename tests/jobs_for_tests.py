"""Jobs for the pool's tests, registered like any job: one kills its worker mid-job, one
reports its worker's CPU priority after a while."""

from __future__ import annotations

import os
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
