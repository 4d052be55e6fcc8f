"""Parser for a mid-term plan (中期計画) published on its own, e.g. as revised (変更認可).

The plan states its clauses in full (``issues`` = plan): a clause of the earlier plan it no
longer states is dropped, one it states in other words is a revision (:mod:`kg.versions`).
"""

from __future__ import annotations

from kg.ingest.plan_alone import detects, parse_plan
from kg.records import DocumentRecords

KIND = "mid-term-plan"


def detect(text: str) -> bool:
    """A document titled …中期計画（…） with a numbered outline and no reference parts."""
    return detects(text, "中期計画")


def parse(text: str, doc: str) -> DocumentRecords:
    """The plan's clauses (level "plan"), their targets and the date printed on top."""
    return parse_plan(text, doc, KIND, "plan")
