"""Check a SPARQL request before anything runs: what is refused is refused without executing.

The endpoint is read-only and never reaches outside the machine, and that is decided here from
the query text, not left to the engine (pyoxigraph *does* follow ``SERVICE`` over HTTP):

* a word scan (:func:`keywords`) that skips strings, IRIs, comments, variables and prefixed
  names finds the keywords ``SERVICE``, ``LOAD`` and every SPARQL Update keyword wherever they
  stand — a query can hold none of them, so their presence alone is a refusal;
* the query form is the first form keyword of the scan (SELECT, ASK, CONSTRUCT, DESCRIBE);
* where the text has ``FROM``, rdflib's SPARQL parser also classifies it, finds ``SERVICE`` in
  the parse tree as a second check, and resolves ``FROM`` / ``FROM NAMED`` to full IRIs so the
  caller can refuse graphs the store does not hold;
* a text rdflib cannot parse is left to pyoxigraph, whose parser message becomes the 400 answer
  (it may be valid SPARQL that only pyoxigraph reads, e.g. RDF-star); if such a text mentions
  ``FROM``, it is refused, because its graphs could not be checked;
* brackets nested deeper than :data:`MAX_DEPTH` are refused as malformed (400): both parsers
  recurse once per level, and pyoxigraph overflows its stack (the process dies) on a few
  thousand levels, which a query of a few kilobytes can hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
"""Words that occur only in SPARQL Update requests."""

READ_ONLY = "this endpoint is read-only: SPARQL Update is refused and nothing was changed"

MAX_DEPTH = 64
"""Deepest nesting of ``{ ( [`` a query may have (real queries stay under ten)."""


class Refused(Exception):
    """A request the endpoint will not run, by policy (HTTP 403)."""


class Malformed(Exception):
    """A request that is not well-formed (HTTP 400)."""


@dataclass(frozen=True)
class Checked:
    """What the check learned: the query form (None if only pyoxigraph can parse the text) and
    the graphs named by ``FROM`` and ``FROM NAMED``."""

    form: str | None
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()


_WORD_CHARS = frozenset("_-.:%\\")


def keywords(text: str) -> Iterator[str]:
    """The bare words of a SPARQL text, upper-cased: keywords and function names.

    Skipped: comments, string literals (all four quote styles), IRI references, variables,
    language tags, numbers, prefixed names and blank node labels (anything with a colon).
    """
    return (t for t in _tokens(text) if t not in _BRACKETS)


_BRACKETS = frozenset("{}()[]")


def depth(text: str) -> int:
    """How deep the brackets ``{ ( [`` of a SPARQL text nest (outside strings, IRIs, comments)."""
    return _depth(_tokens(text))


def _depth(tokens: Iterable[str]) -> int:
    level = deepest = 0
    for token in tokens:
        if token in ("{", "(", "["):
            level += 1
            deepest = max(deepest, level)
        elif token in ("}", ")", "]"):
            level = max(level - 1, 0)
    return deepest


def _tokens(text: str) -> Iterator[str]:
    """Bare words (upper-cased) and brackets, skipping what :func:`keywords` skips."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "'\"":
            i = _skip_string(text, i)
        elif c == "<":
            j = i + 1
            while j < n and text[j] not in '<>"{}|^`\\' and not text[j].isspace():
                j += 1
            i = j + 1 if j < n and text[j] == ">" else i + 1
        elif c in "?$@":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            i = j
        elif c.isalnum() or c in "_:":
            j = i
            while j < n and (text[j].isalnum() or text[j] in _WORD_CHARS):
                j += 1
            word = text[i:j].rstrip(".")
            if ":" not in word and not word[0].isdigit():
                yield word.upper()
            i = j
        else:
            if c in _BRACKETS:
                yield c
            i += 1


def _skip_string(text: str, i: int) -> int:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        elif len(quote) == 1 and text[j] == "\n":
            return j + 1
        else:
            j += 1
    return j


def _walk(node: Any) -> Iterator[Any]:
    """Every ``CompValue`` of an rdflib parse tree."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or (hasattr(node, "asList") and not isinstance(node, str)):
        for value in node:
            yield from _walk(value)


def _parses_as_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}


def _form(words: Iterable[str]) -> str | None:
    """The query form: the first form keyword (a sub-select can only come after it)."""
    return next((_FORMS[w] for w in words if w in _FORMS), None)


def check(text: str, base_iri: str | None, prefixes: Mapping[str, str]) -> Checked:
    """Refuse updates, ``SERVICE`` and ``LOAD``; classify a query and resolve its ``FROM``s.

    Raises :class:`Refused` or :class:`Malformed`.
    """
    tokens = list(_tokens(text))  # one scan of the text for every check below
    nesting = _depth(tokens)
    if nesting > MAX_DEPTH:
        raise Malformed(
            f"malformed query: brackets nest {nesting} levels deep; at most {MAX_DEPTH} are allowed"
        )
    ordered = [t for t in tokens if t not in _BRACKETS]
    words = set(ordered)
    if "SERVICE" in words:
        raise Refused(
            "SERVICE (federated query) is refused: this endpoint never contacts other services"
        )
    if "LOAD" in words:
        raise Refused("LOAD is refused: this endpoint is read-only and never fetches data")
    if words & UPDATE_KEYWORDS:
        raise Refused(READ_ONLY)
    if "FROM" not in words:
        # Nothing left to check: the query form is its first form keyword, and what does not
        # parse is pyoxigraph's to report. rdflib's parser costs ~20 ms a query, so it runs
        # only where a FROM must be resolved.
        return Checked(form=_form(ordered))
    # rdflib's SPARQL parser loads here, on the first query with a FROM, not when a query
    # worker starts (it costs a third of a second to import).
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except Exception:
        if _parses_as_update(text):
            raise Refused(READ_ONLY) from None
        if "FROM" in words:
            raise Refused(
                "FROM is refused in a query this endpoint cannot check; name graphs the store "
                "holds in a query rdflib can parse"
            ) from None
        return Checked(form=None)
    if any(v.name == "ServiceGraphPattern" for v in _walk(parsed)):
        raise Refused(
            "SERVICE (federated query) is refused: this endpoint never contacts other services"
        )
    query = parsed[1]
    form = {
        "SelectQuery": "select",
        "AskQuery": "ask",
        "ConstructQuery": "construct",
        "DescribeQuery": "describe",
    }.get(query.name)
    graphs: list[str] = []
    named: list[str] = []
    # not query.get(…): CompValue.get answers the key's name for a missing key
    clauses = query["datasetClause"] if "datasetClause" in query else []  # noqa: SIM401
    if clauses:
        try:
            prologue = translatePrologue(parsed[0], base_iri, initNs=dict(prefixes))
            for clause in clauses:
                if "default" in clause:
                    graphs.append(str(prologue.absolutize(clause["default"])))
                else:
                    named.append(str(prologue.absolutize(clause["named"])))
        except Exception as exc:
            raise Malformed(f"FROM names no IRI: {exc}") from None
    return Checked(form=form, from_graphs=tuple(graphs), from_named=tuple(named))
