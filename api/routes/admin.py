"""``/admin/rebuild``: rebuild the store from the sources while serving, behind a token.

The only endpoint that changes data, so it is off unless ``PLANTRACE_ADMIN_TOKEN`` is set: the
router is not even mounted then (404, exactly like any unknown path). With the token set, a
request must carry ``Authorization: Bearer <token>``; anything else gets 401 (compared in
constant time, so the answer's timing does not reveal how much of a guess was right).

``POST`` starts ``plantrace build`` (:func:`kg.build.build`) in a child process — parsing is
CPU-bound Python, and a child keeps it off the event loop and out of the server's memory — and
answers 202 at once; ``GET`` tells how the last rebuild went. The build is atomic as always
(:func:`kg.store.building`): requests keep being answered from the old store until the new
one is complete, then the worker pool reopens the new one (:meth:`WorkerPool.reopen`). A
failed build leaves the old store in place and its one-line error in ``GET``'s answer. A
server on a ``--dataset`` file has nothing to rebuild (409).
"""

from __future__ import annotations

import asyncio
import hmac
import os
import sys
import time
from dataclasses import asdict, dataclass, field

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from api.deps import get_pool, get_settings
from api.workers.backend import Backend
from api.workers.pool import WorkerPool
from kg.config import (
    ENV_SOURCES,
    ENV_STATE,
    ENV_STORE,
    ENV_STORE_DIALECT,
    ENV_STORE_GSP,
    ENV_STORE_UPDATE,
    RemoteStore,
    Settings,
)

router = APIRouter(prefix="/admin", tags=["admin"], include_in_schema=False)

REBUILD_TIMEOUT = 1800.0
"""Seconds a rebuild may take before its process is killed (the old store stays)."""


@dataclass
class Rebuild:
    """The last rebuild: ``idle`` (none yet), ``running``, ``succeeded`` or ``failed``."""

    state: str = "idle"
    started: float | None = None
    finished: float | None = None
    message: str = ""
    store: str = ""  # what the workers serve afterwards


def authorize(request: Request) -> None:
    """Raise 401 unless the request carries ``Authorization: Bearer <PLANTRACE_ADMIN_TOKEN>``."""
    token = get_settings(request).admin_token or ""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    matches = hmac.compare_digest(given.strip().encode(), token.encode())
    if not token or scheme.lower() != "bearer" or not matches:
        raise HTTPException(
            401,
            "expected Authorization: Bearer <the PLANTRACE_ADMIN_TOKEN of this server>",
            headers={"WWW-Authenticate": 'Bearer realm="plantrace admin"'},
        )


@dataclass
class _Admin:
    """Per-app state: the last rebuild and the task running it."""

    rebuild: Rebuild = field(default_factory=Rebuild)
    task: asyncio.Task[None] | None = None


def _admin(request: Request) -> _Admin:
    found: _Admin | None = getattr(request.app.state, "admin", None)
    if found is None:
        found = request.app.state.admin = _Admin()
    return found


def build_command(backend: Backend, settings: Settings) -> tuple[list[str], dict[str, str]]:
    """The ``plantrace build`` that rebuilds what ``backend`` serves, and its environment."""
    if backend.kind == "dataset":
        raise HTTPException(409, "this server serves a dataset file: there is nothing to rebuild")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANTRACE_")}
    env[ENV_SOURCES] = str(settings.sources_dir)
    command = [sys.executable, "-m", "kg.cli", "build"]
    location = backend.spec.store
    if isinstance(location, RemoteStore):
        env.update({ENV_STORE: location.query, ENV_STORE_UPDATE: location.update,
                    ENV_STORE_GSP: location.gsp, ENV_STORE_DIALECT: location.dialect})  # fmt: skip
    else:
        env[ENV_STATE] = str(location)
        command += ["--state-dir", str(location)]
    return command, env


async def _run(pool: WorkerPool, command: list[str], env: dict[str, str], status: Rebuild) -> None:
    """Run the build; record how it went; make the workers open the new store."""
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await asyncio.wait_for(process.communicate(), REBUILD_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        status.state, status.finished = "failed", time.time()
        status.message = f"the build was stopped after {REBUILD_TIMEOUT:g} s"
        return
    except asyncio.CancelledError:  # the server is stopping: so does the build
        process.kill()
        await process.wait()
        raise
    lines = err.decode("utf-8", "replace").strip().splitlines()
    status.finished = time.time()
    if process.returncode == 0:
        await pool.reopen()
        status.state, status.message = "succeeded", "the new store is served"
        status.store = pool.spec.current()
    else:
        status.state = "failed"
        status.message = (lines[-1] if lines else f"plantrace build exited {process.returncode}")
        status.message += "; the previous store is still served"


@router.post("/rebuild", status_code=202)
async def rebuild(request: Request) -> JSONResponse:
    """Start a rebuild of the store from the sources (202), unless one is running (409)."""
    authorize(request)
    admin = _admin(request)
    if admin.task is not None and not admin.task.done():
        raise HTTPException(409, "a rebuild is running already; see GET /admin/rebuild")
    backend: Backend = request.app.state.backend
    command, env = build_command(backend, get_settings(request))
    status = admin.rebuild = Rebuild("running", time.time(), message="plantrace build is running")
    admin.task = asyncio.create_task(_run(get_pool(request), command, env, status))
    return JSONResponse(asdict(status), 202)


@router.get("/rebuild")
async def rebuild_status(request: Request) -> JSONResponse:
    """How the last rebuild went."""
    authorize(request)
    return JSONResponse(asdict(_admin(request).rebuild))
