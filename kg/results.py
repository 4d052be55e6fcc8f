"""Query results as text: an aligned table for people, SPARQL 1.1 JSON and CSV for programs.

JSON and CSV follow the W3C "SPARQL 1.1 Query Results" JSON and CSV formats, so other tools
read them unchanged. The table shortens IRIs with the store's prefixes and pads by display
width, so Japanese (full-width) text lines up.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from kg.store import DISPLAY_PREFIXES, QueryResult, Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def compact(term: Term | None, prefixes: Mapping[str, str] = DISPLAY_PREFIXES) -> str:
    """A short display form: ``pt:GradeA`` for IRIs, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        # Longest namespace first, so ``ptid:`` is not shadowed by a shorter one.
        for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Iterable[Iterable[str]], header: Iterable[str]) -> str:
    """Columns padded to their widest cell (by display width), separated by two spaces."""
    lines = [list(header), *(list(r) for r in rows)]
    widths = [max(_width(line[i]) for line in lines) for i in range(len(lines[0]))]

    def fmt(line: list[str]) -> str:
        cells = [c + " " * (w - _width(c)) for c, w in zip(line, widths, strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(lines[0]), rule, *(fmt(line) for line in lines[1:])])


def to_table(result: QueryResult) -> str:
    if result.boolean is not None:
        return "true" if result.boolean else "false"
    if not result.variables:
        return f"({len(result.rows)} rows)"
    body = table(([compact(t) for t in row] for row in result.rows), result.variables)
    return f"{body}\n({len(result.rows)} rows)"


def json_term(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 Query Results JSON Format (§3.2.2); a quoted triple
    (RDF-star) as its three terms, as SPARQL 1.2 drafts write it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": json_term(term.subject),
            "predicate": json_term(term.predicate),
            "object": json_term(term.object),
        },
    }


def to_json(result: QueryResult) -> str:
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [
        {v: json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def to_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        writer.writerows([_csv_term(t) for t in row] for row in result.rows)
    return out.getvalue()


RENDERERS: dict[str, Callable[[QueryResult], str]] = {
    "table": to_table,
    "json": to_json,
    "csv": to_csv,
}
"""Output formats of ``plantrace query --format``."""
