"""The manifest describes the source documents and pins their bytes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO, SOURCES

from kg.errors import PlantraceError
from kg.sources import Manifest, load_manifest

SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(SOURCES / "manifest.json")


def test_manifest_lists_documents(manifest: Manifest) -> None:
    assert manifest.publisher.id == "jlis"
    assert len(manifest.documents) >= 5
    ids = [d.id for d in manifest.documents]
    assert len(set(ids)) == len(ids)
    for doc in manifest.documents:
        assert doc.publisher is manifest.publisher
        assert doc.title_ja and doc.title_en and doc.kind
        assert doc.issued is None or len(doc.issued) in (7, 10)


def test_every_file_matches_its_hash(manifest: Manifest) -> None:
    for doc in manifest.documents:
        data = doc.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == doc.sha256, doc.file
        assert doc.read_bytes() == data
        assert doc.read_text()


def test_every_file_in_folder_is_listed(manifest: Manifest) -> None:
    listed = {d.file for d in manifest.documents}
    present = {p.name for p in SOURCES.iterdir() if p.name != "manifest.json"}
    assert present == listed


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no ../shared/seeds beside the repository")
def test_files_equal_the_seeds(manifest: Manifest) -> None:
    for doc in manifest.documents:
        assert doc.path.read_bytes() == (SEEDS / doc.file).read_bytes(), doc.file


def test_hash_mismatch_is_one_line_error(manifest: Manifest, tmp_path: Path) -> None:
    doc = manifest.documents[0]
    copy = tmp_path / doc.file
    copy.write_bytes(doc.path.read_bytes() + b"x")
    with pytest.raises(PlantraceError) as err:
        replace(doc, path=copy).read_bytes()
    message = str(err.value)
    assert message.startswith(f"{copy}: expected SHA-256 {doc.sha256}")
    assert "\n" not in message


def test_missing_file_is_an_error(manifest: Manifest, tmp_path: Path) -> None:
    with pytest.raises(PlantraceError, match="expected a readable file"):
        replace(manifest.documents[0], path=tmp_path / "gone.txt").read_bytes()


def _write(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_bad_manifests(tmp_path: Path) -> None:
    good = json.loads((SOURCES / "manifest.json").read_text(encoding="utf-8"))
    with pytest.raises(PlantraceError, match="expected a readable manifest"):
        load_manifest(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(PlantraceError, match="expected JSON"):
        load_manifest(tmp_path / "bad.json")
    del good["documents"][0]["sha256"]
    with pytest.raises(PlantraceError, match="expected a manifest entry with field 'sha256'"):
        load_manifest(_write(tmp_path, good))
    good["documents"][0]["sha256"] = "0" * 64
    good["documents"][0]["issued"] = "令和4年6月"
    with pytest.raises(PlantraceError, match="expected issued as YYYY-MM or YYYY-MM-DD"):
        load_manifest(_write(tmp_path, good))
    good["documents"][0]["issued"] = None
    good["documents"][1]["id"] = good["documents"][0]["id"]
    with pytest.raises(PlantraceError, match="expected unique document ids"):
        load_manifest(_write(tmp_path, good))


def test_by_sha256(manifest: Manifest) -> None:
    doc = manifest.documents[2]
    assert manifest.by_sha256(doc.sha256) == doc
    assert manifest.by_sha256("0" * 64) is None
