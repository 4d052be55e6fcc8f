"""``plantrace serve``: errors a user can fix are one line and exit status 2, before listening."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from servers import REPO, clean_env


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--port", "1", *args],
        env=clean_env(), cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_no_store(tmp_path: Path) -> None:
    r = serve("--state-dir", str(tmp_path))
    assert r.returncode == 2
    assert (
        r.stderr.strip()
        == f"plantrace: error: {tmp_path}: expected a built store (run `plantrace build`)"
    )


def test_bad_dataset_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text("<urn:g> { <urn:a> <urn:b> ", encoding="utf-8")
    r = serve("--dataset", str(bad))
    assert r.returncode == 2 and r.stderr.startswith(f"plantrace: error: {bad}: expected valid")
    assert len(r.stderr.strip().splitlines()) == 1
    r = serve("--dataset", str(tmp_path / "data.xlsx"))
    assert r.returncode == 2 and "expected an RDF file" in r.stderr
    r = serve("--dataset", str(tmp_path / "missing.ttl"))
    assert r.returncode == 2 and "expected a readable" in r.stderr


def test_dataset_and_state_dir_exclude_each_other(tmp_path: Path) -> None:
    r = serve("--dataset", "x.trig", "--state-dir", str(tmp_path))
    assert r.returncode == 2 and "not allowed with" in r.stderr
