"""Which store a command uses: the embedded one under the state directory, or a remote one.

``PLANTRACE_STORE`` (a SPARQL endpoint URL) selects the remote store for every command that reads
or writes the store — ``build``, ``validate``, ``query``, ``export``, ``serve``.
:class:`~kg.remote.RemoteGraphStore` is a :class:`~kg.store.GraphStore`, so code written for one
store takes either. An explicit
``--state-dir`` (a ``state_dir`` argument here) always means the embedded store there: a command
line option wins over the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.config import Settings, load_settings
from kg.store import GraphStore
from kg.store import building as building_on_disk


def open_store(state_dir: Path | None = None, settings: Settings | None = None) -> GraphStore:
    """The store to read: embedded under ``state_dir`` if given, else the remote store if
    ``PLANTRACE_STORE`` is set, else the embedded store under ``PLANTRACE_STATE``."""
    settings = settings or load_settings()
    if state_dir is None and settings.store is not None:
        from kg.remote import RemoteGraphStore  # httpx loads for a remote store only

        return RemoteGraphStore(settings.store, timeout=settings.export_timeout)
    return GraphStore.open(state_dir or settings.state_dir)


@contextmanager
def building(state_dir: Path | None = None, settings: Settings | None = None
             ) -> Iterator[GraphStore]:  # fmt: skip
    """A fresh store to fill, published only if the block completes: on disk under
    ``state_dir`` (:func:`kg.store.building`) or, with ``PLANTRACE_STORE`` and no
    ``state_dir``, into the remote store (:func:`kg.remote.building`)."""
    settings = settings or load_settings()
    if state_dir is None and settings.store is not None:
        from kg import remote

        with remote.building(settings.store) as store:
            yield store
    else:
        with building_on_disk(state_dir or settings.state_dir) as store:
            yield store
