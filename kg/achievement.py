"""How far each actual value reached its target, and the grade band the rubric gives that.

The achievement of an observation against a target of the same unit, in percent:

* comparator ``>=`` (以上) or ``>``: actual ÷ target × 100 (more is better);
* comparator ``<=`` (以内, 以下) or ``<``: target ÷ actual × 100 (less is better: 13 days
  against "14日以内" is 107.69);
* comparator ``=``: the smaller of actual ÷ target and target ÷ actual, × 100: an exact target
  is met at 100 and missed either way below it, so it never reaches a band above B.

The quotient is rounded to two decimals, half up (四捨五入: 99.85 ÷ 99.9 × 100 =
99.94994… → 99.95), and the band is read from the rounded value, so anyone can check a band
against the percent and the rubric's bounds the graph states. A strict comparator (``>``,
``<``) met exactly gives 100 like its inclusive form; no document prints one.

The band is the best grade of the rubric in force (:func:`rubric_for`) one of whose bands holds
the percent (:class:`~kg.records.AchievementBand`: minimum inclusive, maximum exclusive). A
band marked for high-difficulty items counts only when the item's grade of that year is printed
with the difficulty mark (underlined, :func:`difficulty`); a grade whose criterion also needs
something numbers cannot show (S: 質的に顕著な成果) is never implied by numbers.

Nothing is guessed. An observation is not compared, and says why in its note, when: its
indicator is qualitative; neither the indicator nor a clause it measures states a target; no
target is in the observation's unit; the observation is a statistic the target does not bound
(a mean against "遅くとも14日以内", which every case must meet); several different targets
could apply; a value is zero or negative (no ratio). It has a percent but no band when no
rubric is in force for its year, when no band holds the percent, or when the band depends on a
difficulty mark that no grade of that item and year prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from kg.ingest.quantities import statistic_in
from kg.records import (
    Achievement,
    DocumentRecords,
    GradeRubric,
    Indicator,
    Note,
    Observation,
    Target,
)
from kg.text import nfkc

PLACES = Decimal("0.01")
"""Achievements are rounded to two decimals, ROUND_HALF_UP."""

_HUNDRED = Decimal(100)
# The statistic of a series that tests a bound every case must meet.
_EXTREME = {"<=": "max", "<": "max", ">=": "min", ">": "min"}
_STATISTIC_JA = {"max": "最大値", "min": "最小値", "mean": "平均値", "total": "合計"}
_LEVELS = ("annual", "plan", "goal")


def achievement(actual: Decimal, target: Decimal, comparator: str) -> Decimal | None:
    """The achievement in percent, rounded; None when a value is zero or negative."""
    if actual <= 0 or target <= 0:
        return None
    if comparator in (">=", ">"):
        ratio = actual / target
    elif comparator in ("<=", "<"):
        ratio = target / actual
    elif comparator == "=":
        ratio = min(actual / target, target / actual)
    else:
        raise ValueError(f"expected a comparator >=, >, <=, < or =, got {comparator!r}")
    return (ratio * _HUNDRED).quantize(PLACES, rounding=ROUND_HALF_UP)


def band(percent: Decimal, rubric: Sequence[GradeRubric], difficulty_high: bool) -> str | None:
    """The best grade of ``rubric`` (listed best first) whose bands hold ``percent``."""
    for grade in rubric:
        for b in grade.bands:
            if b.requires or (b.difficulty_high and not difficulty_high):
                continue
            if (b.minimum is None or percent >= b.minimum) and (
                b.maximum is None or percent < b.maximum
            ):
                return grade.grade
    return None


def rubric_for(year: int, docs: Sequence[DocumentRecords]) -> list[GradeRubric]:
    """The rubric in force for ``year``: the one printed by the latest report of that year or
    before (a later report may print a changed rubric); empty when none is."""
    printed = [(d.year, d.rubric) for d in docs if d.rubric and d.year is not None]
    earlier = [(y, r) for y, r in printed if y <= year]
    return max(earlier, key=lambda yr: yr[0])[1] if earlier else []


def difficulty(docs: Sequence[DocumentRecords]) -> dict[tuple[str, int], bool]:
    """Item and year → whether a grade of them is printed with the difficulty mark; pairs
    for which no grade prints marks at all are absent (unknown)."""
    marked: dict[tuple[str, int], bool] = {}
    for doc in docs:
        grades = [(e.item, e.year, e.marks) for e in doc.evaluations]
        grades += [(s.item, s.year, s.marks) for s in doc.summary_grades]
        for item, year, marks in grades:
            if marks is not None:
                key = (item, year)
                marked[key] = marked.get(key, False) or marks.difficulty_high
    return marked


def assess(docs: Sequence[DocumentRecords]) -> int:
    """Set the :class:`~kg.records.Achievement` of every observation of ``docs``; returns how
    many got a percent."""
    marks = difficulty(docs)
    compared = 0
    for doc in docs:
        for obs in doc.observations:
            indicator = doc.indicators[obs.indicator]
            found = _compare(obs, indicator, doc)
            if found.percent is not None:
                compared += 1
                _grade(
                    found,
                    found.percent,
                    rubric_for(obs.year, docs),
                    marks.get((indicator.item, obs.year)),
                )
            obs.achievement = found
    return compared


def _compare(obs: Observation, indicator: Indicator, doc: DocumentRecords) -> Achievement:
    """The target ``obs`` is compared with and the percent, or a note saying why not."""
    if not indicator.quantitative:
        return _not_compared(
            "定性的な指標のため、目標値と比較しない。",
            "A qualitative indicator: not compared with a target.",
        )
    stated = _stated_targets(obs, indicator, doc)
    if not stated:
        return _not_compared(
            "指標にも、指標が測る記載事項にも目標値の記載がない。",
            "No target is stated for the indicator or the clauses it measures.",
        )
    in_unit = [t for t in stated if nfkc(t.unit) == nfkc(obs.unit)]
    if not in_unit:
        units = "、".join(sorted({t.unit for t in stated}))
        return _not_compared(
            f"実績値の単位（{obs.unit}）が目標値の単位（{units}）と異なる。",
            f"The value's unit ({obs.unit}) differs from the target's ({units}).",
        )
    usable = [t for t in in_unit if _bounded(obs, t)]
    if not usable:
        what = _STATISTIC_JA.get(obs.statistic or "", obs.statistic or "")
        text = in_unit[0].text
        return _not_compared(
            f"{what}は、すべての件が満たすべき目標「{text}」とは比較しない。",
            f"A {obs.statistic} is not compared with a target every case must meet ({text}).",
        )
    if len({(t.value, t.comparator) for t in usable}) > 1:
        texts = "」「".join(t.text for t in usable)
        return _not_compared(
            f"比較できる目標値が複数あり（「{texts}」）、一つに定まらない。",
            f"Several different targets could apply ({texts}).",
        )
    target = usable[0]
    percent = achievement(obs.value, target.value, target.comparator)
    if percent is None:
        return _not_compared(
            "値が0以下のため、達成度（比率）を求めない。",
            "A value is zero or negative: no ratio.",
            target,
        )
    return Achievement(target=target, percent=percent)


def _not_compared(ja: str, en: str, target: Target | None = None) -> Achievement:
    return Achievement(target=target, note=Note(ja, en))


def _stated_targets(obs: Observation, indicator: Indicator, doc: DocumentRecords) -> list[Target]:
    """The indicator's own targets; without them, those of the clauses it measures at the most
    specific level that states any (the annual plan of the observation's year first)."""
    if indicator.targets:
        return indicator.targets
    measured = [doc.clauses[i] for i in indicator.measures]
    for level in _LEVELS:
        found = [
            t
            for c in measured
            if c.level == level and (level != "annual" or (c.year or doc.year) == obs.year)
            for t in c.targets
        ]
        if found:
            return found
    return []


def _bounded(obs: Observation, target: Target) -> bool:
    """Whether the target speaks of the statistic ``obs`` is: a single figure always; else the
    statistic the target names (最大約480万枚), or, for a target every case must meet (14日以内),
    the extreme case (the maximum for "<=")."""
    if obs.statistic is None:
        return True
    named = statistic_in(target.text)
    if named is not None:
        return obs.statistic == named
    return obs.statistic == _EXTREME.get(target.comparator)


def _grade(
    found: Achievement, percent: Decimal, rubric: list[GradeRubric], difficulty_high: bool | None
) -> None:
    """Set the band of ``found`` (or its note when the band cannot be told)."""
    if not rubric:
        found.note = Note(
            "この年度に適用される評定の基準が読み取れないため、評定区分を示さない。",
            "No grading rubric in force for this year: no band.",
        )
        return
    if difficulty_high is None:
        plain, hard = band(percent, rubric, False), band(percent, rubric, True)
        if plain != hard:
            found.note = Note(
                f"この年度の困難度の記載がなく、評定区分は{plain}（困難度が高ければ{hard}）の"
                "いずれか定まらない。",
                f"No difficulty mark is printed for this item and year: the band is {plain},"
                f" or {hard} if the item is of high difficulty.",
            )
            return
        found.grade = plain
    else:
        found.grade = band(percent, rubric, difficulty_high)
    if found.grade is None:
        found.note = Note(
            "評定の基準のどの区分にも当たらない。", "No band of the rubric holds this achievement."
        )
