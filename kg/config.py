"""Settings, read from the environment so one installed copy can serve several data sets.

Every setting has a default that works in a fresh clone, so nothing needs to be set to run the
README commands. Settings are read when :func:`load_settings` is called (not at import time), so
tests and subprocesses can point a run elsewhere through the environment alone. Command-line
options (``--state-dir``, ``--port`` …) override the matching setting for one run.

=================================  =========================================  ======================
variable                           meaning                                    default
=================================  =========================================  ======================
``PLANTRACE_STATE``                directory holding the built store          ``state`` in the repo
``PLANTRACE_SOURCES``              directory with ``manifest.json`` and the   ``data/sources`` in
                                   source documents it lists                  the repo
``PLANTRACE_STORE``                SPARQL query endpoint of an existing       (empty: the embedded
                                   triple store to use instead of the         store under
                                   embedded one                               ``PLANTRACE_STATE``)
``PLANTRACE_STORE_UPDATE``         its SPARQL Update endpoint                 derived from
                                                                              ``PLANTRACE_STORE``
``PLANTRACE_STORE_GSP``            its Graph Store Protocol endpoint          derived from
                                                                              ``PLANTRACE_STORE``
``PLANTRACE_STORE_DIALECT``        what kind of store it is: ``oxigraph``,    (empty: detected)
                                   ``virtuoso``, ``fuseki`` or ``generic``
``PLANTRACE_DATASET``              an RDF dataset file ``serve`` serves       (empty: the store)
                                   instead of the store
``PLANTRACE_HOST``                 address ``serve`` listens on               ``127.0.0.1``
``PLANTRACE_PORT``                 port ``serve`` listens on                  ``8000``
``PLANTRACE_QUERY_TIMEOUT``        seconds a query may run before it is       ``10``
                                   stopped (HTTP 503)
``PLANTRACE_EXPORT_TIMEOUT``       seconds a whole-dataset download may take  ``60``
``PLANTRACE_ROW_LIMIT``            most rows (or triples) one SPARQL answer   ``10000``
                                   holds; more are cut and marked truncated
``PLANTRACE_MAX_BODY``             largest request body (and query string),   ``1048576``
                                   in bytes (HTTP 413 above)
``PLANTRACE_WORKERS``              query worker processes                     ``2``
``PLANTRACE_WORKER_MEMORY``        address-space limit of one query worker,   ``4096``
                                   in MiB (0: no limit)
``PLANTRACE_ADMIN_TOKEN``          bearer token that enables                  (empty: no admin
                                   ``POST /admin/rebuild``; keep it secret    endpoints at all)
``PLANTRACE_BASE_URL``             the public URL the service is reached at   (empty: as requested)
                                   (``https://…`` turns on HSTS)
``PLANTRACE_FRAME_ANCESTORS``      who may frame the pages (CSP               ``'none'``
                                   ``frame-ancestors``)
``PLANTRACE_TRUSTED_PROXIES``      addresses whose ``X-Forwarded-For`` names  ``127.0.0.1``
                                   the client
``PLANTRACE_LOG_FORMAT``           request log lines: ``json`` or ``plain``   ``json``
``PLANTRACE_CLIENT_CONCURRENCY``   queries one client may have running at     workers − 1, at least
                                   once (0: no limit)                         1
``PLANTRACE_CLIENT_RATE``          queries one client may send per minute     ``600``
                                   (0: no limit)
``PLANTRACE_CLIENT_REQUESTS``      requests of any kind one client may send   ``1200``
                                   per minute (0: no limit)
``PLANTRACE_LONG_QUERY``           seconds after which a query runs at the    ``1``
                                   lowest CPU priority (0: never)
``PLANTRACE_CACHE_BYTES``          answers kept in memory until the next      ``33554432``
                                   build, in bytes (0: none kept)
=================================  =========================================  ======================

The remote update and Graph Store endpoints, when unset, follow the store's dialect
(:mod:`kg.dialects`): Oxigraph ``…/update`` and ``…/store`` beside ``…/query``, Fuseki
``…/update`` and ``…/data``, Virtuoso the query endpoint and ``/sparql-graph-crud``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kg.errors import PlantraceError

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
"""The repository (or editable install) root: the parent of the ``kg`` package."""

SHAPES_DIR: Path = REPO_ROOT / "shapes"
"""Where the shapes live: ``<repo>/shapes/*.ttl``, one file per concern (:mod:`kg.validate`;
:mod:`kg.queries` runs the suspect-link constraint of ``versions.ttl`` itself)."""

ENV_STATE = "PLANTRACE_STATE"
ENV_SOURCES = "PLANTRACE_SOURCES"
ENV_STORE = "PLANTRACE_STORE"
ENV_STORE_UPDATE = "PLANTRACE_STORE_UPDATE"
ENV_STORE_GSP = "PLANTRACE_STORE_GSP"
ENV_STORE_DIALECT = "PLANTRACE_STORE_DIALECT"
ENV_DATASET = "PLANTRACE_DATASET"
ENV_HOST = "PLANTRACE_HOST"
ENV_PORT = "PLANTRACE_PORT"
ENV_QUERY_TIMEOUT = "PLANTRACE_QUERY_TIMEOUT"
ENV_EXPORT_TIMEOUT = "PLANTRACE_EXPORT_TIMEOUT"
ENV_ROW_LIMIT = "PLANTRACE_ROW_LIMIT"
ENV_MAX_BODY = "PLANTRACE_MAX_BODY"
ENV_WORKERS = "PLANTRACE_WORKERS"
ENV_WORKER_MEMORY = "PLANTRACE_WORKER_MEMORY"
ENV_ADMIN_TOKEN = "PLANTRACE_ADMIN_TOKEN"
ENV_BASE_URL = "PLANTRACE_BASE_URL"
ENV_FRAME_ANCESTORS = "PLANTRACE_FRAME_ANCESTORS"
ENV_TRUSTED_PROXIES = "PLANTRACE_TRUSTED_PROXIES"
ENV_LOG_FORMAT = "PLANTRACE_LOG_FORMAT"
ENV_CLIENT_CONCURRENCY = "PLANTRACE_CLIENT_CONCURRENCY"
ENV_CLIENT_RATE = "PLANTRACE_CLIENT_RATE"
ENV_CLIENT_REQUESTS = "PLANTRACE_CLIENT_REQUESTS"
ENV_LONG_QUERY = "PLANTRACE_LONG_QUERY"
ENV_CACHE_BYTES = "PLANTRACE_CACHE_BYTES"
LOG_FORMATS = ("json", "plain")


@dataclass(frozen=True)
class RemoteStore:
    """An existing triple store as the settings name it: its SPARQL 1.1 query endpoint, and its
    update and Graph Store endpoints and dialect when set (``""``: follow from the dialect, which
    is detected when unset; :mod:`kg.dialects`)."""

    query: str
    update: str = ""
    gsp: str = ""
    dialect: str = ""


@dataclass(frozen=True)
class Settings:
    """Where plantrace reads its inputs and keeps its state, and how ``serve`` behaves."""

    state_dir: Path
    sources_dir: Path
    store: RemoteStore | None = None
    dataset: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0
    export_timeout: float = 60.0
    row_limit: int = 10_000
    max_body: int = 1_048_576
    workers: int = 2
    worker_memory_mib: int = 4096
    admin_token: str | None = field(default=None, repr=False)  # never in logs or reprs
    base_url: str | None = None
    frame_ancestors: str = "'none'"
    trusted_proxies: str = "127.0.0.1"
    log_format: str = "json"
    client_concurrency: int | None = None
    """``None``: the default, one less than the workers (at least 1); 0: no limit."""
    client_rate: int = 600
    client_requests: int = 1200
    long_query: float = 1.0
    cache_bytes: int = 32 * 1024 * 1024

    @property
    def https(self) -> bool:
        """Whether the service is told it is served over HTTPS (its public URL is ``https:``)."""
        return (self.base_url or "").lower().startswith("https://")

    @property
    def concurrency_per_client(self) -> int:
        """How many queries one client may have running at once (0: no limit): by default one
        less than the workers, so that one client can never hold them all."""
        if self.client_concurrency is not None:
            return self.client_concurrency
        return max(1, self.workers - 1)

    @property
    def manifest_path(self) -> Path:
        """The manifest listing the source documents (``<sources_dir>/manifest.json``)."""
        return self.sources_dir / "manifest.json"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: ``os.environ``); unset or empty variables take defaults.

    A value that is not a number where one is expected raises :class:`PlantraceError`.
    """
    env = os.environ if env is None else env

    def path(name: str, default: Path) -> Path:
        value = env.get(name, "")
        return Path(value).expanduser() if value else default

    def number(name: str, default: float, low: float) -> float:
        value = env.get(name, "").strip()
        if not value:
            return default
        try:
            parsed = float(value)
        except ValueError:
            raise PlantraceError(f"{name}: expected a number, got {value!r}") from None
        if parsed < low:
            raise PlantraceError(f"{name}: expected a number of at least {low:g}, got {value!r}")
        return parsed

    log_format = env.get(ENV_LOG_FORMAT, "").strip().lower() or "json"
    if log_format not in LOG_FORMATS:
        raise PlantraceError(f"{ENV_LOG_FORMAT}: expected json or plain, got {log_format!r}")
    base_url = env.get(ENV_BASE_URL, "").strip() or None
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise PlantraceError(
                f"{ENV_BASE_URL}: expected the public http(s) URL of the service, such as "
                f"https://www.example.lg.jp/plantrace/, got {base_url!r}"
            )
    concurrency = env.get(ENV_CLIENT_CONCURRENCY, "").strip()
    store_url = env.get(ENV_STORE, "").strip()
    dataset = env.get(ENV_DATASET, "").strip()
    return Settings(
        state_dir=path(ENV_STATE, REPO_ROOT / "state"),
        sources_dir=path(ENV_SOURCES, REPO_ROOT / "data" / "sources"),
        store=RemoteStore(
            store_url,
            env.get(ENV_STORE_UPDATE, "").strip(),
            env.get(ENV_STORE_GSP, "").strip(),
            env.get(ENV_STORE_DIALECT, "").strip().lower(),
        )
        if store_url
        else None,
        dataset=Path(dataset).expanduser() if dataset else None,
        host=env.get(ENV_HOST, "").strip() or "127.0.0.1",
        port=int(number(ENV_PORT, 8000, 0)),
        query_timeout=number(ENV_QUERY_TIMEOUT, 10.0, 0.1),
        export_timeout=number(ENV_EXPORT_TIMEOUT, 60.0, 0.1),
        row_limit=int(number(ENV_ROW_LIMIT, 10_000, 1)),
        max_body=int(number(ENV_MAX_BODY, 1_048_576, 1024)),
        workers=int(number(ENV_WORKERS, 2, 1)),
        worker_memory_mib=int(number(ENV_WORKER_MEMORY, 4096, 0)),
        admin_token=env.get(ENV_ADMIN_TOKEN, "").strip() or None,
        base_url=base_url,
        frame_ancestors=env.get(ENV_FRAME_ANCESTORS, "").strip() or "'none'",
        trusted_proxies=env.get(ENV_TRUSTED_PROXIES, "").strip() or "127.0.0.1",
        log_format=log_format,
        client_concurrency=int(number(ENV_CLIENT_CONCURRENCY, 0, 0)) if concurrency else None,
        client_rate=int(number(ENV_CLIENT_RATE, 600, 0)),
        client_requests=int(number(ENV_CLIENT_REQUESTS, 1200, 0)),
        long_query=number(ENV_LONG_QUERY, 1.0, 0),
        cache_bytes=int(number(ENV_CACHE_BYTES, 32 * 1024 * 1024, 0)),
    )
