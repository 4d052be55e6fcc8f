"""Charts of quantitative indicators, drawn as inline SVG on the server.

:func:`indicator_chart` computes the geometry — one point per actual value (grouped in series by
what was measured), the target as a horizontal line, axes with round ticks — and the template
macro ``chart`` in ``api/web/templates/page_macros.html`` writes the SVG. All text (titles,
tick labels, legend) goes through the template's autoescaping, so no document text can become
markup, and nothing is loaded: the chart is part of the page.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from api.views import models as m

WIDTH = 640
HEIGHT = 260
LEFT = 84
RIGHT = 16
TOP = 14
BOTTOM = 34
SPREAD = 8
"""How far apart (user units) the points of one year are drawn."""
TICK_CHAR = 11
"""Width (user units) of a character of a y-axis label at the largest size the page draws it
(20 units, on a phone: ``pages.css``); the left margin fits the longest label."""
COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Point:
    """One actual value: where it is drawn and what its tooltip says."""

    x: float
    y: float
    year: int
    value: str
    title: str
    href: str
    series: int


@dataclass(frozen=True)
class TargetLine:
    y: float
    value: str
    title: str
    href: str


@dataclass(frozen=True)
class Series:
    index: int
    label: str
    polyline: str  # "x,y x,y …" when the series has two or more points, else ""


@dataclass(frozen=True)
class Chart:
    """Everything the SVG shows, in user units of a ``WIDTH`` × ``HEIGHT`` viewBox."""

    indicator: str
    title: str
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)


def number(value: Decimal) -> str:
    """``4,800,000``, ``99.92``, ``100``: a decimal as people write it."""
    d = value.normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,f}"


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values covering ``lo``…``hi`` (about ``count`` intervals)."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _span_href(sources: list[m.SourceSpan], fallback: str) -> str:
    return sources[0].href if sources else fallback


def _source_text(sources: list[m.SourceSpan]) -> str:
    if not sources:
        return ""
    s = sources[0]
    lines = f"L{s.line_start}" + (f"–{s.line_end}" if s.line_end != s.line_start else "")
    return f"\n{s.file or s.document} {lines}"


def indicator_chart(indicator: m.Indicator, years: list[int]) -> Chart | None:
    """The chart of one quantitative indicator over ``years`` (its observed years are added);
    None when it has no numeric actual value."""
    observed = [o for o in indicator.observations if o.value is not None and o.year is not None]
    if not observed:
        return None
    targets = [t for t in indicator.targets if t.value is not None]
    all_years = sorted(set(years) | {o.year for o in observed if o.year is not None})
    unit = next((o.unit for o in observed if o.unit), None) or next(
        (t.unit for t in targets if t.unit), ""
    )
    values = [float(o.value) for o in observed if o.value is not None]
    values += [float(t.value) for t in targets if t.value is not None]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.15 if hi > lo else max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad
    if min(values) >= 0 > lo:
        lo = 0.0
    ticks = nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    labels = [number(Decimal(str(v))) for v in ticks]
    left = max(LEFT, 12 + TICK_CHAR * max(len(label) for label in labels))
    chart = Chart(indicator=indicator.iri, title=indicator.label or indicator.iri, unit=unit,
                  left=left)  # fmt: skip

    def y_of(value: float) -> float:
        return round(chart.bottom - (value - lo) / (hi - lo) * (chart.bottom - chart.top), 2)

    band = (chart.right - chart.left) / len(all_years)

    def x_of(year: int) -> float:
        return chart.left + band * (all_years.index(year) + 0.5)

    chart.x_ticks.extend(Tick(round(x_of(y), 2), f"FY{y}") for y in all_years)
    chart.y_ticks.extend(Tick(y_of(v), label) for v, label in zip(ticks, labels, strict=True))
    for t in targets:
        assert t.value is not None
        comparator = COMPARATORS.get(t.comparator or "", t.comparator or "")
        shown = f"{comparator}{number(t.value)}{t.unit or unit}"
        chart.targets.append(
            TargetLine(
                y=y_of(float(t.value)),
                value=number(t.value),
                title=f"目標 / target {shown}" + (f" ({t.text})" if t.text else "")
                + _source_text(t.sources),
                href=_span_href(t.sources, indicator.href),
            )
        )
    keys: list[tuple[str, str]] = []
    ordered = sorted(observed, key=lambda o: (o.year or 0, o.subject or "", o.statistic or ""))
    per_year: dict[int, int] = defaultdict(int)
    for o in ordered:
        per_year[o.year or 0] += 1
    slot: dict[int, int] = defaultdict(int)
    for o in ordered:
        assert o.value is not None and o.year is not None
        key = (o.subject or "", o.statistic or "")
        if key not in keys:
            keys.append(key)
        offset = (slot[o.year] - (per_year[o.year] - 1) / 2) * SPREAD
        slot[o.year] += 1
        what = " ".join(p for p in key if p)
        chart.points.append(
            Point(
                x=round(x_of(o.year) + offset, 2),
                y=y_of(float(o.value)),
                year=o.year,
                value=number(o.value),
                title=f"FY{o.year}{' ' + what if what else ''}: {number(o.value)}"
                f"{o.unit or unit}" + _source_text(o.sources),
                href=_span_href(o.sources, o.href),
                series=keys.index(key),
            )
        )
    for index, key in enumerate(keys):
        pts = sorted((p for p in chart.points if p.series == index), key=lambda p: p.year)
        line = " ".join(f"{p.x},{p.y}" for p in pts) if len({p.year for p in pts}) > 1 else ""
        subject, statistic = key
        label = subject + (f" ({statistic})" if statistic else "")
        chart.series.append(Series(index, label.strip() or "—", line))
    return chart
