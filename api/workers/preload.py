"""What every query worker needs, loaded once in the process workers are forked from.

Workers are started by a *fork server* (:mod:`multiprocessing`, "Contexts and start methods"):
a clean process, started once, that imports this module and forks a worker for each start. A
worker so starts in milliseconds, where a spawned one spent over a second importing pyoxigraph,
rdflib, networkx, Jinja and the views each time (and a worker killed at the time limit is
replaced at once); and the pages holding that code are shared by every worker until written,
where each spawned worker held a copy of its own.

Nothing here opens a store or starts a thread: a store handle or a thread does not survive a
fork, so each worker opens its store itself (:func:`api.workers.worker.main`). Once loaded, the
objects are moved out of the garbage collector's sight (:func:`gc.freeze`), so a collection in a
worker does not write to (and so copy) every page it shares.
"""

from __future__ import annotations

import gc

import networkx  # noqa: F401  (kg.analysis and api.views.drawings import these two when
import pyvis.network  # noqa: F401  first used, to keep them out of the web server: here once)

from api.workers.engine_jobs import import_views

import_views()
gc.freeze()
