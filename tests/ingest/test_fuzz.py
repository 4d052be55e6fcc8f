"""Fuzzing the parsers with mutated real documents (hypothesis).

Each registered parser is fed its own real document from ``data/sources`` after a few random
edits of the kinds a conversion or a careless copy makes: cut at a line (or inside one), lines
deleted, duplicated or swapped, blocks deleted, characters swapped, digits flipped between
full and half width or changed, markup and template markers inserted, CRLF line ends. The
whole ingest pipeline runs on the result (parse → link → RDF → store), and it must either give
records whose every span lies inside the mutated text, or raise :class:`PlantraceError` with a
one-line message — never another exception, and never hang (each example has a wall-clock
limit, enforced with ``SIGALRM``).

Bounded for CI: a few derandomized examples per parser. For a deeper, random run:
``FUZZ_EXAMPLES=300 pytest tests/ingest/test_fuzz.py``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest
from conftest import SOURCES, board_parts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import Parsed, load_parsed, parse_document
from kg.errors import PlantraceError
from kg.ingest import PARSERS, Parser, parser_for
from kg.link import link
from kg.records import DocumentRecords, Span
from kg.sources import SourceDocument, load_manifest
from kg.store import GraphStore

EXAMPLE_SECONDS = 20
"""Wall-clock limit of one example (the real documents take well under a second)."""

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES or 6,
    derandomize=not FUZZ_EXAMPLES,  # the same examples in every CI run
    deadline=None,  # time is bounded by EXAMPLE_SECONDS instead
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_WIDE = str.maketrans("0123456789０１２３４５６７８９", "０１２３４５６７８９0123456789")
_INSERTS = [
    "\x00", "\ufeff", "\u3000", "\t", "<", ">", '"', "{", "}", "\\", "|", "^", "`",
    "<script>", "</td>", "○", "評定：", "令和", "年度", "（", "）", "１．", "①", "Ⅰ－１", "第",
    "条", "法律第", "号", "99999999999999999999", "-", "．",
]  # fmt: skip
OPS = ["cut", "cut_inside", "delete", "delete_block", "duplicate", "move", "swap_chars",
       "flip_width", "change_digits", "insert", "crlf", "window"]  # fmt: skip


def _sources() -> dict[str, tuple[Parser, SourceDocument, list[str]]]:
    """For each registered parser, the first real document it reads, split into lines."""
    found: dict[str, tuple[Parser, SourceDocument, list[str]]] = {}
    for doc in load_manifest(SOURCES / "manifest.json").documents:
        text = doc.read_text()
        parser = parser_for(text)
        if parser is not None and parser.KIND not in found:
            found[parser.KIND] = (parser, doc, text.splitlines(keepends=True))
    board = next(v[1] for v in found.values() if v[0].KIND == "board-material")
    for kind, text in board_parts().items():  # a plan on its own: the board material's parts
        parser = parser_for(text)
        assert parser is not None and kind == parser.KIND
        found.setdefault(kind, (parser, board, text.splitlines(keepends=True)))
    return found


SEEDS = _sources()


def test_every_parser_has_a_seed_document() -> None:
    assert {p.KIND for p in PARSERS} == set(SEEDS)


def mutate(lines: list[str], edits: list[tuple[str, int, int]]) -> str:
    """Apply ``(operation, a, b)`` edits; ``a`` and ``b`` pick positions (modulo the size)."""
    lines = list(lines)
    for op, a, b in edits:
        if not lines:
            break
        i = a % len(lines)
        line = lines[i]
        if op == "cut":
            lines = lines[:i]
        elif op == "cut_inside":
            lines = [*lines[:i], line[: b % (len(line) + 1)]]
        elif op == "delete":
            del lines[i]
        elif op == "delete_block":
            del lines[i : i + 2 + b % 60]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "move":
            lines.insert(b % len(lines), lines.pop(i))
        elif op == "swap_chars" and len(line) > 1:
            k = b % (len(line) - 1)
            lines[i] = line[:k] + line[k + 1] + line[k] + line[k + 2 :]
        elif op == "flip_width":
            lines[i] = line.translate(_WIDE)
        elif op == "change_digits":
            lines[i] = _change_digits(line, b)
        elif op == "insert":
            k = b % (len(line) + 1)
            lines[i] = line[:k] + _INSERTS[b % len(_INSERTS)] + line[k:]
        elif op == "crlf":
            lines = [x.replace("\n", "\r\n") for x in lines]
        elif op == "window":
            lines = lines[i : i + 1 + b % len(lines)]
    return "".join(lines)


def _change_digits(line: str, seed: int) -> str:
    digits = iter(str(seed * 7919 + 1) * (len(line) + 1))
    return re.sub(r"[0-9０-９]", lambda _: next(digits), line)


EDITS = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 2**20), st.integers(0, 2**20)),
    min_size=1,
    max_size=4,
)


class Hang(Exception):
    """An example ran past :data:`EXAMPLE_SECONDS`."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"the parser ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def spans(value: Any) -> Iterator[Span]:
    """Every :class:`Span` inside a record (dataclasses, lists, tuples)."""
    if isinstance(value, Span):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from spans(getattr(value, f.name))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from spans(v)


def ingest(parser: Parser, source: SourceDocument, text: str) -> DocumentRecords | None:
    """What ``plantrace ingest`` and ``build`` do with one text: parse, link, RDF, store."""
    parsed: Parsed = parse_document(source, text, [parser])
    if parsed.records is None:  # the edits removed what detect() looks for
        return None
    link([parsed.records], {})
    load_parsed(GraphStore.memory(), parsed)
    return parsed.records


def check(kind: str, text: str) -> None:
    parser, source, _ = SEEDS[kind]
    try:
        with time_limit(EXAMPLE_SECONDS):
            records = ingest(parser, source, text)
    except PlantraceError as exc:
        message = str(exc)
        assert message and "\n" not in message, f"not a one-line message: {message!r}"
        return
    if records is None:
        return
    n = text.count("\n") + (0 if text.endswith("\n") else 1)
    for span in spans(records):
        assert span.doc == source.id and 1 <= span.start <= span.end <= max(n, 1), span


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_unmodified_document_is_read(kind: str) -> None:
    _, _, lines = SEEDS[kind]
    check(kind, "".join(lines))


@pytest.mark.parametrize("kind", sorted(SEEDS))
@FUZZ
@given(edits=EDITS)
def test_mutated_document_is_read_or_refused_in_one_line(
    kind: str, edits: list[tuple[str, int, int]]
) -> None:
    check(kind, mutate(SEEDS[kind][2], edits))


@pytest.mark.parametrize("kind", sorted(SEEDS))
@FUZZ
@given(cut=st.floats(0, 1))
def test_truncated_document_is_read_or_refused_in_one_line(kind: str, cut: float) -> None:
    text = "".join(SEEDS[kind][2])
    check(kind, text[: int(len(text) * cut)])


def test_time_limit_stops_a_hang() -> None:
    with pytest.raises(Hang), time_limit(0.2):
        while True:
            pass
