"""The grade basis (評定の根拠) over HTTP: the JSON API, the item page's section, the trace CSV,
and a modified copy of the FY2025 report (a changed actual value gives the changed basis).

The expected values are the ones the real documents print (002 line 140: 99.85 % against a
target of 99.9 % or more) and the arithmetic of the rubric; the code holds none of them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import build_copies
from servers import Server

from api.views.grade_basis import grade_basis

BROWSER = "text/html,application/xhtml+xml"
REPORT_2025 = "self-evaluation-fy2025"
RUBRIC_REPORT = "business-report-fy2021-with-self-evaluation"
MISSED = "公的個人認証システム（窓口向けサービス）：99.85%"
"""002 line 140: the FY2025 availability of one system, under its target of 99.9 % or more."""


@pytest.fixture(scope="module")
def basis(server: Server) -> dict[str, Any]:
    with server.client() as c:
        answer = c.get("/api/items/I-1/grade-basis")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _row(basis: dict[str, Any], year: int, value: float) -> dict[str, Any]:
    (of_year,) = [y for y in basis["years"] if y["year"] == year]
    (row,) = [r for r in of_year["rows"] if r["observation"]["value"] == value]
    return row


def test_an_actual_value_with_its_target_achievement_and_band(basis: dict[str, Any]) -> None:
    row = _row(basis, 2025, 99.85)
    assert row["observation"]["achievement"] == 99.95 and row["observation"]["implied_grade"] == "C"
    target = row["target"]
    assert (target["value"], target["comparator"], target["unit"]) == (99.9, ">=", "%")
    assert "99.9" in target["text"] and target["href"].startswith("/id/")
    # the targets of the plans above it: the FY2025 annual plan's, the mid-term plan's, the goal's
    levels = [t["level"] for t in row["above"]]
    assert {"annual", "plan", "goal"} <= set(levels) and levels.index("plan") < levels.index("goal")
    assert all(t["year"] in (None, 2025) for t in row["above"])  # no other year's annual plan


def test_the_grades_and_the_finding_of_that_year(basis: dict[str, Any]) -> None:
    (fy2025,) = [y for y in basis["years"] if y["year"] == 2025]
    assert fy2025["self_evaluation"]["grade"] == "B"
    assert basis["findings_checked"] is True
    rules = {f["rule"].rsplit("#", 1)[-1]: f for f in fy2025["findings"]}
    above = rules["GradeAboveNumbersShape"]
    assert above["severity"] == "warning" and "第38条の11" in (above["article"] or "")
    assert above["focus"] == _row(basis, 2025, 99.85)["observation"]["iri"]
    (fy2021,) = [y for y in basis["years"] if y["year"] == 2021]
    assert not [f for f in fy2021["findings"] if "GradeAbove" in f["rule"]]


def test_unknown_item_and_openapi(server: Server) -> None:
    with server.client() as c:
        assert c.get("/api/items/Z-99/grade-basis").status_code == 404
        schema = c.get("/openapi.json").json()
    assert "/api/items/{code}/grade-basis" in schema["paths"]
    assert "GradeBasis" in schema["components"]["schemas"]


def test_the_item_page_shows_the_basis(server: Server) -> None:
    with server.client(headers={"Accept": BROWSER}) as c:
        page = c.get("/items/I-1").text
        english = c.get("/items/I-1", params={"lang": "en"}).text
    assert 'id="grade-basis"' in page and "評定の根拠" in page and "Grade basis" in english
    section = page.split('class="basis-year" data-year="2025"', 1)[1].split("</section>", 1)[0]
    assert 'data-achievement="99.95"' in section and 'data-band="C"' in section
    assert re.search(r'data-rule="[^"]*#GradeAboveNumbersShape"', section)
    assert re.search(r"<th scope=\"row\"", section)


def test_the_trace_csv_has_achievement_and_band(server: Server) -> None:
    with server.client() as c:
        text = c.get("/downloads/trace.csv").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    of_2025 = [r for r in table if r["item_code"] == "I-1" and r["fiscal_year"] == "2025"]
    assert any("99.95% (C)" in r["achievement"] and "C" in r["implied_grade"] for r in of_2025)


def test_a_changed_actual_value_changes_the_basis(tmp_path: Path) -> None:
    """99.85 % printed as 79.9 %: 79.98 % of the target, band D."""
    edit = {REPORT_2025: (MISSED, MISSED.replace("99.85", "79.9"))}
    store = build_copies(tmp_path, edit, RUBRIC_REPORT)  # (000 prints the rubric)
    changed = grade_basis(store.query, "I-1").model_dump(mode="json")
    row = _row(changed, 2025, 79.9)
    assert row["observation"]["achievement"] == 79.98 and row["observation"]["implied_grade"] == "D"
    with pytest.raises(ValueError, match="not enough values"):
        _row(changed, 2025, 99.85)  # the printed value is gone


def test_the_dashboard_marks_a_grade_that_disagrees_with_its_numbers(server: Server) -> None:
    """The dashboard marks the one J-LIS grade cell that disagrees with its numbers (I-1's
    FY2025 self grade) and no other."""
    with server.client(headers={"Accept": BROWSER}) as c:
        dashboard = c.get("/").text
    marked = re.findall(r'data-disagrees="([^"]+)"', dashboard)
    assert marked == ["I-1 2025 self"]
