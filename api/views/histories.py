"""What later documents changed about items: each clause's and indicator's versions with their
periods (``Trace.histories``), and the links written against a version since revised
(``Trace.suspect_links``). The facts are those ``kg.versions`` writes and the shapes of
``shapes/versions.ttl`` check (docs/architecture.md, "Versions").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from api.views import models as m
from api.views.links import href
from api.views.rows import all_values, as_int, as_str, column, grouped
from api.views.textdiff import text_diff
from kg import queries as q
from kg.namespaces import PT
from kg.queries import QueryFn, Row

LEVELS = {**q.CLAUSE_LEVELS, f"{PT}Indicator": "indicator"}


def document_refs(run: QueryFn, iris: Iterable[str]) -> dict[str, m.DocumentRef]:
    """The documents ``iris`` with their titles (Japanese first) and issue dates."""
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    out = {}
    for iri, rows in grouped(q.documents(run, wanted), "document").items():
        titles = {str(r["lang"] or ""): as_str(r["title"]) for r in rows if r["title"]}
        out[iri] = m.DocumentRef(
            iri=iri,
            href=href(iri),
            title=titles.get("ja") or titles.get("") or next(iter(titles.values()), None),
            issued=as_str(column(rows, "issued")),
        )
    return out


@dataclass(frozen=True)
class Versions:
    """The version facts of an item's clauses and indicators."""

    fields: dict[str, m.Versioned]
    """Per node: its :class:`~api.views.models.Versioned` fields."""
    histories: dict[str, list[m.History]]
    """Per item code."""
    suspects: dict[str, list[m.SuspectLink]]
    """Per item code."""


def versions(run: QueryFn, codes: Sequence[str], body: str | None = None) -> Versions:
    """The versions, histories and suspect links of the items ``codes`` (of ``body``)."""
    nodes = grouped(q.versions(run, codes, body), "node")
    fields = {
        iri: m.Versioned(
            revision_of=all_values(rows, "revisionOf"),
            valid_from=as_str(column(rows, "validFrom")),
            valid_until=as_str(column(rows, "validUntil")),
            first_stated_in=as_str(column(rows, "firstStatedIn")),
            added_in=as_str(column(rows, "addedIn")),
            dropped_in=as_str(column(rows, "droppedIn")),
        )
        for iri, rows in nodes.items()
    }
    suspect_rows = q.suspect_links(run, codes, body)
    documents = document_refs(run, [
        *(d for f in fields.values() for d in (f.first_stated_in, f.added_in, f.dropped_in) if d),
        *(str(r["newDocument"]) for r in suspect_rows if r["newDocument"]),
    ])  # fmt: skip
    histories: dict[str, list[m.History]] = defaultdict(list)
    later = {old: iri for iri, f in fields.items() for old in f.revision_of}
    for iri, rows in nodes.items():
        f = fields[iri]
        if f.revision_of or (iri not in later and not (f.added_in or f.dropped_in)):
            continue  # a history starts from the first version of what changed
        chain = [iri]
        while chain[-1] in later and later[chain[-1]] not in chain:
            chain.append(later[chain[-1]])
        last = fields[chain[-1]]
        versions = [_version(n, nodes[n], fields[n], documents) for n in chain]
        histories[str(rows[0]["code"])].append(
            m.History(
                level=LEVELS[str(rows[0]["class"])],  # type: ignore[arg-type]
                versions=[versions[0]] + [
                    new.model_copy(update={"diff": text_diff(old.text or "", new.text or "")})
                    for old, new in pairwise(versions)
                ],
                added_in=documents.get(f.added_in or ""),
                dropped_in=documents.get(last.dropped_in or ""),
            )
        )
    suspects: dict[str, list[m.SuspectLink]] = defaultdict(list)
    for r in suspect_rows:
        suspects[str(r["code"])].append(suspect_link(r, documents))
    for hs in histories.values():
        hs.sort(key=lambda h: (h.level, h.versions[0].year or 0, h.versions[0].iri))
    for links in suspects.values():
        links.sort(key=lambda s: (s.lower, s.link, s.new))
    return Versions(fields, dict(histories), dict(suspects))


def _version(
    iri: str, rows: list[Row], f: m.Versioned, documents: dict[str, m.DocumentRef]
) -> m.Version:
    return m.Version(
        iri=iri,
        href=href(iri),
        text=as_str(column(rows, "text")) or as_str(column(rows, "label")),
        year=as_int(column(rows, "year")),
        valid_from=f.valid_from,
        valid_until=f.valid_until,
        stated_in=documents.get(f.first_stated_in or ""),
    )


def suspect_link(row: Row, documents: dict[str, m.DocumentRef]) -> m.SuspectLink:
    """A row of :func:`kg.queries.suspect_links` as the API gives it."""
    lower, old, new = str(row["lower"]), str(row["old"]), str(row["new"])
    return m.SuspectLink(
        lower=lower,
        lower_href=href(lower),
        link=str(row["path"]).removeprefix(str(PT)),  # type: ignore[arg-type]
        old=old,
        old_href=href(old),
        new=new,
        new_href=href(new),
        since=as_str(row["since"]),
        revised_in=documents.get(str(row["newDocument"])),
    )
