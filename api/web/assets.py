"""The pages' static files: their own stylesheet and scripts, and vis-network as pyvis ships it.

Nothing is loaded from another host: ``/static/pages`` serves ``api/web/static`` and
``/static/vis`` the vis-network build inside the installed pyvis package (the graph drawings of
:mod:`api.views.drawings`).

Pages link their static files by :func:`asset_url`, which adds the digest of the file's content
(``?v=…``): a changed file gets a new address, so a browser may keep what it fetched for a year
(``Cache-Control: immutable``) without ever using a stale copy. Asked for without ``v``, a file
may be kept for an hour (:class:`CachedStaticFiles`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

STATIC = Path(__file__).resolve().parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"


def vis_directory() -> Path:
    """The newest vis-network build shipped inside pyvis (``pyvis/templates/lib/vis-*``).

    Found without importing pyvis (``importlib.util.find_spec`` of a top-level package does
    not run it): its ``__init__`` pulls in IPython and networkx, 10 MiB the web server, which
    only serves these files, does not need."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed: the graph drawings need its vis-network")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib"
    found = sorted(
        (p for p in lib.glob("vis-*") if (p / "vis-network.min.js").is_file()),
        key=lambda p: tuple(int(n) for n in p.name[4:].split(".") if n.isdigit()),
    )
    if not found:
        raise RuntimeError(f"{lib}: expected vis-network files shipped with pyvis")
    return found[-1]


class CachedStaticFiles(StaticFiles):
    """Static files with a ``Cache-Control`` header: immutable when asked for by a versioned
    address (``?v=``, :func:`asset_url`), an hour otherwise (RFC 9111, 5.2.2; RFC 8246)."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = IMMUTABLE if versioned else SHORT
        return response


def _directories() -> dict[str, Path]:
    return {"pages": STATIC, "vis": vis_directory()}


@cache
def asset_url(name: str) -> str:
    """``/static/<name>?v=<digest>`` for ``name`` like ``pages/pages.css`` or
    ``vis/vis-network.min.js``; the digest is of the file as it is at start-up."""
    mount, _, rest = name.partition("/")
    data = (_directories()[mount] / rest).read_bytes()
    return f"/static/{name}?v={hashlib.sha256(data).hexdigest()[:12]}"


def mount_static(app: FastAPI) -> None:
    """Serve the pages' own static files and the vis-network files of pyvis."""
    for mount, directory in _directories().items():
        app.mount(f"/static/{mount}", CachedStaticFiles(directory=directory),
                  name=f"{mount}-static")  # fmt: skip
