"""Targets stated in the text of a clause: ``システム稼働率99.9％以上`` → 99.9 %, ">=".

A clause of the goal or a plan states a target as a quantity with a comparator word (以上, 以内,
未満 …) or as a capacity to reach (最大約480万枚 → at least 4,800,000 枚; see
:func:`kg.ingest.quantities.targets_in`). Around the quantity this module reads what the
document prints with it:

* the *phrase*, as published: from the last punctuation mark before the quantity to its
  comparator (``原則として遅くとも14日以内``, ``１月当たり最大約 480 万枚``), with the PDF's
  spaces and full-width digits kept;
* the *period* a rate or count is taken over, where printed right before the quantity or its
  name: ``1月当たり`` / ``月単位`` → 月, ``1日当たり`` → 日, ``年間応答率`` → 年;
* the *measure*, the name printed right before the number (``システム稼働率``,
  ``年間応答率``; none in ``遅くとも14日以内``), NFKC, to tell two targets of one unit apart.

A deadline (``遅くとも14日以内``) is a target like any other: 14 日, comparator "<=". A quantity
that conditions another (``最大16万件の申請に対し、…14日以内``: the load under which the
deadline holds) is not a target. Matching runs on the NFKC text without white space, so a
number or a word broken by the PDF's spacing (``稼 働 率``, ``480 万 枚``) still reads; the
phrase is cut from the published text.
"""

from __future__ import annotations

import re

from kg.ingest.quantities import Folded, targets_in
from kg.records import DocumentRecords, Span, Target

_DELIMITERS = "、。，,;；:：「」『』（）()【】〔〕・○〇●\n"
_PERIOD_BEFORE = re.compile(r"(?:\d+|一)?([年月日週])(?:当たり|当り|あたり|単位で?の?|毎)$")
_PERIOD_NAME = re.compile(r"^([年月週])間")
_QUALIFIERS = re.compile(r"(?:最大|最小|平均|約)+$")
_NAME = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fff々]+$")


def stated_targets(text: str, span: Span) -> list[Target]:
    """The targets ``text`` states, in order, each with its phrase, period and measure."""
    folded = Folded.of(text)
    out = []
    for q in targets_in(folded.text):
        start = _phrase_start(folded.text, q.start)
        before = _QUALIFIERS.sub("", folded.text[start : q.start])
        name = _NAME.search(before)
        measure = name.group(0) if name else None
        out.append(
            Target(
                value=q.value,
                unit=q.unit,
                comparator=q.comparator or ">=",
                text=folded.published(text, start, q.end),
                span=span,
                approximate=q.approximate,
                period=_period(before, measure),
                measure=measure,
            )
        )
    return out


def read_clause_targets(records: DocumentRecords) -> None:
    """Give every clause of ``records`` the targets its text states (a parser's last step, once
    the clause texts are complete)."""
    for clause in records.clauses:
        clause.targets = stated_targets(clause.text, clause.span)


def _phrase_start(text: str, at: int) -> int:
    """Where the phrase of the quantity at ``at`` begins: after the last delimiter before it."""
    return max(text.rfind(d, 0, at) for d in _DELIMITERS) + 1


def _period(before: str, measure: str | None) -> str | None:
    if measure:
        m = _PERIOD_NAME.match(measure)
        return m.group(1) if m else None
    m = _PERIOD_BEFORE.search(before)
    return m.group(1) if m else None
