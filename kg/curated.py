"""Hand-kept facts (``data/curated/facts.json``): what no parser can read reliably.

A curated fact is held to the same standard as a parsed one: it names the document, the lines
and a quote, and the build refuses it unless the quote stands in those lines (white space
ignored, since PDF text breaks lines anywhere). Curated facts become records like a parser's,
go through the same linker (so a curated actual lands on the indicator the reports print) and
into their own named graph, with ``prov:wasDerivedFrom`` pointing at the source lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.errors import PlantraceError
from kg.records import DocumentRecords, Indicator, Observation, Span
from kg.sources import Manifest

CURATED_DOC = "curated"
"""The id the curated records go under (their named graph is ``.../id/graph/curated``)."""

KINDS = ("observation",)
"""The kinds of fact that can be curated so far."""


@dataclass(frozen=True)
class CuratedFact:
    """One hand-kept fact: an actual value of an indicator, with where it is printed."""

    id: str
    kind: str
    span: Span
    quote: str
    item: str
    indicator: str
    year: int
    value: Decimal
    unit: str
    why: str
    statistic: str | None = None
    subject: str | None = None


def load_curated(path: Path) -> list[CuratedFact]:
    """Read and type-check the curated facts; a malformed one is a one-line error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [_fact(f) for f in data["facts"]]
    except OSError as exc:
        raise PlantraceError(f"{path}: expected a readable file ({exc.strerror})") from exc
    except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
        raise PlantraceError(f"{path}: expected curated facts as documented ({exc!r})") from exc


def _fact(f: dict[str, Any]) -> CuratedFact:
    if f["kind"] not in KINDS:
        raise ValueError(f"fact {f['id']}: kind must be one of {KINDS}")
    start, end = f["source"]["lines"]
    return CuratedFact(
        id=str(f["id"]),
        kind=f["kind"],
        span=Span(f["source"]["document"], int(start), int(end)),
        quote=str(f["source"]["quote"]),
        item=str(f["item"]),
        indicator=str(f["indicator"]),
        year=int(f["year"]),
        value=Decimal(str(f["value"])),
        unit=str(f["unit"]),
        why=str(f["why"]),
        statistic=f.get("statistic"),
        subject=f.get("subject"),
    )


_SPACE = re.compile(r"\s+")


def check_quotes(facts: list[CuratedFact], manifest: Manifest) -> None:
    """Every quote must stand in its lines of its document (white space ignored)."""
    documents = {d.id: d for d in manifest.documents}
    for fact in facts:
        source = documents.get(fact.span.doc)
        if source is None:
            raise PlantraceError(f"curated fact {fact.id}: no source document {fact.span.doc!r}")
        lines = source.read_text().split("\n")[fact.span.start - 1 : fact.span.end]
        if _SPACE.sub("", fact.quote) not in _SPACE.sub("", "".join(lines)):
            raise PlantraceError(
                f"{source.path}:{fact.span.start}: curated fact {fact.id}: expected the quote "
                f"{fact.quote!r} in lines {fact.span.start}-{fact.span.end}"
            )


def to_records(facts: list[CuratedFact]) -> DocumentRecords:
    """The curated facts as records (an indicator is named by its label, as the reports do)."""
    records = DocumentRecords(doc=CURATED_DOC, kind="curated")
    for fact in facts:
        records.indicators.append(Indicator(fact.item, fact.indicator, True, fact.span))
        records.observations.append(
            Observation(
                indicator=len(records.indicators) - 1,
                year=fact.year,
                value=fact.value,
                unit=fact.unit,
                text=fact.quote,
                span=fact.span,
                subject=fact.subject,
                statistic=fact.statistic,
            )
        )
    return records
