"""Faults: processes killed mid-write, and state directories that cannot be written.

* ``kill -9`` of ``plantrace build`` in the middle of a real build, and of ``plantrace ingest
  -o FILE`` in the middle of writing FILE (killed from inside at the write, so the moment is
  certain): the store opens with the previous data, FILE holds its previous bytes.
* A state directory that is a regular file (a real subprocess), read-only or full: one line
  ``plantrace: error: <dir>: expected a writable directory …`` and exit 2. Read-only and full
  are *simulated* by raising ``OSError(EROFS)`` / ``OSError(ENOSPC)`` where the store is written
  (running as root, as CI does, ``chmod`` does not stop writes), and, where the test may mount
  file systems (root with ``CAP_SYS_ADMIN``), also done for real on a small or read-only tmpfs.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import fake_parser
import pyoxigraph as ox
import pytest
from conftest import FAKE_TEXTS, REPO, SOURCES, write_sources

from kg.build import build
from kg.errors import PlantraceError
from kg.store import STORE_LINK, GraphStore

SELF_EVALUATION = SOURCES / "002_753d1335b09003db.txt"
"""A document ``plantrace ingest`` reads in well under a second."""


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=300,
    )  # fmt: skip


def one_line_error(proc: subprocess.CompletedProcess[str], where: Path, expected: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"plantrace: error: {where}: expected {expected}"), lines[0]


def size(state: Path) -> int:
    store = GraphStore.open(state)
    try:
        return len(store)
    finally:
        store.close()


# --- kill -9 -----------------------------------------------------------------------------------


def test_build_killed_midway_leaves_the_previous_store(built_state: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    shutil.copytree(built_state, state, symlinks=True)
    before, expected = os.readlink(state / STORE_LINK), size(state)
    old = set(state.glob("store-*"))
    build_ = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "build", "--state-dir", str(state)], cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not set(state.glob("store-*")) - old:  # the new store is being written
            assert build_.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        build_.send_signal(signal.SIGKILL)
    finally:
        build_.wait(30)
    assert build_.returncode == -signal.SIGKILL
    assert os.readlink(state / STORE_LINK) == before
    assert size(state) == expected


INGEST_KILLED_AT = """
import os, signal, sys
import kg.store

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

