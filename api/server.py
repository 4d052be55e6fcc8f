"""``plantrace serve``: prepare the backend, start the query workers, run the app on uvicorn.

Start-up is on the critical path of every deployment and restart, so the order matters: the
process query workers are forked from is started first (it loads their code: about a second,
:mod:`api.workers.preload`), then the backend is checked (one-line errors,
:mod:`api.workers.backend`), the first query worker is launched, and only then is the web stack
imported (FastAPI, the routes, the page templates: most of a second). These run in parallel;
the app's start-up then only waits for what is left of them, and the other workers start once
the first is ready (:meth:`api.workers.pool.WorkerPool.start`).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from api.workers.backend import prepare_backend
from api.workers.pool import WorkerPool, start_fork_server
from kg.config import Settings


def serve(settings: Settings, state_dir: Path | None = None) -> None:
    """Serve until interrupted; raises :class:`~kg.errors.PlantraceError` (one line) when the
    store or dataset cannot be opened."""
    start_fork_server()
    backend = prepare_backend(settings, state_dir)
    pool = WorkerPool(backend.spec, settings.workers, long_query=settings.long_query)
    try:
        pool.launch()
        import uvicorn

        from api.main import create_app

        app = create_app(settings, backend, pool)
        logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
        access = logging.getLogger("plantrace.access")  # one line a request, as it is
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False
        # the request log replaces uvicorn's access log; a trusted proxy's X-Forwarded-For
        # names the client (for the log and the fair share)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                    timeout_graceful_shutdown=5, access_log=False, proxy_headers=True,
                    forwarded_allow_ips=settings.trusted_proxies)  # fmt: skip
    finally:
        pool.kill()
        backend.close()
