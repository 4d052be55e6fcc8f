"""``plantrace add`` and ``remove``: a source document into or out of ``data/sources``.

Policy staff add next year's report or a revised plan without editing ``manifest.json`` by
hand. ``add`` reads the document first — its kind detected from its content as ``ingest``
does, its title, issue date and fiscal year from the text unless given — and refuses, with one
line and nothing changed, a file it cannot read, a document no parser accepts, one whose bytes
or id the manifest already holds, or an issue date that is no date. Then it copies the bytes
unchanged beside the manifest and writes the manifest entry with their SHA-256; each file is
written whole or not at all (:func:`kg.sources.write_atomically`), the copy before the entry, and
the copy is taken back when the entry cannot be written. It says what the next ``build`` will
change: a new document, or a new version of what earlier documents state, with the clauses
and indicators it revises, adds and drops (:mod:`kg.versions`, computed on the documents in
memory). ``remove`` takes an entry and its file out again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from kg.build import curated_records, link_documents, parse_document
from kg.errors import ParseError, PlantraceError
from kg.ingest import known_kinds, parser_for
from kg.ingest.plan_alone import title_lines
from kg.records import DocumentRecords
from kg.sources import (
    Manifest,
    SourceDocument,
    decode_text,
    load_manifest,
    manifest_bytes,
    read_manifest_json,
    sha256_hex,
    write_atomically,
)
from kg.text import squash

_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")
_LEVELS = {"goal": "mid-term goal", "plan": "mid-term plan", "annual": "annual plan",
           "indicator": "indicators"}  # fmt: skip


@dataclass
class Added:
    """What ``add`` did and what the next build will change."""

    source: SourceDocument
    lines: list[str]

    def render(self) -> str:
        return "\n".join(self.lines)


def add(
    path: Path,
    manifest_path: Path,
    issued: str | None = None,
    title: str | None = None,
    fiscal_year: int | None = None,
    doc_id: str | None = None,
) -> Added:
    """Copy the document at ``path`` beside the manifest and list it (see the module doc)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlantraceError(f"{path}: expected a readable file ({exc.strerror})") from exc
    text = decode_text(data, path)
    parser = parser_for(text)
    if parser is None:
        kinds = ", ".join(known_kinds())
        raise PlantraceError(f"{path}: expected a document of a known kind ({kinds})")
    manifest = load_manifest(manifest_path)
    digest = sha256_hex(data)
    listed = manifest.by_sha256(digest)
    if listed is not None:
        raise PlantraceError(f"{path}: already in the manifest as {listed.id} ({listed.file})")
    try:
        records = parser.parse(text, doc_id or "new")
    except ParseError as exc:
        where = f"{path}:{exc.line}" if exc.line is not None else str(path)
        raise PlantraceError(f"{where}: {exc.message}") from exc
    issued = issued or _printed_date(records)
    year = fiscal_year if fiscal_year is not None else records.year
    ident = doc_id or _NOT_ID.sub("-", f"{parser.KIND}-{issued or year or digest[:8]}")
    if any(d.id == ident for d in manifest.documents):
        raise PlantraceError(f"{path}: the manifest already has a document {ident} (give --id)")
    entry = {
        "id": ident,
        "file": f"{len(manifest.documents):03d}_{digest[:16]}{path.suffix or '.txt'}",
        "title_ja": title or _title(text) or path.stem,
        "title_en": "",
        "issuer": manifest.publisher.name_ja,
        "issued": issued,
        "kind": parser.KIND,
        "form": "Markdown" if path.suffix.lower() == ".md" else "text",
        "fiscal_year": year,
        "sha256": digest,
    }
    raw = read_manifest_json(manifest_path)
    raw["documents"].append(entry)
    target = manifest_path.parent / str(entry["file"])
    new_manifest = _checked(raw, manifest_path)
    source = next(d for d in new_manifest.documents if d.id == ident)
    lines = [f"added {ident}: {target.name} ({parser.KIND}, issued {issued or 'not printed'}"
             f", fiscal year {year or '-'}), SHA-256 {digest}"]  # fmt: skip
    lines += _what_build_changes(new_manifest, source, replace(records, doc=ident))
    write_atomically(target, data)
    try:
        write_atomically(manifest_path, manifest_bytes(raw))
    except OSError:
        target.unlink(missing_ok=True)
        raise
    return Added(source, lines)


def remove(doc_id: str, manifest_path: Path) -> str:
    """Take document ``doc_id`` out of the manifest and its file out of the folder."""
    manifest = load_manifest(manifest_path)
    found = next((d for d in manifest.documents if d.id == doc_id), None)
    if found is None:
        ids = ", ".join(d.id for d in manifest.documents)
        raise PlantraceError(f"{manifest_path}: expected a document id, one of {ids}")
    raw = read_manifest_json(manifest_path)
    raw["documents"] = [d for d in raw["documents"] if d.get("id") != doc_id]
    write_atomically(manifest_path, manifest_bytes(raw))
    if not any(d.file == found.file for d in manifest.documents if d.id != doc_id):
        found.path.unlink(missing_ok=True)
    return (
        f"removed {doc_id} ({found.file}); build will drop its graph and what it changed in "
        "earlier documents"
    )


def _checked(raw: dict[str, Any], manifest_path: Path) -> Manifest:
    """The manifest ``raw`` would be, checked as ``build`` checks it (nothing is written)."""
    tmp = manifest_path.with_name(f".{manifest_path.name}.check")
    try:
        tmp.write_bytes(manifest_bytes(raw))
        return replace(load_manifest(tmp), path=manifest_path)
    finally:
        tmp.unlink(missing_ok=True)


def _printed_date(records: DocumentRecords) -> str | None:
    """The date the document prints about itself (its approval, its opinion), if any."""
    days: list[date] = [d.value for d in records.dates]
    days += [o.issued for o in records.opinions]
    return min(days).isoformat() if days else None


def _title(text: str) -> str:
    """The title as printed: a plan's title lines, else the first printed line."""
    lines = title_lines(text) or [next((x for x in text.splitlines() if x.strip()), "")]
    return squash(" ".join(lines).lstrip("# "))


def _what_build_changes(
    manifest: Manifest, source: SourceDocument, records: DocumentRecords
) -> list[str]:
    """What the next build does with the new document, from the documents read in memory."""
    others = [d for d in manifest.documents if d.id != source.id]
    parsed = [parse_document(d, d.read_text()) for d in others]
    earlier = [p.records for p in parsed if p.records is not None]
    curated, _ = curated_records(manifest)
    _, changes = link_documents(manifest, [*earlier, records], curated)
    stated = {"indicator" if records.indicators else ""} | {c.level for c in records.clauses}
    levels = [lv for lv in _LEVELS if lv in stated]
    same = sorted(
        {r.doc for r in earlier for lv in levels
         if any(c.level == lv for c in r.clauses) or (lv == "indicator" and r.indicators)}
    )  # fmt: skip
    named = ", ".join(_LEVELS[lv] for lv in levels) or "nothing that earlier documents state"
    if same:
        lines = [f"build will read it as a new version of the {named} stated by {', '.join(same)}"]
    else:
        lines = [f"build will read it as a new document ({named})"]
    mine = changes.of(source.id)
    counts = {k: sum(1 for c in mine if c.change == k) for k in ("revised", "added", "dropped")}
    lines.append(", ".join(f"{n} {k}" for k, n in counts.items()))
    lines += [c.render() for c in mine]
    return lines
