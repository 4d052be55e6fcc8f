"""The source documents as published, listed in ``data/sources/manifest.json``.

The manifest names each document (a stable id used in IRIs), describes it (titles, issuer, date,
kind) and pins its bytes with a SHA-256 digest. Reading a document through
:meth:`SourceDocument.read_bytes` checks that digest, so the graph is never built from a file
that differs from the one described.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import PlantraceError

_ISSUED = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


@dataclass(frozen=True)
class Publisher:
    """The body whose documents these are; ``id`` is the IRI path segment (``jlis``)."""

    id: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class SourceDocument:
    """One entry of the manifest; ``path`` is where its bytes are."""

    id: str
    file: str
    title_ja: str
    title_en: str
    issuer: str
    issued: str | None  # "YYYY-MM" or "YYYY-MM-DD"; None when the document prints no date
    kind: str
    form: str
    fiscal_year: int | None
    sha256: str
    publisher: Publisher
    path: Path

    @property
    def issued_date(self) -> date | None:
        """The issue date as a date; a month (``YYYY-MM``) counts from its first day."""
        if self.issued is None:
            return None
        return date.fromisoformat(self.issued if len(self.issued) == 10 else self.issued + "-01")

    def read_bytes(self) -> bytes:
        """The document's bytes, after checking them against the manifest's digest."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise PlantraceError(f"{self.path}: expected a readable file ({exc.strerror})") from exc
        digest = sha256_hex(data)
        if digest != self.sha256:
            raise PlantraceError(
                f"{self.path}: expected SHA-256 {self.sha256} as in the manifest, found {digest}"
            )
        return data

    def read_text(self) -> str:
        """The document's text (UTF-8), after checking its digest."""
        return decode_text(self.read_bytes(), self.path)


@dataclass(frozen=True)
class Manifest:
    """The publisher and the documents, in manifest order."""

    path: Path
    publisher: Publisher
    documents: tuple[SourceDocument, ...]

    def by_sha256(self, digest: str) -> SourceDocument | None:
        """The listed document with these bytes, if any."""
        return next((d for d in self.documents if d.sha256 == digest), None)


def sha256_hex(data: bytes) -> str:
    """Lower-case hexadecimal SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes, path: Path | str) -> str:
    """``data`` as UTF-8 text, or a one-line error naming ``path``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlantraceError(f"{path}: expected UTF-8 text (byte {exc.start} is not)") from exc


def read_manifest_json(path: Path) -> dict[str, Any]:
    """The manifest as JSON, for changing it (:func:`write_atomically` writes it back)."""
    load_manifest(path)  # checked first: a broken manifest is not edited further
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return raw


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, flushed to
    disk, then renamed over it. A failure leaves the previous file as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def manifest_bytes(raw: dict[str, Any]) -> bytes:
    """The manifest's JSON as written: UTF-8, Japanese as is, two-space indent."""
    return (json.dumps(raw, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load_manifest(path: Path) -> Manifest:
    """Read and check the manifest at ``path``; documents are resolved beside it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlantraceError(f"{path}: expected a readable manifest ({exc.strerror})") from exc
    except ValueError as exc:
        raise PlantraceError(f"{path}: expected JSON ({exc})") from exc
    try:
        pub = raw["publisher"]
        publisher = Publisher(str(pub["id"]), str(pub["name_ja"]), str(pub["name_en"]))
        docs = tuple(_document(d, publisher, path) for d in raw["documents"])
    except (KeyError, TypeError) as exc:
        raise PlantraceError(f"{path}: expected a manifest entry with field {exc}") from exc
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise PlantraceError(f"{path}: expected unique document ids, found {ids}")
    return Manifest(path, publisher, docs)


def _document(entry: dict[str, Any], publisher: Publisher, manifest: Path) -> SourceDocument:
    issued = entry["issued"]
    if issued is not None and not _ISSUED.fullmatch(str(issued)):
        raise PlantraceError(
            f"{manifest}: expected issued as YYYY-MM or YYYY-MM-DD, "
            f"found {issued!r} for {entry['id']}"
        )
    if issued is not None:
        try:
            date.fromisoformat(str(issued) if len(str(issued)) == 10 else f"{issued}-01")
        except ValueError:
            raise PlantraceError(
                f"{manifest}: expected issued to be a calendar date, found {issued!r} for "
                f"{entry['id']}"
            ) from None
    year = entry.get("fiscal_year")
    return SourceDocument(
        id=str(entry["id"]),
        file=str(entry["file"]),
        title_ja=str(entry["title_ja"]),
        title_en=str(entry["title_en"]),
        issuer=str(entry["issuer"]),
        issued=None if issued is None else str(issued),
        kind=str(entry["kind"]),
        form=str(entry["form"]),
        fiscal_year=None if year is None else int(year),
        sha256=str(entry["sha256"]).lower(),
        publisher=publisher,
        path=manifest.parent / str(entry["file"]),
    )
