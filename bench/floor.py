"""Benchmark: the least a FastAPI SPARQL endpoint over pyoxigraph can cost (the profile's floor).

issue 7 asks plantrace's ``/sparql`` to stay within 1.5× of the Oxigraph server. On a query
that takes a millisecond the ratio is set by the fixed cost of a request, so
:mod:`bench.profile` also times this app: the stack the project is built on (uvicorn, FastAPI,
pyoxigraph) with nothing of plantrace's — one route, the query run in the server process on
the event loop, the answer written by pyoxigraph's own serializer. No guard, no time limit,
no row limit, no worker process: not a server to use, only the lower bound of any server on
this stack.

It also serves the files of ``PLANTRACE_FLOOR_STATIC`` under ``/static`` (Starlette's
``StaticFiles``): the least a page can cost, for :mod:`bench.request_cost`.

Run: ``PLANTRACE_FLOOR_STORE=<store dir> uvicorn bench.floor:app --port N``.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from kg.store import PREFIXES

STORE = "PLANTRACE_FLOOR_STORE"
"""The environment variable naming the store directory (opened read-only)."""
STATIC = "PLANTRACE_FLOOR_STATIC"
"""The environment variable naming a directory of files to serve under ``/static``."""

app = FastAPI()
_store = ox.Store.read_only(os.environ[STORE]) if STORE in os.environ else None
if STATIC in os.environ:
    app.mount("/static", StaticFiles(directory=os.environ[STATIC]))


@app.post("/sparql")
async def sparql(request: Request) -> Response:
    """The query of a form-encoded POST (SPARQL 1.1 Protocol §2.1.2), as JSON."""
    assert _store is not None, f"set {STORE}"
    (query,) = parse_qs((await request.body()).decode())["query"]
    answer = _store.query(query, prefixes=PREFIXES)
    if isinstance(answer, ox.QueryBoolean):
        body = b'{"head":{},"boolean":%s}' % (b"true" if answer else b"false")
    else:
        assert isinstance(answer, ox.QuerySolutions)
        written = answer.serialize(format=ox.QueryResultsFormat.JSON)
        assert written is not None  # (None only when given a file to write to)
        body = written
    return Response(body, media_type="application/sparql-results+json")


@app.get("/ready")
async def ready() -> Response:
    return Response(b"ok")