{patch}
from kg.cli import main
sys.exit(main(["ingest", sys.argv[1], "-o", sys.argv[2]]))
"""

HALF_WRITE = """
real_open = open
class HalfWritten:
    def __init__(self, file): self.file = file
    def __enter__(self): return self
    def __exit__(self, *exc): self.file.close()
    def write(self, data):
        self.file.write(data[: len(data) // 2]); self.file.flush(); os.fsync(self.file.fileno())
        killed()
kg.store.open = lambda path, mode="r", *a, **k: (
    HalfWritten(real_open(path, mode, *a, **k)) if "x" in mode else real_open(path, mode, *a, **k))
"""


@pytest.mark.parametrize(
    "patch",
    [HALF_WRITE, "kg.store.os.replace = killed"],
    ids=["in the middle of writing", "before the rename"],
)
def test_ingest_killed_while_writing_leaves_the_previous_file(tmp_path: Path, patch: str) -> None:
    out = tmp_path / "out.ttl"
    out.write_text("# the previous export\n", encoding="utf-8")
    script = INGEST_KILLED_AT.format(patch=textwrap.dedent(patch))
    state = tmp_path / "state"
    proc = subprocess.run(
        [sys.executable, "-c", script, str(SELF_EVALUATION), str(out)], cwd=REPO,
        capture_output=True, env={**os.environ, "PLANTRACE_STATE": str(state)}, timeout=120,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert out.read_text(encoding="utf-8") == "# the previous export\n"
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".out.ttl.")]
    assert len(leftovers) == 1  # the dead write's hidden temporary file, never FILE itself
    assert not state.exists()  # ingest never touches the store
    done = cli("ingest", str(SELF_EVALUATION), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))) > 1000


# --- state directories that cannot be written ---------------------------------------------------


def test_state_dir_that_is_a_file(tmp_path: Path) -> None:
    plain = tmp_path / "not-a-directory"
    plain.write_text("x", encoding="utf-8")
    one_line_error(cli("build", "--state-dir", str(plain)), plain, "a writable directory")
    under = plain / "state"
    one_line_error(cli("build", "--state-dir", str(under)), under, "a writable directory")
    assert plain.read_text(encoding="utf-8") == "x"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    build(tmp_path / "state", write_sources(tmp_path / "sources", FAKE_TEXTS), [fake_parser])
    return tmp_path / "state"


def _fail_with(code: int) -> OSError:
    return OSError(code, os.strerror(code))


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EDQUOT])
def test_unwritable_store_is_a_one_line_error(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """Simulated: the store's first write fails (read-only, full, not ours, over quota)."""
    before, expected = os.readlink(state / STORE_LINK), size(state)
    calls = 0

    def failing(self: GraphStore, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        raise _fail_with(code)

    monkeypatch.setattr(GraphStore, "replace_graph", failing)
    manifest = write_sources(tmp_path / "again", FAKE_TEXTS)
    with pytest.raises(PlantraceError) as raised:
        build(state, manifest, [fake_parser])
    message = str(raised.value)
    assert calls == 1 and "\n" not in message
    assert message == (
        f"{state}: expected a writable directory with free space for the store "
        f"({os.strerror(code)})"
    )
    assert os.readlink(state / STORE_LINK) == before and size(state) == expected
    assert [p.name for p in state.glob("store-*")] == [before]  # the failed one is removed


def test_unwritable_state_dir_at_each_step(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated EROFS where the directory, the store and the link are made."""
    manifest = write_sources(tmp_path / "again", FAKE_TEXTS)
    before = os.readlink(state / STORE_LINK)
    for target in ("kg.store.ox.Store", "kg.store.os.symlink"):
        with monkeypatch.context() as m:
            m.setattr(target, lambda *a, **k: (_ for _ in ()).throw(_fail_with(errno.EROFS)))
            with pytest.raises(PlantraceError, match=r"expected a writable directory .*Read-only"):
                build(state, manifest, [fake_parser])
        assert os.readlink(state / STORE_LINK) == before
        assert [p.name for p in state.glob("store-*")] == [before]
    fresh = tmp_path / "new"
    with monkeypatch.context() as m:
        m.setattr(Path, "mkdir", lambda *a, **k: (_ for _ in ()).throw(_fail_with(errno.EROFS)))
        with pytest.raises(PlantraceError, match=r"new: expected a writable directory"):
            build(fresh, manifest, [fake_parser])


def test_export_to_a_read_only_place_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated EROFS (regression: on a read-only file system the clean-up of the temporary
    file failed too, and its error, naming the temporary file, replaced the real one)."""
    out = tmp_path / "out.ttl"
    monkeypatch.setattr("kg.store.open", lambda *a, **k: (_ for _ in ()).throw(
        OSError(errno.EROFS, os.strerror(errno.EROFS), str(a[0]))), raising=False)  # fmt: skip
    monkeypatch.setattr(Path, "unlink", lambda *a, **k: (_ for _ in ()).throw(
        OSError(errno.EROFS, os.strerror(errno.EROFS))))  # fmt: skip
    with pytest.raises(PlantraceError) as raised:
        GraphStore.memory().export(out)
    assert str(raised.value) == f"{out}: expected a writable file (Read-only file system)"


# --- for real, on a small or read-only tmpfs (where mounting is allowed) ------------------------


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[object]:
    """Mount a tmpfs with the given options at a fresh directory; skip where not allowed."""
    mounted: list[Path] = []

    def mount_(options: str) -> Path:
        where = tmp_path / f"mnt{len(mounted)}"
        where.mkdir()
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
            capture_output=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.decode().strip()})")
        mounted.append(where)
        return where

    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    yield mount_
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_full_and_read_only_file_systems_for_real(mount: object, tmp_path: Path) -> None:
    assert callable(mount)
    sources = write_sources(tmp_path / "sources", FAKE_TEXTS).parent
    env = {"PLANTRACE_SOURCES": str(sources)}
    full = mount("size=256k") / "state"
    one_line_error(cli("build", "--state-dir", str(full), env=env), full, "a writable directory")
    assert [p.name for p in full.iterdir()] == ["build.lock"]  # the partial store is removed
    read_only = mount("ro,size=64k")
    state = read_only / "state"
    one_line_error(cli("build", "--state-dir", str(state), env=env), state, "a writable directory")
    out = read_only / "out.ttl"
    one_line_error(cli("ingest", str(SELF_EVALUATION), "-o", str(out)), out, "a writable file")
