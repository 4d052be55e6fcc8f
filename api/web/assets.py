"""The pages' static files: their own stylesheet and scripts, and vis-network as pyvis ships it.

Nothing is loaded from another host: ``/static/pages`` serves ``api/web/static`` and
``/static/vis`` the vis-network build inside the installed pyvis package (the graph drawings of
:mod:`api.views.drawings`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def vis_directory() -> Path:
    """The newest vis-network build shipped inside pyvis (``pyvis/templates/lib/vis-*``)."""
    lib = Path(str(resources.files("pyvis"))) / "templates" / "lib"
    found = sorted(
        (p for p in lib.glob("vis-*") if (p / "vis-network.min.js").is_file()),
        key=lambda p: tuple(int(n) for n in p.name[4:].split(".") if n.isdigit()),
    )
    if not found:
        raise RuntimeError(f"{lib}: expected vis-network files shipped with pyvis")
    return found[-1]


def mount_static(app: FastAPI) -> None:
    """Serve the pages' own static files and the vis-network files of pyvis."""
    app.mount("/static/pages", StaticFiles(directory=STATIC), name="pages-static")
    app.mount("/static/vis", StaticFiles(directory=vis_directory()), name="vis-network")
