"""Parser for an annual plan (年度計画) published on its own, e.g. the next year's.

Its clauses implement the plan clauses of their section in force on its date
(:mod:`kg.versions`): an annual plan written after a plan was revised implements the new
version, and clears the links of earlier annual plans to the old one.
"""

from __future__ import annotations

from kg.ingest.plan_alone import detects, parse_plan
from kg.records import DocumentRecords

KIND = "annual-plan"


def detect(text: str) -> bool:
    """A document titled …年度計画（令和N年度） with a numbered outline and no reference parts."""
    return detects(text, "年度計画")


def parse(text: str, doc: str) -> DocumentRecords:
    """The annual plan's clauses (level "annual", the title's fiscal year) and their targets."""
    return parse_plan(text, doc, KIND, "annual")
