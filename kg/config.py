"""Settings, read from the environment so one installed copy can serve several data sets.

Every setting has a default that works in a fresh clone, so nothing needs to be set to run the
README commands. Settings are read when :func:`load_settings` is called (not at import time), so
tests and subprocesses can point a run elsewhere through the environment alone.

======================  ==========================================  ===========================
variable                meaning                                     default
======================  ==========================================  ===========================
``PLANTRACE_STATE``     directory holding the built store           ``<repo>/state``
``PLANTRACE_SOURCES``   directory with ``manifest.json`` and the    ``<repo>/data/sources``
                        source documents it lists
======================  ==========================================  ===========================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
"""The repository (or editable install) root: the parent of the ``kg`` package."""

ENV_STATE = "PLANTRACE_STATE"
ENV_SOURCES = "PLANTRACE_SOURCES"


@dataclass(frozen=True)
class Settings:
    """Where plantrace reads its inputs and keeps its state."""

    state_dir: Path
    sources_dir: Path

    @property
    def manifest_path(self) -> Path:
        """The manifest listing the source documents (``<sources_dir>/manifest.json``)."""
        return self.sources_dir / "manifest.json"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: ``os.environ``); unset or empty variables take defaults."""
    env = os.environ if env is None else env

    def path(name: str, default: Path) -> Path:
        value = env.get(name, "")
        return Path(value).expanduser() if value else default

    return Settings(
        state_dir=path(ENV_STATE, REPO_ROOT / "state"),
        sources_dir=path(ENV_SOURCES, REPO_ROOT / "data" / "sources"),
    )
