"""Source lines quoted on pages, as published.

A span's lines are read from the source documents (``PLANTRACE_SOURCES``) only when the file's
SHA-256 equals the one the graph records, so the quote is the text the fact was read from.
Quotes, like all document text, are escaped by the HTML templates (:mod:`api.web.html`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from api.views.links import href
from api.views.spans import documents
from kg import queries as q
from kg.queries import QueryFn

QUOTE_LINES = 40
"""Most lines of one span quoted on a page."""


QUOTE_SPANS = 12
"""Most spans quoted on one page."""


@dataclass(frozen=True)
class Quote:
    """Lines of a source document, as published."""

    span: str
    href: str
    document: str
    title: str | None
    file: str | None
    start: int | None
    end: int | None
    lines: list[tuple[int, str]] = field(default_factory=list)
    note: str | None = None  # why there are no lines, or that they were cut


def quotes(run: QueryFn, spans: Sequence[str], sources_dir: Path) -> list[Quote]:
    """The lines of each span, from the source file whose hash the graph records."""
    if not spans:
        return []
    rows = q.select(
        run,
        f"""SELECT ?span ?document ?start ?end WHERE {{
  {q.values("span", (q.iri(s) for s in spans))}
  ?span pt:document ?document .
  OPTIONAL {{ ?span pt:lineStart ?start }} OPTIONAL {{ ?span pt:lineEnd ?end }}
}}""",
    )
    docs = documents(run, {str(r["document"]) for r in rows})
    out = []
    for row in sorted(rows, key=lambda r: (str(r["document"]), r["start"] or 0)):
        span, doc_iri = str(row["span"]), str(row["document"])
        doc = docs.get(doc_iri)
        start = row["start"] if isinstance(row["start"], int) else None
        end = row["end"] if isinstance(row["end"], int) else start
        lines: list[tuple[int, str]] = []
        note = None
        text = _source_lines(str(sources_dir), doc.file, doc.sha256) if doc and doc.file else None
        if text is None:
            note = "the source file is not available here (or differs from the one read)"
        elif start is not None and end is not None:
            last = min(end, start + QUOTE_LINES - 1)
            lines = [(n, text[n - 1]) for n in range(start, last + 1) if 0 < n <= len(text)]
            if last < end:
                note = f"{end - last} more lines not shown"
        out.append(
            Quote(
                span=span, href=href(span), document=doc_iri,
                title=doc.title if doc else None, file=doc.file if doc else None,
                start=start, end=end, lines=lines, note=note,
            )
        )  # fmt: skip
    return out


@lru_cache(maxsize=16)
def _source_lines(sources_dir: str, file: str, sha256: str | None) -> list[str] | None:
    path = Path(sources_dir) / file
    if Path(file).name != file:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        return None
    try:
        return data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
