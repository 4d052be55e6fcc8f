"""A job for the pool's tests: registered like any job, it kills its worker mid-job."""

from __future__ import annotations

import os

from api.jobs import job
from kg.queries import QueryFn


@job
def crash(run: QueryFn) -> None:
    """The worker dies while running it (as one killed for memory would)."""
    os._exit(3)
