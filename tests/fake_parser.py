"""A tiny parser for tests only: documents whose first line is ``FAKE-REPORT <year>``.

Each further line is ``EVAL <item> <year> <self|ministerial> <grade>`` or
``OVERALL <year> <self|ministerial> <grade>``; any other non-blank line is a parse error. It lets
build and CLI tests control exactly which facts a document yields.
"""

from __future__ import annotations

from kg.errors import ParseError
from kg.records import DocumentRecords, Evaluation, OverallEvaluation, Span

KIND = "fake-report"
MAGIC = "FAKE-REPORT"


def detect(text: str) -> bool:
    return text.startswith(MAGIC)


def parse(text: str, doc: str) -> DocumentRecords:
    lines = text.split("\n")
    records = DocumentRecords(doc=doc, kind=KIND, year=int(lines[0].split()[1]))
    for n, line in enumerate(lines[1:], start=2):
        words, span = line.split(), Span(doc, n, n)
        if not words:
            continue
        if words[0] == "EVAL" and len(words) == 5:
            item, year, by, grade = words[1:]
            records.evaluations.append(Evaluation(item, int(year), grade, by, span))
        elif words[0] == "OVERALL" and len(words) == 4:
            year, by, grade = words[1:]
            records.overall.append(OverallEvaluation(int(year), grade, by, span))
        else:
            raise ParseError(doc, "expected EVAL or OVERALL", n)
    return records
